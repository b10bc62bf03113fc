import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PredictionMonitor } from '../../../src/core/predictions';

// A seeded regression log whose error grows with |load|: the model predicts y = 2 x + z well,
// but the noise sd is 0.5 + |load|. From row 3500 on, load's spread grows by half (the inputs the
// model reads do not move), so the realised MAE rises; DLE must follow it without labels.
function normal(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

function regressionLog(rows: number, shiftAt: number, labelled = (i: number) => i % 5 !== 4): string[] {
  let s = 2026;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    const x = normal(rnd);
    const z = normal(rnd);
    const load = normal(rnd) * (i >= shiftAt ? 1.5 : 1);
    const prediction = 2 * x + z + 0.01 * (i % 7);
    const y = 2 * x + z + (0.5 + Math.abs(load)) * normal(rnd);
    out.push(JSON.stringify({ id: `r${i}`, x: Number(x.toFixed(5)), z: Number(z.toFixed(5)), load: Number(load.toFixed(5)), prediction: Number(prediction.toFixed(5)), ...(labelled(i) ? { label: Number(y.toFixed(5)) } : {}) }));
  }
  return out;
}

test('DLE: MAE and RMSE estimated within 12% of realised on clean windows, and rising with a shift', () => {
  // 500-row windows: with this heavy-tailed error, a window's realised MAE still varies by about 5% (1 sd).
  const m = new PredictionMonitor({ window: 500 });
  const lines = regressionLog(6000, 3500);
  lines.forEach((l, i) => m.pushLine(l, i + 1));
  m.end();
  const r = m.snapshot();
  assert.equal(r.schema!.task, 'regression');
  assert.deepEqual(r.reference.estimation, { method: 'dle', referenceRows: 800, inputs: ['x', 'z', 'load', 'prediction'] });
  const clean = r.windows.filter((w) => w.end <= 3500);
  const shifted = r.windows.filter((w) => w.start >= 3500);
  assert.equal(clean.length, 5);
  let worst = 0;
  for (const w of clean) {
    const e = w.estimatedPerformance!;
    assert.equal(e.method, 'dle');
    assert.equal(e.rows, 500);
    assert.equal(e.labelled, 400);
    for (const k of e.metrics) {
      const rel = Math.abs(k.estimated! - k.realised!) / k.realised!;
      worst = Math.max(worst, rel);
      assert.ok(rel <= 0.12, `rows ${w.start}-${w.end} ${k.metric}: estimated ${k.estimated}, realised ${k.realised}`);
    }
  }
  assert.equal(Number(worst.toFixed(3)), 0.113);
  const mean = (ws: typeof clean, metric: string, field: 'estimated' | 'realised') => ws.reduce((s, w) => s + w.estimatedPerformance!.metrics.find((k) => k.metric === metric)![field]!, 0) / ws.length;
  // Over the clean phase as a whole the estimate is within 3% of the realised MAE.
  assert.ok(Math.abs(mean(clean, 'mae', 'estimated') / mean(clean, 'mae', 'realised') - 1) < 0.03);
  // After the shift the realised MAE is about 1.34x the clean one and the estimate rises 1.22x:
  // stumps cannot extrapolate past the largest |load| of the reference, so DLE (as NannyML's
  // LightGBM would) under-reads errors from inputs beyond the reference range.
  const ratioRealised = mean(shifted, 'mae', 'realised') / mean(clean, 'mae', 'realised');
  const ratioEstimated = mean(shifted, 'mae', 'estimated') / mean(clean, 'mae', 'estimated');
  assert.equal(Number(ratioRealised.toFixed(2)), 1.34);
  assert.equal(Number(ratioEstimated.toFixed(2)), 1.22);
});

test('no estimator without labelled reference rows, and no estimate block then', () => {
  const m = new PredictionMonitor();
  regressionLog(1400, 5000, () => false).forEach((l, i) => m.pushLine(l, i + 1));
  m.end();
  const r = m.snapshot();
  assert.equal(r.reference.estimation, undefined);
  assert.ok(r.windows.length > 0 && r.windows.every((w) => w.estimatedPerformance === undefined));
});
