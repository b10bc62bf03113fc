// Evidently's embedding drift methods against numpy 2.4.6 / scipy 1.17.1 on rows of the digits log's
// `input` (64 pixels): reference rows 0-99 against rows 1000-1059 (clean) and 1900-1959 (noise ramp).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  buildEmbeddingReference,
  cosineDistance,
  embeddingDrift,
  euclideanDistance,
  meanVector,
  mmdPermutationTest,
  resolveEmbeddingOptions,
  validateEmbeddingOptions,
  describeEmbeddingDrift,
  type EmbeddingDriftOptions,
} from '../../../src/core/embedding';
import { seededRandom } from '../../../src/core/random';
import { squaredDistance } from '../../../src/core/embedding/reference';
import { medianInPlace } from '../../../src/core/embedding/mmd';

const rows = readFileSync('test/fixtures/predictions/digits_dev.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((l) => Float64Array.from((JSON.parse(l) as { input: number[] }).input));
const reference = rows.slice(0, 100);
const clean = rows.slice(1000, 1060);
const drifted = rows.slice(1900, 1960);
const ref = buildEmbeddingReference('input', reference, 500, 42);
const run = (current: Float64Array[], o: EmbeddingDriftOptions) => embeddingDrift(ref, current, resolveEmbeddingOptions(o));
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('distance between means: Euclidean and cosine equal scipy.spatial.distance on the mean vectors', () => {
  close(euclideanDistance(meanVector(reference, 64), meanVector(clean, 64)), 0.40321085433747383);
  close(cosineDistance(meanVector(reference, 64), meanVector(drifted, 64)), 0.008730860105875426, 1e-9);
  const e = run(drifted, { method: 'distance' });
  close(e.statistic, 0.5153427205726518);
  assert.deepEqual([e.threshold, e.direction, e.drifted, e.distance], [0.2, 'above', true, 'euclidean']);
  const c = run(clean, { method: 'distance', distance: 'cosine' });
  close(c.statistic, 0.007508066956193993, 1e-9);
  assert.equal(c.drifted, false);
});

test('share of drifted components: normalised Wasserstein > 0.1 on 51 and 64 of 64, KS p < 0.05 on 1 and 42, as scipy', () => {
  const w = run(clean, { method: 'ratio' });
  assert.deepEqual([w.driftedComponents, w.statistic, w.threshold, w.drifted], [51, 51 / 64, 0.2, true]);
  assert.equal(run(drifted, { method: 'ratio' }).driftedComponents, 64);
  const ks = run(clean, { method: 'ratio', componentTest: 'ks' });
  assert.deepEqual([ks.driftedComponents, ks.drifted], [1, false]);
  assert.deepEqual([run(drifted, { method: 'ratio', componentTest: 'ks' }).driftedComponents, run(drifted, { method: 'ratio', componentTest: 'ks' }).statistic], [42, 42 / 64]);
  assert.equal(describeEmbeddingDrift(ks), '1 of 64 components drifted (share 0.016 <= 0.2)');
});

test('MMD: the unbiased MMD² with the median-distance RBF kernel equals numpy, and the kernel width is the median cross distance', () => {
  const a = mmdPermutationTest(reference, clean, { permutations: 10, seed: 1 });
  close(a.sigma, 3.088537275151459);
  close(a.mmd2Unbiased, 0.0039734058918140525, 1e-10);
  const b = mmdPermutationTest(reference, drifted, { permutations: 10, seed: 1 });
  close(b.sigma, 2.9456956014913116);
  close(b.mmd2, 0.016673601217838008, 1e-10);
  // numpy's median of an even count is the mean of the two middle values.
  assert.equal(medianInPlace(Float64Array.from([4, 1, 3, 2])), 2.5);
  assert.equal(medianInPlace(Float64Array.from([5, 1, 3])), 3);
});

test('MMD permutation p-value: each shuffle scored from the kernel row sums equals MMD² recomputed from scratch on the shuffled rows', () => {
  const x = rows.slice(0, 40);
  const y = rows.slice(1900, 1925);
  const permutations = 30;
  const r = mmdPermutationTest(x, y, { permutations, seed: 7 });
  // The same shuffles, each scored by the textbook formula over the whole kernel.
  const all = [...x, ...y];
  const N = all.length;
  const gamma = 1 / (r.sigma * r.sigma);
  const k = (i: number, j: number) => Math.exp(-gamma * squaredDistance(all[i]!, all[j]!));
  const mmd2u = (xs: number[], ys: number[]) => {
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (const i of xs) for (const j of xs) if (i !== j) sxx += k(i, j);
    for (const i of ys) for (const j of ys) if (i !== j) syy += k(i, j);
    for (const i of xs) for (const j of ys) sxy += k(i, j);
    const m = xs.length;
    const n = ys.length;
    return sxx / (m * (m - 1)) + syy / (n * (n - 1)) - (2 * sxy) / (m * n);
  };
  const index = Array.from({ length: N }, (_, i) => i);
  const observed = mmd2u(index.slice(0, 40), index.slice(40));
  close(r.mmd2Unbiased, observed, 1e-9);
  const random = seededRandom(7);
  const order = Int32Array.from(index);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    // The smaller group (25 current rows) is drawn first, as the test draws it.
    for (let a = 0; a < 25; a++) {
      const j = a + Math.floor(random() * (N - a));
      [order[a], order[j]] = [order[j]!, order[a]!];
    }
    const ys = Array.from(order.subarray(0, 25));
    const set = new Set(ys);
    if (mmd2u(index.filter((i) => !set.has(i)), ys) >= observed) atLeast++;
  }
  assert.equal(r.pValue, (1 + atLeast) / (1 + permutations), 'the same shuffles scored from scratch');
  assert.equal(atLeast, 1);
});

test('MMD is seeded: the same seed repeats the p-value exactly; the clean rows are not drifted, the noisy ones are', () => {
  const a = run(clean, { method: 'mmd', permutations: 200, seed: 3 });
  const b = run(clean, { method: 'mmd', permutations: 200, seed: 3 });
  assert.deepEqual(a, b);
  assert.equal(a.drifted, false);
  assert.ok(a.pValue! > 0.05, `clean p ${a.pValue}`);
  const d = run(drifted, { method: 'mmd', permutations: 200, seed: 3 });
  assert.deepEqual([d.pValue, d.drifted, d.direction, d.threshold], [2 / 201, true, 'below', 0.05]);
});

test('model-based: the domain classifier AUC of clean rows stays at chance, of the noisy rows near 1', () => {
  const model = (current: Float64Array[]) => embeddingDrift(ref, current, resolveEmbeddingOptions({}), (r, c, seed) => {
    assert.equal(seed, 42);
    assert.equal(r.length, 100);
    return c[0] === drifted[0] ? 0.97 : 0.5;
  });
  assert.deepEqual([model(clean).drifted, model(drifted).drifted, model(drifted).statistic, model(drifted).threshold], [false, true, 0.97, 0.55]);
  assert.throws(() => embeddingDrift(ref, clean, resolveEmbeddingOptions({})), /the model method needs a domain classifier/);
});

test('bad options are named with the value given', () => {
  assert.deepEqual(validateEmbeddingOptions({ method: 'pca', permutations: 0, distance: 'manhattan', sigma: 1 }), [
    `'method' must be one of model, ratio, distance, mmd (got "pca")`,
    `'distance' must be one of euclidean, cosine (got "manhattan")`,
    `'permutations' must be an integer from 1 to 10000 (got 0)`,
    `unknown key 'sigma' (known: method, threshold, distance, componentTest, componentThreshold, permutations, maxReferenceRows, seed, every)`,
  ]);
  assert.throws(() => resolveEmbeddingOptions({ threshold: -1 }), /embedding drift: 'threshold' must be a number >= 0 \(got -1\)/);
  assert.deepEqual(resolveEmbeddingOptions({ method: 'mmd' }), { method: 'mmd', threshold: 0.05, distance: 'euclidean', componentTest: 'wasserstein', componentThreshold: 0.1, permutations: 100, maxReferenceRows: 500, seed: 42, every: undefined });
});

test('rows of another length than the reference are left out of the comparison', () => {
  const r = run([...clean, new Float64Array(3)], { method: 'distance' });
  assert.equal(r.rows, 60);
  close(r.statistic, 0.40321085433747383);
});
