// Issue 17, must show: embedding drift on the digits log's `input` vector (64 pixels), one verdict
// per vector column, detected in the drifted phase and not in the clean one. Every option is at its
// default (model-based: a domain classifier's ROC AUC against 0.55), then once more with MMD.
// The truth file is read only to score; the monitor never sees it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PredictionMonitor, type PredictionReport } from '../../../src/core/predictions';
import type { EmbeddingDriftOptions } from '../../../src/core/embedding';

const LOG = 'test/fixtures/predictions/digits_dev.jsonl';
const truth = JSON.parse(readFileSync('test/fixtures/predictions/digits_dev.truth.json', 'utf8')) as { phases: { from: number; to: number; kind: string }[] };
const clean = truth.phases.find((p) => p.kind === 'clean')!;
const ramp = truth.phases.find((p) => p.kind === 'covariate_gradual')!;

function analyze(embedding?: EmbeddingDriftOptions): PredictionReport {
  const m = new PredictionMonitor(embedding ? { embedding } : {});
  m.pushText(readFileSync(LOG, 'utf8'));
  m.end();
  return m.snapshot();
}

const byModel = analyze();
const byMmd = analyze({ method: 'mmd' });
const inputVerdicts = (r: PredictionReport) => r.windows.map((w) => ({ start: w.start, end: w.end, v: w.verdicts.find((v) => v.feature === 'input')! }));

test('the 64-pixel input is one feature with one verdict a window, never 64 component columns', () => {
  for (const r of [byModel, byMmd]) {
    assert.deepEqual(r.schema!.features.filter((f) => f.kind === 'vector'), [{ name: 'input', kind: 'vector', length: 64 }]);
    assert.equal(r.windows.length, 20);
    for (const w of r.windows) {
      assert.equal(w.verdicts.length, 5, `window ${w.start}: 4 engineered features and input`);
      assert.equal(w.verdicts.filter((v) => v.feature.startsWith('input')).length, 1);
      assert.equal(w.drift.filter((d) => d.feature.startsWith('input')).length, 1);
    }
    assert.equal(r.driftRanking.filter((d) => d.feature.startsWith('input')).length, 1);
  }
});

test('model-based (default): AUC at chance in the clean phase, past 0.55 in every window of the ramp', () => {
  const vs = inputVerdicts(byModel);
  for (const { v } of vs) assert.deepEqual([v.test, v.threshold, v.kind], ['embedding-model', 0.55, 'vector']);
  const cleanWindows = vs.filter((w) => w.end <= clean.to);
  assert.deepEqual(cleanWindows.map((w) => [w.start, w.v.statistic, w.v.drifted]), [
    [1000, 0.49355, false],
    [1200, 0.50174, false],
  ]);
  const rampWindows = vs.filter((w) => w.start >= ramp.from && w.end <= ramp.to);
  assert.equal(rampWindows.length, 7);
  assert.ok(rampWindows.every((w) => w.v.drifted && w.v.basis === 'test' && w.v.statistic > 0.98), JSON.stringify(rampWindows.map((w) => w.v.statistic)));
  // The window straddling the onset (rows 1400-1599, 100 of them drifted) already separates.
  assert.equal(vs.find((w) => w.start === 1400)!.v.statistic, 0.7145);
});

test('model-based: the drift alert opens 174 rows into the ramp and names input, none before', () => {
  const drift = byModel.alerts.filter((a) => a.kind === 'data_drift');
  assert.ok(drift.every((a) => a.index >= ramp.from));
  const a = drift[0]!;
  assert.deepEqual([a.index, a.line, a.ts], [1674, 1675, '2026-01-01T01:09:45Z']);
  assert.equal(
    a.message,
    'line 1675: data drift over the last 200 rows vs the reference: drift in features.std_intensity (shift -6.0 sd); later also features.mean_intensity, features.center_row, features.ink_fraction, input',
  );
  assert.deepEqual(a.features, ['features.std_intensity', 'features.mean_intensity', 'features.center_row', 'features.ink_fraction', 'input']);
});

test('model-based, one run a quarter window: input alone opens the alert 124 rows into the ramp', () => {
  const quick = analyze({ every: 50 });
  const a = quick.alerts.find((x) => x.kind === 'data_drift')!;
  assert.deepEqual([a.index, a.line], [1624, 1625]);
  assert.equal(
    a.message,
    'line 1625: data drift over the last 200 rows vs the reference: drift in input (domain classifier AUC 0.714 > 0.55); later also features.std_intensity, features.mean_intensity, features.center_row, features.ink_fraction',
  );
  assert.deepEqual(inputVerdicts(quick).filter((w) => w.end <= clean.to).map((w) => w.v.drifted), [false, false]);
});

test('MMD with a permutation test: p 3/101 in the first ramp window, then at its floor (1/101); no drift in the clean phase', () => {
  const vs = inputVerdicts(byMmd);
  for (const { v } of vs) assert.deepEqual([v.test, v.threshold], ['embedding-mmd', 0.05]);
  assert.ok(vs.filter((w) => w.end <= clean.to).every((w) => !w.v.drifted && w.v.pValue > 0.05));
  const rampWindows = vs.filter((w) => w.start >= ramp.from && w.end <= ramp.to);
  assert.deepEqual(rampWindows.map((w) => [w.start, w.v.drifted, w.v.pValue]), [1600, 1800, 2000, 2200, 2400, 2600, 2800].map((start) => [start, true, start === 1600 ? 3 / 101 : 1 / 101]));
  // MMD² grows with the noise: the ramp in one number.
  assert.deepEqual(rampWindows.map((w) => w.v.statistic), [0.00322, 0.01424, 0.02968, 0.0517, 0.06476, 0.08801, 0.11104]);
  assert.ok(byMmd.alerts.filter((a) => a.kind === 'data_drift').every((a) => a.index >= ramp.from));
});
