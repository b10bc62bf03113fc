import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classificationMetrics,
  confidenceAndMargin,
  entropy,
  expectedCalibrationError,
  logLoss,
  regressionMetrics,
  rocAuc,
} from '../../../src/core/predictions';
import { chiSquareHomogeneity, normalCdf, normalQuantile, symmetricEigen } from '../../../src/core/predictions/numeric';
import { ksStatistic, numericColumnTest } from '../../../src/core/predictions/columnTest';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

test('per-class and macro precision/recall/F1 match sklearn', () => {
  // sklearn.metrics.precision_recall_fscore_support(y, p): precision [0.5, 1, 0.5], recall [1, 0.5, 0.5]
  const m = classificationMetrics(['0', '1', '2', '2', '1', '0'], ['0', '0', '2', '1', '1', '0']);
  close(m.accuracy, 4 / 6);
  assert.deepEqual(m.perClass['0'], { precision: 2 / 3, recall: 1, f1: 0.8, support: 2 });
  close(m.perClass['1']!.f1, 0.5);
  close(m.macroF1, (0.8 + 0.5 + 2 / 3) / 3);
});

test('ROC AUC counts ties as half (sklearn roc_auc_score)', () => {
  close(rocAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8]), 0.75);
  close(rocAuc([false, true, false, true], [0.5, 0.5, 0.2, 0.9]), 0.875);
  assert.ok(Number.isNaN(rocAuc([true, true], [0.1, 0.2])));
});

test('log loss, ECE, entropy, margin', () => {
  close(logLoss([0.9, 0.6, 0.2]), -(Math.log(0.9) + Math.log(0.6) + Math.log(0.2)) / 3);
  // bins: 0.95 and 0.9 in (0.8, 0.9]/(0.9, 1.0]; 0.55 in (0.5, 0.6]
  close(expectedCalibrationError([0.95, 0.9, 0.55], [true, false, true]), (0.05 + 0.9 + 0.45) / 3);
  close(entropy([0.5, 0.5]), Math.LN2);
  assert.deepEqual(confidenceAndMargin([0.1, 0.6, 0.3]), { confidence: 0.6, margin: 0.3, argmax: 1 });
  assert.deepEqual(regressionMetrics([1, 2, 3], [2, 2, 5]), { labelled: 3, mae: 1, rmse: Math.sqrt(5 / 3) });
});

test('chi-squared homogeneity matches scipy.stats.chi2_contingency', () => {
  const r = chiSquareHomogeneity([10, 20, 30], [15, 15, 40]);
  close(r.statistic, 2.3877551020408165);
  close(r.pValue, 0.30304391468510006, 1e-9);
  assert.equal(r.dof, 2);
  // 2 x 2 uses Yates' correction, as scipy does by default.
  const y = chiSquareHomogeneity([10, 20], [15, 15]);
  close(y.statistic, 1.0971428571428572);
  close(y.pValue, 0.2948939838180841, 1e-9);
  assert.deepEqual(chiSquareHomogeneity([5, 0], [7, 0]), { statistic: 0, pValue: 1, dof: 0 });
});

test('normal quantile and CDF match scipy.stats.norm', () => {
  close(normalQuantile(0.975), 1.959963984540054, 1e-8);
  close(normalQuantile(0.001), -3.090232306167813, 1e-8);
  close(normalCdf(1.3), 0.9031995154143897, 2e-7);
});

test('symmetric eigenvalues match numpy.linalg.eigh', () => {
  const { values, vectors } = symmetricEigen([Float64Array.of(4, 1, 0.5), Float64Array.of(1, 3, 0.2), Float64Array.of(0.5, 0.2, 2)]);
  close(values[0]!, 4.72157008, 1e-8);
  close(values[1]!, 2.39834302, 1e-8);
  close(values[2]!, 1.8800869, 1e-8);
  // A v = lambda v for the first vector.
  const v = vectors[0]!;
  const av = [4 * v[0]! + v[1]! + 0.5 * v[2]!, v[0]! + 3 * v[1]! + 0.2 * v[2]!, 0.5 * v[0]! + 0.2 * v[1]! + 2 * v[2]!];
  av.forEach((x, i) => close(x, values[0]! * v[i]!, 1e-8));
});

test('window KS: scipy exact p for small samples, the Stephens-corrected limit past 1e4 cells', () => {
  const ramp = (n: number, from: number, step: number) => Float64Array.from({ length: n }, (_, i) => from + i * step);
  // scipy.stats.ks_2samp(np.arange(1000)/1000, 0.1 + np.arange(200)/250, method='asymp')
  const big = numericColumnTest(ramp(1000, 0, 1 / 1000), ramp(200, 0.1, 1 / 250), 1000);
  close(big.statistic, 0.103, 1e-9);
  // within 1% of scipy's method='asymp' (0.053784136303370644) and of its exact p
  assert.ok(Math.abs(big.pValue! / 0.053784136303370644 - 1) < 0.01, `p = ${big.pValue}`);
  assert.equal(big.drifted, false);
  // scipy.stats.ks_2samp(np.arange(100)/100, 0.15 + np.arange(50)/60) (exact)
  const small = numericColumnTest(ramp(100, 0, 1 / 100), ramp(50, 0.15, 1 / 60), 100);
  close(small.statistic, 0.15, 1e-9);
  close(small.pValue!, 0.42979529586943005, 1e-6);
  assert.equal(ksStatistic(Float64Array.of(1, 2, 3), Float64Array.of(2, 3, 4, 5)), 0.5);
});

test('normalScore equals the brute-force mid-rank normal score, ties and edges included', async () => {
  const { buildReferenceProfile, normalScore } = await import('../../../src/core/predictions/profile');
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  const values = Array.from({ length: 500 }, () => Math.round(rand() * 40) / 4);
  const rows = values.map((v, i) => ({ index: i, line: i + 1, numeric: Float64Array.of(v), categorical: [], vectors: [], altPredictions: [], segments: [] }));
  const profile = buildReferenceProfile(rows, { numericNames: ['x'], categoricalNames: [], vectorNames: [], segments: 0, regression: false }).numeric[0]!;
  for (const x of [-1, 0, 0.25, 3.3, 5, 7.75, 9.999, 10, 11, ...values.slice(0, 50)]) {
    const below = values.filter((v) => v < x).length;
    const equal = values.filter((v) => v === x).length;
    assert.equal(normalScore(profile, x), normalQuantile((below + equal / 2 + 0.5) / 501), `x = ${x}`);
  }
});

test('KS from packed reference ranks equals KS on the raw values', async () => {
  const { buildReferenceProfile, packedRank, ksFromRanks, ksFromUnsortedRanks, rankScratchLength } = await import('../../../src/core/predictions/profile');
  let seed = 11;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  const ref = Array.from({ length: 400 }, () => Math.round(rand() * 60) / 6);
  const rows = ref.map((v, i) => ({ index: i, line: i + 1, numeric: Float64Array.of(v), categorical: [], vectors: [], altPredictions: [], segments: [] }));
  const profile = buildReferenceProfile(rows, { numericNames: ['x'], categoricalNames: [], vectorNames: [], segments: 0, regression: false }).numeric[0]!;
  for (const shift of [0, 0.4, 1.5, -3, 20]) {
    const cur = Array.from({ length: 150 }, () => Math.round((rand() * 60) / 6 * 10) / 10 + shift);
    const ranks = Int32Array.from(cur.map((x) => packedRank(profile, x))).sort();
    const raw = ksStatistic(Float64Array.from(ref).sort(), Float64Array.from(cur).sort());
    close(ksFromRanks(400, ranks), raw, 1e-12);
    // Counting unsorted ranks gives the very same number and leaves its scratch zeroed.
    const scratch = new Int32Array(rankScratchLength(400));
    const unsorted = Int32Array.from(cur.map((x) => packedRank(profile, x)));
    assert.equal(ksFromUnsortedRanks(400, unsorted, unsorted.length, scratch), ksFromRanks(400, ranks));
    assert.ok(scratch.every((c) => c === 0));
  }
});

test('sortAscending sorts like Float64Array.prototype.sort, ties and ranges included', async () => {
  const { sortAscending } = await import('../../../src/core/predictions/numeric');
  let seed = 3;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  for (const n of [0, 1, 2, 23, 24, 25, 70, 200, 1000]) {
    const a = Float64Array.from({ length: n }, () => Math.round(rand() * 30) - 15 + (rand() < 0.5 ? rand() : 0));
    assert.deepEqual(sortAscending(a.slice()), a.slice().sort());
    const part = a.slice();
    sortAscending(part, 1, Math.max(1, n - 1));
    const expected = a.slice();
    if (n > 2) expected.subarray(1, n - 1).sort();
    assert.deepEqual(part, expected);
  }
});

test('ROC AUC equals the pairwise definition, ties counted half', () => {
  let seed = 5;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  for (let trial = 0; trial < 20; trial++) {
    const scores = Array.from({ length: 60 }, () => Math.round(rand() * 20) / 20);
    const positive = scores.map((s) => rand() < 0.3 + 0.4 * s);
    let wins = 0;
    let pairs = 0;
    scores.forEach((a, i) => scores.forEach((b, j) => {
      if (!positive[i] || positive[j]) return;
      pairs++;
      wins += a > b ? 1 : a === b ? 0.5 : 0;
    }));
    close(rocAuc(positive, scores), wins / pairs, 1e-12);
  }
});

test('the fast two-sided normal p-value keeps 1e-6 relative accuracy into the far tail', async () => {
  const { normalTwoSidedP } = await import('../../../src/core/predictions/numeric');
  // scipy: 2 * norm.sf(z)
  const cases: [number, number][] = [[0, 1], [1.959963984540054, 0.05], [3, 0.0026997960632601866], [6, 1.9731752900753052e-09], [10, 1.523970604832105e-23]];
  for (const [z, p] of cases) assert.ok(Math.abs(normalTwoSidedP(z) / p - 1) < 1e-6, `z=${z}: ${normalTwoSidedP(z)} vs ${p}`);
});
