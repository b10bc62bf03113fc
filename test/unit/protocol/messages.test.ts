import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHostMessage, isWebviewMessage, type TrainingViewOptions } from '../../../src/protocol';

const options: TrainingViewOptions = { smoothing: 0.6, xAxis: 'step', logScale: false, ignoreOutliers: true, hiddenRuns: ['a'], tagFilter: 'loss' };

test('accepts every well-formed webview message', () => {
  const good: unknown[] = [
    { type: 'ready', panel: 'training' },
    { type: 'ready', panel: 'gpu' },
    { type: 'rendered', panel: 'predictions', points: 75, charts: 1 },
    { type: 'rendered', panel: 'gpu', points: 0, charts: 0 },
    { type: 'openFile', path: '/ws/predictions/tabular_dev.csv', line: 2101 },
    { type: 'setOptions', panel: 'training', options },
    { type: 'setOptions', panel: 'predictions', options: { log: '/ws/p.csv' } },
    { type: 'error', message: 'TypeError: x is undefined' },
  ];
  for (const m of good) assert.equal(isWebviewMessage(m), true, JSON.stringify(m));
});

test('rejects malformed webview messages', () => {
  const bad: unknown[] = [
    null,
    undefined,
    'ready',
    42,
    [],
    {},
    { type: 'ready' },
    { type: 'ready', panel: 'tensorboard' },
    { type: 'rendered', panel: 'training', points: -1, charts: 1 },
    { type: 'rendered', panel: 'training', points: 1.5, charts: 1 },
    { type: 'rendered', panel: 'training', points: '3', charts: 1 },
    { type: 'rendered', panel: 'training', points: 3 },
    { type: 'openFile', path: '', line: 1 },
    { type: 'openFile', path: '/x', line: 0 },
    { type: 'openFile', path: '/x', line: 2.5 },
    { type: 'openFile', path: 7, line: 1 },
    { type: 'openFile', path: 'x'.repeat(5000), line: 1 },
    // A message type the host does not take.
    { type: 'revealStep', run: 'r', tag: 't', step: 3 },
    { type: 'setOptions', panel: 'training', options: { ...options, smoothing: 1 } },
    { type: 'setOptions', panel: 'training', options: { ...options, smoothing: -0.1 } },
    { type: 'setOptions', panel: 'training', options: { ...options, xAxis: 'epoch' } },
    { type: 'setOptions', panel: 'training', options: { ...options, hiddenRuns: [1] } },
    { type: 'setOptions', panel: 'training', options: { ...options, ignoreOutliers: 'yes' } },
    { type: 'setOptions', panel: 'gpu', options: {} },
    { type: 'setOptions', panel: 'predictions', options: { log: '' } },
    { type: 'error' },
    { type: 'eval', code: 'process.exit()' },
  ];
  for (const m of bad) assert.equal(isWebviewMessage(m), false, JSON.stringify(m));
});

test('accepts host messages by their envelope', () => {
  const state = { runs: [], series: [], findings: [], hparams: [], histograms: [] };
  assert.equal(isHostMessage({ type: 'init', panel: 'training', state }), true);
  assert.equal(isHostMessage({ type: 'init', panel: 'training', state, focus: { tag: 'train/loss', step: 8 } }), true);
  assert.equal(isHostMessage({ type: 'update', panel: 'gpu', update: { samples: [], energy: { wh: 0, cost: null, currency: null }, status: null } }), true);
  assert.equal(isHostMessage({ type: 'reveal', panel: 'training', focus: { runs: ['a'], tag: 't' } }), true);
});

test('rejects malformed host messages', () => {
  const bad: unknown[] = [
    null,
    { type: 'init', panel: 'training' },
    { type: 'init', panel: 'training', state: [] },
    { type: 'init', panel: 'nope', state: {} },
    { type: 'init', panel: 'gpu', state: {}, focus: { step: 3 } },
    { type: 'init', panel: 'training', state: {}, focus: { step: 'x' } },
    { type: 'update', panel: 'predictions' },
    { type: 'reveal', panel: 'gpu', focus: {} },
    { type: 'reveal', panel: 'training', focus: { runs: 'a' } },
    { type: 'ready', panel: 'training' },
  ];
  for (const m of bad) assert.equal(isHostMessage(m), false, JSON.stringify(m));
});
