import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseDriftTest, ks2samp, normalizedWasserstein, runDriftTest } from '../../../src/core/stats';
import { lcgSample } from './lcg';

test("chooseDriftTest follows Evidently's default table", () => {
  const pick = (kind: 'numeric' | 'categorical', referenceSize: number, uniqueValues: number) =>
    chooseDriftTest({ kind, referenceSize, uniqueValues });
  assert.deepEqual(pick('numeric', 1000, 6), { test: 'ks', threshold: 0.05, direction: 'p_value_below', categorical: false });
  assert.deepEqual(pick('numeric', 1000, 5), { test: 'chisquare', threshold: 0.05, direction: 'p_value_below', categorical: true });
  assert.deepEqual(pick('categorical', 500, 3), { test: 'chisquare', threshold: 0.05, direction: 'p_value_below', categorical: true });
  assert.deepEqual(pick('categorical', 500, 2), { test: 'z', threshold: 0.05, direction: 'p_value_below', categorical: true });
  assert.deepEqual(pick('numeric', 1001, 6), { test: 'wasserstein', threshold: 0.1, direction: 'statistic_above', categorical: false });
  assert.deepEqual(pick('numeric', 1001, 2), { test: 'jensenshannon', threshold: 0.1, direction: 'statistic_above', categorical: true });
  assert.deepEqual(pick('categorical', 5000, 40), {
    test: 'jensenshannon',
    threshold: 0.1,
    direction: 'statistic_above',
    categorical: true,
  });
});

test('chooseDriftTest overrides the test and optionally its threshold', () => {
  const col = { kind: 'numeric' as const, referenceSize: 5000, uniqueValues: 5000 };
  assert.deepEqual(chooseDriftTest(col, 'psi'), { test: 'psi', threshold: 0.1, direction: 'statistic_above', categorical: false });
  assert.deepEqual(chooseDriftTest(col, { test: 'ks', threshold: 0.01 }), {
    test: 'ks',
    threshold: 0.01,
    direction: 'p_value_below',
    categorical: false,
  });
  assert.throws(() => chooseDriftTest(col, 'anderson' as never), /unknown drift test 'anderson'/);
});

test('runDriftTest on numeric samples: KS and normalised Wasserstein', () => {
  const ref = lcgSample(1, 800);
  const cur = lcgSample(2, 800, 0.3);
  const ks = runDriftTest(chooseDriftTest({ kind: 'numeric', referenceSize: 800, uniqueValues: 800 }), ref, cur);
  const expected = ks2samp(ref, cur);
  assert.deepEqual(ks, { test: 'ks', statistic: expected.statistic, pValue: expected.pValue, threshold: 0.05, drifted: true });
  const big = lcgSample(3, 2000);
  const w = runDriftTest(chooseDriftTest({ kind: 'numeric', referenceSize: 2000, uniqueValues: 2000 }), big, lcgSample(4, 2000, 0.01));
  assert.equal(w.statistic, normalizedWasserstein(big, lcgSample(4, 2000, 0.01)));
  assert.equal(w.drifted, false);
  assert.equal('pValue' in w, false);
});

test('runDriftTest on categorical counts: chi-squared, z and Jensen-Shannon', () => {
  const ref = new Map([['a', 50], ['b', 30], ['c', 20]]);
  const cur = new Map([['a', 30], ['b', 45], ['c', 25]]);
  const chi = runDriftTest(chooseDriftTest({ kind: 'categorical', referenceSize: 100, uniqueValues: 3 }), ref, cur);
  // scipy.stats.chi2_contingency([[50, 30, 20], [30, 45, 25]])
  assert.equal(chi.test, 'chisquare');
  assert.ok(Math.abs(chi.statistic - 8.555555555555557) < 1e-12);
  assert.ok(Math.abs(chi.pValue! - 0.0138734577625275) < 1e-15);
  assert.equal(chi.drifted, true);
  const z = runDriftTest(
    chooseDriftTest({ kind: 'categorical', referenceSize: 200, uniqueValues: 2 }),
    new Map([['yes', 45], ['no', 55]]),
    new Map([['yes', 60], ['no', 40]]),
  );
  assert.equal(z.test, 'z');
  assert.equal(z.drifted, true);
  const js = runDriftTest(chooseDriftTest({ kind: 'categorical', referenceSize: 5000, uniqueValues: 3 }), ref, ref);
  assert.deepEqual(js, { test: 'jensenshannon', statistic: 0, threshold: 0.1, drifted: false });
});

test('runDriftTest counts a low-cardinality numeric column as categories', () => {
  const ref = Array.from({ length: 2000 }, (_, i) => i % 3);
  const cur = Array.from({ length: 2000 }, (_, i) => (i % 4 === 0 ? 0 : i % 3));
  const choice = chooseDriftTest({ kind: 'numeric', referenceSize: 2000, uniqueValues: 3 });
  const r = runDriftTest(choice, ref, cur);
  assert.equal(r.test, 'jensenshannon');
  assert.ok(r.statistic > 0 && r.statistic < 0.2);
});

test('runDriftTest refuses a numeric test on category counts', () => {
  const counts = new Map([['a', 1]]);
  assert.throws(() => runDriftTest({ test: 'ks', threshold: 0.05, direction: 'p_value_below' }, counts, counts), /needs numeric samples/);
  assert.throws(() => runDriftTest({ test: 'psi', threshold: 0.1, direction: 'statistic_above' }, [1, 2], counts), /both be numeric/);
});
