import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gpuAcknowledgement, predictionLogAcknowledgement, trainingAcknowledgement, type AcknowledgementScope } from '../../../src/core/check';
import { loadConfig } from '../../../src/core/config';

const examples = join(__dirname, '../../../examples');
const { config } = loadConfig(readFileSync(join(examples, 'modelmon.json'), 'utf8'), join(examples, 'modelmon.json'));
const scopes: AcknowledgementScope[] = [{ configDir: examples, config: config! }];
const REASON = 'the lr=5 arm of the sweep, kept to show what a run that never learns looks like';

test("the example's acknowledgement covers diverge_lr5's not-learning finding and nothing else", () => {
  const run = join(examples, 'runs/diverge_lr5');
  assert.equal(trainingAcknowledgement(scopes, { runDir: run, tag: 'train/loss', kind: 'not-learning' }), REASON);
  // A sub-run of the monitor's log dir is acknowledged too (the check's subject is loss_compare_train/<tag>).
  assert.equal(trainingAcknowledgement(scopes, { runDir: join(run, 'loss_compare_train'), tag: 'loss_compare', kind: 'not-learning' }), REASON);
  assert.equal(trainingAcknowledgement(scopes, { runDir: run, tag: 'train/loss', kind: 'divergence' }), undefined);
  assert.equal(trainingAcknowledgement(scopes, { runDir: join(examples, 'runs/nan_divergence'), tag: 'train/loss', kind: 'not-learning' }), undefined);
  // A run no training monitor watches is never acknowledged.
  assert.equal(trainingAcknowledgement(scopes, { runDir: join(examples, 'elsewhere/diverge_lr5'), tag: 'train/loss', kind: 'not-learning' }), undefined);
});

test('subjects match as the check matches them: exactly or as a path prefix', () => {
  const withSubject: AcknowledgementScope[] = [
    { configDir: examples, config: { ...config!, acknowledged: [{ monitor: 'nan_divergence', subject: 'nan_divergence/train', reason: 'known' }] } },
  ];
  const run = join(examples, 'runs/nan_divergence');
  assert.equal(trainingAcknowledgement(withSubject, { runDir: run, tag: 'train/loss', kind: 'nan' }), 'known');
  assert.equal(trainingAcknowledgement(withSubject, { runDir: run, tag: 'val/loss', kind: 'nan' }), undefined);
  assert.equal(trainingAcknowledgement(withSubject, { runDir: run, tag: 'training/loss', kind: 'nan' }), undefined);
});

test('a prediction log is acknowledged only when every alert kind it has is; GPU alerts by index and kind', () => {
  const acked: AcknowledgementScope[] = [
    { configDir: examples, config: { ...config!, acknowledged: [{ monitor: 'digits', kind: 'data_drift', reason: 'new scanner' }, { monitor: 'gpu', kind: 'throttle', subject: 'GPU 0', reason: 'power cap on purpose' }] } },
  ];
  const log = join(examples, 'predictions/digits_dev.jsonl');
  assert.equal(predictionLogAcknowledgement(acked, { path: log, alerts: [{ kind: 'data_drift', features: ['input'] }] }), 'new scanner');
  assert.equal(predictionLogAcknowledgement(acked, { path: log, alerts: [{ kind: 'data_drift', features: ['input'] }, { kind: 'prior_shift', features: [] }] }), undefined);
  assert.equal(predictionLogAcknowledgement(acked, { path: log, alerts: [] }), undefined);
  assert.equal(predictionLogAcknowledgement(acked, { path: join(examples, 'predictions/tabular_dev.csv'), alerts: [{ kind: 'data_drift', features: ['x'] }] }), undefined);
  assert.equal(gpuAcknowledgement(acked, { gpuIndex: 0, kind: 'throttle' }), 'power cap on purpose');
  assert.equal(gpuAcknowledgement(acked, { gpuIndex: 1, kind: 'throttle' }), undefined);
});
