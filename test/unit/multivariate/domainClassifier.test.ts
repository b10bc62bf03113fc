import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainClassifierAuc, fitLogistic, rocAuc } from '../../../src/core/multivariate';
import { seededRandom } from '../../../src/core/random';

/** Standard normal draws (Box-Muller) from a seeded generator. */
function normals(seed: number): () => number {
  const u = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

test('rocAuc is sklearn roc_auc_score, ties counting one half', () => {
  // sklearn's documented example.
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 0.75);
  assert.equal(rocAuc([0.5, 0.5], [false, true]), 0.5);
  assert.equal(rocAuc([1, 1, 2, 2], [false, true, false, true]), 0.5);
  // Positives 0.2 and 0.3 against negatives 0.1, 0.2, 0.4: (1 + 0.5 + 0) + (1 + 1 + 0) = 3.5 of 6.
  assert.equal(rocAuc([0.1, 0.2, 0.2, 0.3, 0.4], [false, false, true, true, false]), 3.5 / 6);
  assert.equal(rocAuc([3, 2, 1], [true, false, false]), 1);
  assert.equal(rocAuc([3, 2, 1], [false, true, true]), 0);
});

test('rocAuc refuses one class, NaN scores and mismatched lengths, naming the problem', () => {
  assert.throws(() => rocAuc([1, 2], [true, true]), /both classes/);
  assert.throws(() => rocAuc([1, NaN], [true, false]), /score 1 is NaN/);
  assert.throws(() => rocAuc([1, 2], [true]), /2 scores but 1 labels/);
});

test('fitLogistic reaches the optimum: with no terms the intercept is the log-odds; the gradient vanishes', () => {
  const b0 = fitLogistic(new Float64Array(0), Float64Array.from([1, 1, 1, 0]), 0, 1);
  assert.ok(Math.abs(b0[0]! - Math.log(3)) < 1e-12, `${b0[0]} vs log 3`);

  const g = normals(4);
  const n = 200;
  const p = 3;
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) x[j * n + i] = g();
    y[i] = g() + 1.5 * x[i]! - x[2 * n + i]! > 0 ? 1 : 0;
  }
  const l2 = 0.7;
  const beta = fitLogistic(x, y, p, l2);
  // Stationarity of sum(log loss) + l2/2 |w|^2: X'(prob - y) + l2 w = 0 and sum(prob - y) = 0.
  const grad = new Float64Array(p + 1);
  for (let i = 0; i < n; i++) {
    let e = beta[p]!;
    for (let j = 0; j < p; j++) e += beta[j]! * x[j * n + i]!;
    const r = 1 / (1 + Math.exp(-e)) - y[i]!;
    for (let j = 0; j < p; j++) grad[j]! += r * x[j * n + i]!;
    grad[p]! += r;
  }
  for (let j = 0; j < p; j++) grad[j]! += l2 * beta[j]!;
  for (const v of grad) assert.ok(Math.abs(v) < 1e-9, `gradient ${Array.from(grad)}`);
  assert.ok(beta[0]! > 0.5 && beta[2]! < -0.3, `signs follow the generating model: ${Array.from(beta)}`);
});

/** Rows of `d` columns: columns 0-2 share one factor (r about 0.98), the rest independent. */
function correlatedRows(n: number, d: number, seed: number): number[][] {
  const g = normals(seed);
  return Array.from({ length: n }, () => {
    const f = g();
    return Array.from({ length: d }, (_, j) => (j < 3 ? 10 * j + f + 0.15 * g() : g()));
  });
}

const names = ['radius', 'perimeter', 'area', 'texture', 'smoothness', 'symmetry'];

test('same distribution: AUC near 0.5; the same seed gives the same result bit for bit', () => {
  const ref = correlatedRows(600, 6, 1);
  const cur = correlatedRows(300, 6, 2);
  const a = domainClassifierAuc(ref, cur, { featureNames: names, seed: 7 });
  const b = domainClassifierAuc(ref, cur, { featureNames: names, seed: 7 });
  assert.deepEqual(a, b);
  assert.ok(Math.abs(a.auc - 0.5) < 0.06, `auc ${a.auc}`);
  assert.equal(a.foldAucs.length, 5);
  assert.deepEqual(a.rows, { reference: 600, current: 300 });
  // The three correlated pairs (r about 0.98) get product terms; independent columns do not.
  assert.deepEqual(a.interactions.map((p) => p.join('*')).sort(), ['area*perimeter', 'perimeter*radius', 'radius*area'].map((s) => s.split('*').sort((x, y) => names.indexOf(x) - names.indexOf(y)).join('*')).sort());
});

test('a mean shift in one column: high AUC, that column first', () => {
  const ref = correlatedRows(600, 6, 3);
  const cur = correlatedRows(300, 6, 4).map((r) => r.map((v, j) => (j === 4 ? v + 1 : v)));
  const r = domainClassifierAuc(ref, cur, { featureNames: names });
  assert.ok(r.auc > 0.7, `auc ${r.auc}`);
  assert.equal(r.importances[0]!.feature, 'smoothness');
  assert.ok(r.importances[0]!.importance > 5 * Math.abs(r.importances[1]!.importance));
  // Without the ranking (embedding drift reads the AUC alone) the fits and the AUC are the same.
  const bare = domainClassifierAuc(ref, cur, { featureNames: names, importances: false });
  assert.deepEqual([bare.auc, bare.foldAucs, bare.importances], [r.auc, r.foldAucs, []]);
});

test('a broken pairing with every column distribution kept: detected, the permuted column first', () => {
  const ref = correlatedRows(600, 6, 5);
  const cur = correlatedRows(300, 6, 6);
  // Permute the radius values among the window's rows: its marginal is exactly as before.
  const order = cur.map((_, i) => i).sort((a, b) => ((a * 7919) % 301) - ((b * 7919) % 301));
  const radius = order.map((i) => cur[i]![0]!);
  cur.forEach((r, i) => (r[0] = radius[i]!));
  const linear = domainClassifierAuc(ref, cur, { featureNames: names, interactions: 0 });
  const r = domainClassifierAuc(ref, cur, { featureNames: names });
  assert.ok(linear.auc < 0.6, `a linear score cannot see it: ${linear.auc}`);
  assert.ok(r.auc > 0.75, `auc ${r.auc}`);
  assert.equal(r.importances[0]!.feature, 'radius');
});

test('missing values and constant columns neither fail nor separate', () => {
  const ref = correlatedRows(200, 6, 8).map((r, i) => (i % 10 === 0 ? [NaN, ...r.slice(1, 5), 1] : [...r.slice(0, 5), 1]));
  const cur = correlatedRows(100, 6, 9).map((r, i) => (i % 10 === 0 ? [NaN, ...r.slice(1, 5), 1] : [...r.slice(0, 5), 1]));
  const r = domainClassifierAuc(ref, cur, { featureNames: names });
  assert.ok(Number.isFinite(r.auc) && Math.abs(r.auc - 0.5) < 0.1, `auc ${r.auc}`);
  assert.equal(r.importances.find((x) => x.feature === 'symmetry')!.importance, 0);
});

test('subsamples each side to maxRowsPerSide, deterministically', () => {
  const r = domainClassifierAuc(correlatedRows(500, 6, 10), correlatedRows(400, 6, 11), { maxRowsPerSide: 100 });
  assert.deepEqual(r.rows, { reference: 100, current: 100 });
  assert.equal(r.importances[0]!.feature.startsWith('f'), true);
});

test('bad parameters and ragged rows are refused with a message naming them', () => {
  const ok = correlatedRows(20, 3, 1);
  assert.throws(() => domainClassifierAuc(ok, ok, { folds: 1 }), /folds must be an integer >= 2, got 1/);
  assert.throws(() => domainClassifierAuc(ok, ok.slice(0, 3)), /current has 3 rows; 5 folds need at least 5/);
  assert.throws(() => domainClassifierAuc(ok, [...ok.slice(0, 5), [1, 2]]), /current row 5 has 2 values, expected 3/);
  assert.throws(() => domainClassifierAuc(ok, ok, { featureNames: ['a'] }), /featureNames has 1 names for 3 columns/);
  assert.throws(() => domainClassifierAuc(ok, ok, { l2: 0 }), /l2 must be a positive number/);
  assert.throws(() => domainClassifierAuc(ok, ok, { minCorrelation: 2 }), /minCorrelation must be in \[0, 1\]/);
});

test('fitLogistic sums its Newton steps in WebAssembly bit for bit as in JavaScript: every term count around the four-column blocks, rows from 1 to 700', () => {
  const g = normals(11);
  let compared = 0;
  for (const [n, p] of [[1, 1], [7, 2], [40, 3], [40, 4], [61, 5], [200, 9], [333, 30], [700, 62], [120, 0]] as const) {
    const x = new Float64Array(n * p);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = g();
      for (let j = 0; j < p; j++) {
        x[j * n + i] = j % 7 === 3 ? 0 : g() * (1 + j);
        s += (j % 3 === 0 ? 0.4 : -0.2) * x[j * n + i]!;
      }
      y[i] = s > 0 ? 1 : 0;
    }
    const start = p % 2 ? Float64Array.from({ length: p + 1 }, (_, j) => 0.01 * j) : undefined;
    const inWasm = fitLogistic(x, y, p, 0.5, 50, start);
    const inJs = fitLogistic(x, y, p, 0.5, 50, start, { wasm: false });
    assert.deepEqual(inWasm, inJs, `n ${n}, p ${p}`);
    compared++;
  }
  assert.equal(compared, 9);
});

test('rocAuc by a merge of the two sorted classes equals the mid-rank sum bit for bit: ties, -0 and 0, infinities', () => {
  // The mid-rank definition, as rocAuc computed it before.
  const byRanks = (scores: number[], positive: boolean[]): number => {
    const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]! || 0);
    let rankSum = 0;
    const nPos = positive.filter(Boolean).length;
    for (let i = 0; i < order.length; ) {
      let j = i + 1;
      while (j < order.length && scores[order[j]!] === scores[order[i]!]) j++;
      for (let k = i; k < j; k++) if (positive[order[k]!]) rankSum += (i + 1 + j) / 2;
      i = j;
    }
    return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * (order.length - nPos));
  };
  const u = seededRandom(21);
  let compared = 0;
  for (let trial = 0; trial < 300; trial++) {
    const n = 2 + Math.floor(u() * 400);
    const pool = [0, -0, Infinity, -Infinity, 0.5, 1e-300];
    const scores = Array.from({ length: n }, () => (u() < 0.2 ? pool[Math.floor(u() * pool.length)]! : u() < 0.5 ? Math.round(u() * 8) / 4 : u() * 2 - 1));
    const positive = scores.map(() => u() < 0.3);
    if (!positive.some(Boolean) || positive.every(Boolean)) continue;
    assert.equal(rocAuc(scores, positive), byRanks(scores, positive), `trial ${trial}`);
    compared++;
  }
  assert.ok(compared > 250);
});
