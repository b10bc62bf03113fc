import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReconstructionModel, MIN_CHUNKS } from '../../../src/core/multivariate/reconstruction';

// Expected values from numpy 2 over the same rows: StandardScaler (population sd), eigenvectors of
// the covariance, sklearn's n_components=0.65 rule (searchsorted(cumsum, 0.65, 'right') + 1).
const X = [[1, 2.1, 0.3], [2, 3.9, -0.2], [3, 6.2, 0.5], [4, 8.1, 0.1], [5, 9.8, -0.4], [6, 12.3, 0.2], [7, 13.9, -0.1], [8, 16.2, 0.6]];
const numpyErrors = [0.875878714170586, 0.7453180912211929, 1.2894317999837794, 0.029331671778020468, 1.6474072721141058, 0.08353568857200988, 0.9283647319398901, 1.1065062912094423];

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs numpy ${b}`);

test('reconstruction error is NannyML\'s: standardise, PCA to 65% of the variance, Euclidean residual', () => {
  const m = ReconstructionModel.fit(X, ['radius', 'perimeter', 'noise']);
  assert.equal(m.components, 1);
  assert.ok(Math.abs(m.explainedVariance - 0.67527902) < 1e-8);
  m.referenceErrors.forEach((e, i) => close(e, numpyErrors[i]!, `row ${i}`));
  // A radius that no longer goes with its perimeter is far from the reference's structure.
  close(m.error([8, 2.1, 0.3]), 2.21459934708292, 'broken pairing');
  // A missing value takes the reference mean (NannyML's SimpleImputer(strategy='mean')).
  close(m.error([NaN, 2.1, 0.3]), 1.2790250926586144, 'missing radius');
  close(m.error([Infinity, 2.1, 0.3]), 1.2790250926586144, 'infinite radius');
});

test('the band: NannyML\'s reference chunks when there are enough, else the sampling error of a mean', () => {
  const rows = Array.from({ length: 400 }, (_, i) => [Math.sin(i), Math.sin(i) + 0.1 * Math.cos(7 * i), Math.cos(3 * i)]);
  const m = ReconstructionModel.fit(rows, ['a', 'b', 'c']);
  const wide = m.band(100, 3);
  assert.equal(wide.method, 'sampling-error');
  close(wide.upper, m.referenceMean + (3 * m.referenceSd) / 10, 'sampling band');
  const chunked = m.band(400 / MIN_CHUNKS, 3);
  assert.equal(chunked.method, 'reference-chunks');
  assert.equal(chunked.chunks, MIN_CHUNKS);
  const means = Array.from({ length: MIN_CHUNKS }, (_, c) => m.referenceErrors.slice(c * 40, c * 40 + 40).reduce((s, x) => s + x, 0) / 40);
  const mean = means.reduce((s, x) => s + x, 0) / MIN_CHUNKS;
  const sd = Math.sqrt(means.reduce((s, x) => s + (x - mean) ** 2, 0) / (MIN_CHUNKS - 1));
  close(chunked.lower, mean - 3 * sd, 'chunk band lower');
  close(chunked.upper, mean + 3 * sd, 'chunk band upper');
});

test('residuals put a broken pairing on the columns that broke', () => {
  const m = ReconstructionModel.fit(X, ['radius', 'perimeter', 'noise']);
  const r = m.residuals([8, 2.1, 0.3]);
  const total = r.reduce((s, x) => s + x, 0);
  close(total, 2.21459934708292 ** 2, 'residuals sum to the squared error');
  assert.ok(r[0]! > r[2]! && r[1]! > r[2]!);
});

test('bad input is refused with a message naming the parameter', () => {
  assert.throws(() => ReconstructionModel.fit(X, ['a', 'b', 'c'], { varianceShare: 1 }), /varianceShare must be in \(0, 1\), got 1/);
  assert.throws(() => ReconstructionModel.fit([[1], [2], [3]], ['a']), /at least 2 numeric columns, got 1/);
  assert.throws(() => ReconstructionModel.fit([[1, 2]], ['a', 'b']), /at least 3 reference rows, got 1/);
  assert.throws(() => ReconstructionModel.fit([[1, 2], [1, 2], [3]], ['a', 'b']), /reference row 2 has 1 values, expected 2/);
});
