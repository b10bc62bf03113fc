import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binIndexEdges, calibrate, checkCalibration, expectedCalibrationErrorByCount, fitIsotonic } from '../../../src/core/estimation/calibration';
import { calibratedScores, estimateCbpe, estimateF1, estimatePrecision, estimateRecall, estimateRocAuc, fitCbpe, realisedCbpe, type CbpeModel } from '../../../src/core/estimation/cbpe';
import { estimateDle, fitBoostedStumps, fitDle, predictBoosted } from '../../../src/core/estimation/dle';

// Small cases computed by hand from NannyML's definitions (performance_estimation/confidence_based/metrics.py,
// calibration.py) and scikit-learn's IsotonicRegression.
const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test('CBPE binary precision, recall and F1 from the expected confusion matrix', () => {
  const predicted = [true, true, false, false];
  const p = [0.9, 0.6, 0.3, 0.1];
  // TP = 0.9 + 0.6, FP = 0.1 + 0.4, FN = 0.3 + 0.1
  close(estimatePrecision(predicted, p), 1.5 / 2);
  close(estimateRecall(predicted, p), 1.5 / 1.9);
  close(estimateF1(predicted, p), 1.5 / (1.5 + 0.5 * (0.5 + 0.4)));
  assert.ok(Number.isNaN(estimatePrecision([false, false], [0.2, 0.3])), 'no predicted positive: 0/0 as NannyML');
});

test('CBPE ROC AUC: cumulative calibrated probabilities in descending raw-score order, trapezoids', () => {
  // Sorted: cal 0.9, 0.6, 0.3 -> tps 0, .9, 1.5, 1.8; fps 0, .1, .5, 1.2
  // tpr 0, 1/2, 5/6, 1; fpr 0, 1/12, 5/12, 1 -> 1/48 + 2/9 + 77/144 = 7/9
  close(estimateRocAuc([0.3, 0.9, 0.6], [0.2, 0.8, 0.5]), 7 / 9);
  // The raw score orders the rows, not the calibrated one.
  // Raw order 0.3 (cal .2), 0.2 (cal .9): tps 0,.2,1.1; fps 0,.8,.9 -> tpr 0,2/11,1; fpr 0,8/9,1
  close(estimateRocAuc([0.9, 0.2], [0.2, 0.3]), (8 / 9) * (2 / 11) / 2 + (1 / 9) * (2 / 11 + 1) / 2);
  // Counts are rounded to 5 decimals before normalising (np.round): 1e-6 of a positive vanishes.
  close(estimateRocAuc([0.000001, 0.5], [0.9, 0.1]), estimateRocAuc([0, 0.5], [0.9, 0.1]));
  assert.ok(Number.isNaN(estimateRocAuc([0, 0], [0.4, 0.6])), 'no expected positive');
});

test('CBPE multiclass: one-vs-rest per class on renormalised probabilities, unweighted mean', () => {
  const model: CbpeModel = { kind: 'multiclass', classes: ['0', '1', '2'], calibrators: [undefined, undefined, undefined], checks: [], referenceRows: 0 };
  const rows = [
    { scores: [0.7, 0.2, 0.1], predicted: 0, label: 0 },
    { scores: [0.1, 0.8, 0.1], predicted: 1, label: 1 },
    { scores: [0.2, 0.2, 0.6], predicted: 2, label: 1 },
    { scores: [0.5, 0.4, 0.1], predicted: 0, label: 2 },
  ];
  const e = estimateCbpe(model, rows);
  // class 0: TP 1.2 FP 0.8 FN 0.3; class 1: TP .8 FP .2 FN .8; class 2: TP .6 FP .4 FN .3
  close(e.precision, (1.2 / 2 + 0.8 / 1 + 0.6 / 1) / 3);
  close(e.recall, (1.2 / 1.5 + 0.8 / 1.6 + 0.6 / 0.9) / 3);
  close(e.f1, (1.2 / (1.2 + 0.55) + 0.8 / (0.8 + 0.5) + 0.6 / (0.6 + 0.35)) / 3);
  // class 0, raw desc .7 .5 .2 .1: tpr 0 7/15 12/15 14/15 1, fpr 0 .12 .32 .64 1 -> 0.78
  close(estimateRocAuc(rows.map((r) => r.scores[0]!), rows.map((r) => r.scores[0]!)), 0.78, 1e-12);
  const perClass = [0, 1, 2].map((c) => estimateRocAuc(rows.map((r) => r.scores[c]!), rows.map((r) => r.scores[c]!)));
  close(e.rocAuc, (perClass[0]! + perClass[1]! + perClass[2]!) / 3);
  // Calibrated rows are renormalised to sum to 1; all zeros become uniform.
  assert.deepEqual([...calibratedScores(model, { scores: [0.2, 0.2, 0.4], predicted: 2 })], [0.25, 0.25, 0.5]);
  assert.deepEqual([...calibratedScores(model, { scores: [0, 0, 0], predicted: 2 })], [1 / 3, 1 / 3, 1 / 3]);
  // Realised, NannyML's way: macro over every class of the model (sklearn, zero division 0).
  const r = realisedCbpe(model, rows);
  // class 0: tp 1 of 2 predicted, 1 actual; class 1: tp 1 of 1 predicted, 2 actual; class 2: 0 of 1, 1 actual
  close(r.precision, (1 / 2 + 1 + 0) / 3);
  close(r.recall, (1 + 1 / 2 + 0) / 3);
  close(r.f1, ((2 * 1) / 3 + (2 * 1) / 3 + 0) / 3);
});

test('realised binary metrics are the positive class, NaN with one class as NannyML', () => {
  const model: CbpeModel = { kind: 'binary', classes: ['0', '1'], calibrators: [undefined], checks: [], referenceRows: 0 };
  const rows = [
    { scores: [0.9], predicted: 1, label: 1 },
    { scores: [0.7], predicted: 1, label: 0 },
    { scores: [0.4], predicted: 0, label: 1 },
    { scores: [0.1], predicted: 0, label: 0 },
  ];
  const r = realisedCbpe(model, rows);
  close(r.precision, 0.5);
  close(r.recall, 0.5);
  close(r.f1, 0.5);
  close(r.rocAuc, 0.75);
  const one = realisedCbpe(model, rows.map((x) => ({ ...x, label: 1 })));
  assert.ok(Number.isNaN(one.precision) && Number.isNaN(one.rocAuc));
});

test('isotonic regression as scikit-learn: ties merged, violators pooled, linear between knots, clipped', () => {
  const c = fitIsotonic([1, 2, 3, 4], [1, 0, 1, 1]);
  assert.deepEqual([...c.x], [1, 2, 3, 4]);
  assert.deepEqual([...c.y], [0.5, 0.5, 1, 1]);
  close(calibrate(c, 2.5), 0.75);
  close(calibrate(c, 0), 0.5);
  close(calibrate(c, 9), 1);
  const t = fitIsotonic([1, 1, 2], [0, 1, 0]);
  assert.deepEqual([...t.x], [1, 2]);
  close(t.y[0]!, 1 / 3);
  close(t.y[1]!, 1 / 3);
  assert.throws(() => fitIsotonic([1, 2], [1]), /x has 2 values but y has 1/);
  assert.throws(() => fitIsotonic([1, NaN], [1, 0]), /point 1 is not finite/);
});

test('calibration check: NannyML bins and ECE, skips one-class and separable references', () => {
  assert.deepEqual(binIndexEdges(20, 4), [[0, 5], [5, 10], [10, 15], [15, 20]]);
  // 23 rows in 10 bins of 2: NannyML's range(0, 24, 2) with the last edge moved to 23 makes 11 bins.
  const e = binIndexEdges(23, 10);
  assert.equal(e.length, 11);
  assert.deepEqual(e[10], [20, 23]);
  assert.deepEqual(binIndexEdges(6, 10), [[0, 2], [2, 4], [4, 6]]);
  assert.throws(() => binIndexEdges(3, 10), /cannot split 3 values/);
  close(expectedCalibrationErrorByCount([0, 1, 1, 1], [0.1, 0.4, 0.6, 0.9], [[0, 2], [2, 4]]), 0.25);
  assert.equal(checkCalibration([1, 1, 1], [0.2, 0.5, 0.9]).skipped, 'single_class');
  assert.equal(checkCalibration([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]).skipped, 'separable');
});

test('calibration check recalibrates an overconfident score and keeps a calibrated one', () => {
  let s = 7;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const n = 2000;
  const truth: number[] = [];
  const calibrated: number[] = [];
  const overconfident: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = 0.05 + 0.9 * rnd();
    truth.push(rnd() < p ? 1 : 0);
    calibrated.push(p);
    // Pushed towards 0 and 1: says 0.95 where the rate is 0.8.
    overconfident.push(1 / (1 + Math.exp(-3 * Math.log(p / (1 - p)))));
  }
  const a = checkCalibration(truth, overconfident);
  assert.equal(a.recalibrated, true);
  assert.ok(a.eceBefore > 0.08 && a.eceAfter < 0.04, `${a.eceBefore} ${a.eceAfter}`);
  const b = checkCalibration(truth, calibrated);
  assert.ok(b.eceBefore < 0.04, `${b.eceBefore}`);
  // CBPE fitted on the overconfident score estimates from the recalibrated one.
  const model = fitCbpe({ kind: 'binary', classes: ['0', '1'] }, overconfident.map((p, i) => ({ scores: [p], predicted: p >= 0.5 ? 1 : 0, label: truth[i]! })));
  assert.equal(model.checks[0]!.recalibrated, true);
  const rows = overconfident.map((p, i) => ({ scores: [p], predicted: p >= 0.5 ? 1 : 0, label: truth[i]! }));
  const est = estimateCbpe(model, rows);
  const real = realisedCbpe(model, rows);
  assert.ok(Math.abs(est.precision - real.precision) < 0.02 && Math.abs(est.recall - real.recall) < 0.02, `${JSON.stringify(est)} ${JSON.stringify(real)}`);
});

test('DLE error model: a stump splits where the squared error falls most', () => {
  const m = fitBoostedStumps([[0], [1], [2], [3]], [0, 0, 1, 1], { rounds: 1, learningRate: 1, minLeaf: 1 });
  assert.equal(m.base, 0.5);
  assert.deepEqual(m.stumps, [{ input: 0, threshold: 1, left: -0.5, right: 0.5, missing: -0.5 }]);
  assert.equal(predictBoosted(m, [0.5]), 0);
  assert.equal(predictBoosted(m, [2.5]), 1);
  assert.throws(() => fitBoostedStumps([[0]], [1], { learningRate: 0 }), /learningRate must be in \(0, 1\]/);
  assert.throws(() => fitBoostedStumps([], []), /at least one labelled reference row/);
  // Estimates: mean predicted |error| and root mean predicted error^2, each row clipped at 0.
  const d = fitDle([[0], [1], [2], [3]], [0, 0, 0, 0], [0, 0, 2, 2], { rounds: 1, learningRate: 1, minLeaf: 1 });
  const est = estimateDle(d, [[0], [3], [3]]);
  close(est.mae, (0 + 2 + 2) / 3);
  close(est.rmse, Math.sqrt((0 + 4 + 4) / 3));
});

test("sampling error: NannyML's reference spreads scaled to the window", async () => {
  const se = await import('../../../src/core/estimation/samplingError');
  // Ranked 0.1(0) 0.2(1) 0.3(0) 0.4(1) 0.5(0): negatives below each positive 1 and 2, over 3 negatives.
  const auc = se.rocAucComponent([0, 1, 0, 1, 0], [0.1, 0.2, 0.3, 0.4, 0.5]);
  close(auc.spread, 1 / 6);
  close(auc.fraction, 2 / 5);
  close(se.binarySamplingError(auc, 10), 1 / 6 / Math.sqrt(10 * 0.4));
  // Majority positive: labels and scores flip, so the minority class is ranked.
  const flipped = se.rocAucComponent([1, 0, 1, 0, 1], [0.9, 0.8, 0.7, 0.6, 0.5]);
  close(flipped.spread, 1 / 6);
  // A positive ranked first is dropped with the negatives' zeros (np.unique(...)[1:]).
  assert.deepEqual(se.rocAucComponent([1, 0, 1, 0], [0.1, 0.2, 0.3, 0.4]), { spread: 0, fraction: 0.5 });
  const yTrue = [1, 1, 0, 0, 1];
  const yPred = [1, 1, 1, 0, 0];
  close(se.precisionComponent(yTrue, yPred).spread, Math.sqrt(2 / 9));
  close(se.precisionComponent(yTrue, yPred).fraction, 3 / 5);
  close(se.recallComponent(yTrue, yPred).fraction, 3 / 5);
  // Binary F1 scales TP rows by n / (TP + (FN + FP) / 2) = 4/3: values 4/3, 4/3, 0, 0.
  close(se.f1Component(yTrue, yPred).spread, 2 / 3);
  close(se.f1Component(yTrue, yPred).fraction, 4 / 5);
  close(se.f1Component(yTrue, yPred, true).spread, 0.25);
  close(se.multiclassSamplingError([{ spread: 0.25, fraction: 0.5 }, { spread: 0.16, fraction: 0.4 }], 100), Math.sqrt(0.009) / 2);
  close(se.multiclassSamplingError([{ spread: 0.25, fraction: 0.5 }, { spread: 0.16, fraction: 0.4 }], 100, true), (Math.sqrt(0.009) / 2) * 1.2);
  const reg = se.regressionComponents([1, -1, 3]);
  close(reg.mae, Math.sqrt(8 / 9));
  close(se.maeSamplingError(reg, 4), Math.sqrt(8 / 9) / 2);
  close(se.rmseSamplingError(reg, 4), Math.sqrt(384 / 27 / (4 * 4 * (11 / 3))));
});
