import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PredictionMonitor, inferPredictionSchema, flattenRecord, validateSchemaOverride, type PredictionMonitorOptions } from '../../../src/core/predictions';

let seed = 3;
const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

function analyze(lines: string[], options: PredictionMonitorOptions) {
  const m = new PredictionMonitor(options);
  m.pushText(lines.join('\n'));
  m.end();
  return m.snapshot();
}

test('inference: nested objects flattened, vectors, roles by name, free-text ids left out', () => {
  const rows = Array.from({ length: 12 }, (_, i) =>
    flattenRecord({ timestamp: i, uuid: `u-${i}-${i * 7}`, f: { a: i, b: { c: 'x' } }, emb: [0.1, i], pred: 'cat', probs: [0.2, 0.8], y_true: 'dog', cohort: 'A', note: `free text ${i}` }),
  );
  const s = inferPredictionSchema(rows, 'jsonl');
  assert.deepEqual(
    { ts: s.timestamp, id: s.id, predictions: s.predictions, probabilities: s.probabilities, label: s.label, segments: s.segments, other: s.other, task: s.task },
    { ts: 'timestamp', id: 'uuid', predictions: ['pred'], probabilities: 'probs', label: 'y_true', segments: ['cohort'], other: ['note'], task: 'classification' },
  );
  assert.deepEqual(s.features, [
    { name: 'f.a', kind: 'numeric' },
    { name: 'f.b.c', kind: 'categorical' },
    { name: 'emb', kind: 'vector', length: 2 },
  ]);
});

test('the override replaces inference, and bad overrides are named', () => {
  const rows = [flattenRecord({ t: 1, code: 3, out: 1, gt: 0, site: 'x', v: 0.5 })];
  const s = inferPredictionSchema(rows, 'jsonl', { timestamp: 't', features: ['code', 'v'], categorical: ['code'], prediction: ['out'], label: 'gt', segment: 'site' });
  assert.deepEqual(s.features, [{ name: 'code', kind: 'categorical' }, { name: 'v', kind: 'numeric' }]);
  assert.deepEqual([s.timestamp, s.predictions, s.label, s.segments], ['t', ['out'], 'gt', ['site']]);
  assert.deepEqual(s.overridden, ['timestamp', 'prediction', 'label', 'segment', 'categorical', 'features']);
  assert.deepEqual(validateSchemaOverride({ lable: 'y', features: 'x', prediction: 3 }), [
    "unknown key 'lable' (known: timestamp, id, score, probabilities, label, labelsFile, joinKey, attributions, features, categorical, prediction, segment)",
    "'features' must be a list of column names",
    "'prediction' must be a column name or a list of them",
  ]);
});

test('regression with time windows and a time-range reference: MAE per window, drift and an MAE alert', () => {
  const t0 = Date.UTC(2026, 0, 1);
  const lines = Array.from({ length: 3000 }, (_, i) => {
    const x = gauss() + (i >= 2000 ? 1.5 : 0);
    return JSON.stringify({ time: new Date(t0 + i * 60000).toISOString(), meta: { x, tier: i % 3 === 0 ? 'gold' : 'basic' }, y_pred: 2 * x + (i >= 2500 ? 1 : 0), target: 2 * x + gauss() * 0.1, region: i % 2 ? 'eu' : 'us' });
  });
  const r = analyze(lines, { reference: { kind: 'range', end: t0 + 1000 * 60000 }, windowMs: 4 * 3600_000 });
  assert.equal(r.schema!.task, 'regression');
  assert.deepEqual([r.reference.rows, r.reference.source], [1000, 'time range']);
  assert.deepEqual(r.windows.map((w) => w.rows), [200, 240, 240, 240, 240, 240, 240, 240, 120]);
  const perf = r.windows[0]!.performance!;
  assert.ok('mae' in perf && perf.mae < 0.1 && perf.rmse < 0.13);
  assert.deepEqual(r.alerts.map((a) => [a.kind, a.features]), [['data_drift', ['meta.x']], ['performance', []]]);
  assert.ok(r.alerts[0]!.index >= 2000 && r.alerts[0]!.index < 2100);
  assert.ok(r.alerts[1]!.index >= 2500 && r.alerts[1]!.index < 2600);
});

test('two models in one log: rows where they disagree are suspicious', () => {
  const lines = Array.from({ length: 1400 }, (_, i) => {
    const x = gauss();
    const p = x > 0 ? 1 : 0;
    const disagree = i >= 1000 && i % 50 === 0;
    return JSON.stringify({ id: i, x, prediction: p, prediction_b: disagree ? 1 - p : p, score: x > 0 ? 0.9 : 0.1, label: p });
  });
  const r = analyze(lines, {});
  assert.deepEqual(r.schema!.predictions, ['prediction', 'prediction_b']);
  const expected = Array.from({ length: 8 }, (_, k) => 1000 + 50 * k);
  assert.deepEqual(r.suspicious.filter((i) => i % 50 === 0), expected);
  assert.ok(r.suspiciousRows.find((s) => s.index === 1000)!.reasons.includes('models disagree'));
});

test('bad options throw with a message naming the option', () => {
  assert.throws(() => new PredictionMonitor({ window: 5 }), { message: 'window must be an integer >= 20 rows (got 5)' });
  assert.throws(() => new PredictionMonitor({ reference: { kind: 'rows', rows: 3 } }), { message: 'reference rows must be an integer >= 20 (got 3)' });
});

test('addLabel: a late label scores its row while the row is in the sliding window', () => {
  const m = new PredictionMonitor({ reference: { kind: 'rows', rows: 100 }, window: 40, labels: new Map() });
  for (let i = 0; i < 200; i++) {
    const x = gauss();
    m.push({ id: `r${i}`, x, prediction: x > 0 ? 1 : 0, score: x > 0 ? 0.8 : 0.2, ...(i < 100 ? { label: x > 0 ? 1 : 0 } : {}) });
  }
  assert.equal(m.addLabel('r190', 1), true);
  assert.equal(m.addLabel('r190', 0), false, 'already labelled');
  assert.equal(m.addLabel('r120', 1), false, 'no longer in the window');
  assert.equal(m.addLabel('nope', 1), false);
  for (let i = 200; i < 240; i++) m.push({ id: `r${i}`, x: 0.5, prediction: 1, score: 0.8 });
  assert.equal(m.addLabel('r120', 1), false);
  m.end();
  const windows = m.snapshot().windows;
  assert.deepEqual(windows.map((w) => [w.start, w.labelled]), [[100, 0], [140, 0], [180, 1], [220, 0]]);
});
