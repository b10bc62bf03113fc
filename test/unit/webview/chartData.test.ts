import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCount, formatDuration, formatNumber, formatPValue, humanizeKey, lttbIndices, niceBounds, rebinHistogram, robustRange, robustRangeOfSeries, seriesDelta, smoothEma } from '../../../src/core/charts';

test('smoothEma matches TensorBoard’s debiased EMA', () => {
  assert.deepEqual(smoothEma([1, 2, 3], 0), [1, 2, 3]);
  const s = smoothEma([1, 2, 3], 0.5);
  assert.deepEqual(s.map((v) => v!.toFixed(6)), ['1.000000', '1.666667', '2.428571']);
  // A constant series stays constant from its first point (the debiasing at work).
  assert.deepEqual(smoothEma([5, 5, 5, 5], 0.9).map((v) => Number(v!.toFixed(9))), [5, 5, 5, 5]);
});

test('smoothEma keeps gaps and skips them in the average', () => {
  const s = smoothEma([1, null, Number.NaN, 3], 0.5);
  assert.equal(s[1], null);
  assert.equal(s[2], null);
  assert.equal(s[3]!.toFixed(6), (((1 * 0.5 * 0.5 + 0.5 * 3) / (1 - 0.25))).toFixed(6));
});

test('smoothEma rejects a weight outside [0, 1)', () => {
  assert.throws(() => smoothEma([1], 1), /weight/);
  assert.throws(() => smoothEma([1], -0.1), /weight/);
});

test('lttbIndices keeps the ends, the peaks and every gap', () => {
  assert.deepEqual(lttbIndices([0, 1, 2, 3], [0, 5, 0, 1], 3), [0, 1, 3]);
  const xs = Array.from({ length: 1000 }, (_, i) => i);
  const ys: (number | null)[] = xs.map((i) => Math.sin(i / 50));
  ys[500] = 100;
  ys[700] = null;
  const idx = lttbIndices(xs, ys, 100);
  assert.equal(idx[0], 0);
  assert.equal(idx[idx.length - 1], 999);
  assert.ok(idx.includes(500), 'the spike survives');
  assert.ok(idx.includes(700), 'the gap survives');
  assert.equal(idx.length, 101);
  assert.deepEqual([...idx].sort((a, b) => a - b), idx);
  assert.throws(() => lttbIndices(xs, ys, 2), /threshold/);
});

test('rebinHistogram spreads bucket counts uniformly', () => {
  // Buckets (0,1] with 4 and (1,3] with 2 onto 3 bins over [0,3].
  assert.deepEqual(rebinHistogram([1, 3], [4, 2], 0, 3, 0, 3, 3), [4, 1, 1]);
  const total = rebinHistogram([-1, 0, 1, 1e300], [1, 2, 3, 4], -2, 2, -2, 2, 8).reduce((a, b) => a + b, 0);
  assert.equal(total, 10, 'no count is lost, even in the open-ended last bucket');
});

test('robustRange cuts only real outliers', () => {
  const falling = Array.from({ length: 50 }, (_, i) => 2.3 * Math.exp(-i / 10));
  assert.equal(robustRange(falling), undefined);
  const diverged = [...falling, 1e25, 3e30];
  const r = robustRange(diverged)!;
  assert.ok(r.max < 3 && r.max > 2.3, `max ${r.max}`);
  assert.ok(r.min < 0.02, `min ${r.min}`);
  assert.equal(robustRange([1, 2, 1e9]), undefined, 'too few points to judge');
});

test('robustRangeOfSeries never hides a whole curve', () => {
  const small = Array.from({ length: 300 }, (_, i) => (i < 150 ? 0.002 : 0.2));
  const exploded = [26200, 35931, 1e5, 1.74e6];
  const r = robustRangeOfSeries([small, [5, 5, 5, 5, 5, 5], exploded])!;
  assert.ok(r.max >= 5 && r.max < 10, `the lr=5 run stays in view, the exploded one out (max ${r.max})`);
  assert.equal(robustRangeOfSeries([small]), undefined);
});

test('niceBounds widens to round ticks', () => {
  assert.deepEqual(niceBounds(-0.0106, 1.51, 8), { min: -0.2, max: 1.6 });
  assert.deepEqual(niceBounds(3, 3), { min: 3, max: 3 });
});

test('labels read like a person wrote them', () => {
  assert.deepEqual([0, 42, 1000, 1500, 12345, 999999, 0.123456, 1e-6, 2.5e9, Number.NaN, Infinity, null].map((v) => formatNumber(v)), [
    '0', '42', '1000', '1500', '12.3k', '1M', '0.123', '1e-6', '2.5G', 'NaN', '∞', '–',
  ]);
  assert.deepEqual([45, 185, 7620, 273600].map(formatDuration), ['45s', '3m 05s', '2h 07m', '3d 04h']);
  assert.deepEqual([0, 999, 199999, -1234567, 2.5].map(formatCount), ['0', '999', '199,999', '−1,234,567', '2.5']);
  assert.equal(formatPValue(0.0001), '< 0.001');
  assert.equal(formatPValue(0.0456), '0.046');
  assert.deepEqual(['macroF1', 'estimatedAccuracy', 'data_drift', 'f1'].map(humanizeKey), ['Macro F1', 'Estimated accuracy', 'Data drift', 'F1']);
});

test('seriesDelta appends new points and resends a rewritten series', () => {
  const s = (steps: number[]) => ({ steps, values: steps.map((x) => x * 2), wallTimes: steps.map((x) => 1000 + x) });
  const first = seriesDelta(undefined, s([0, 1, 2]), 100)!;
  assert.equal(first.replace, true);
  assert.deepEqual(first.sent, { length: 3, lastStep: 2, lastValue: 4 });
  assert.equal(seriesDelta(first.sent, s([0, 1, 2]), 100), undefined, 'nothing new');
  const grown = seriesDelta(first.sent, s([0, 1, 2, 3, 4]), 100)!;
  assert.equal(grown.replace, false);
  assert.deepEqual(grown.series, { steps: [3, 4], values: [6, 8], wallTimes: [1003, 1004] });
  // A run resumed from step 2 logged steps 2.. again with new values: the page must drop what it has.
  const resumed = s([0, 1, 2, 3, 4, 5]);
  const rewritten = seriesDelta(grown.sent, { ...resumed, values: [0, 2, 5, 7, 9, 11] }, 100)!;
  assert.equal(rewritten.replace, true);
  assert.equal(rewritten.series.steps.length, 6);
  assert.equal(seriesDelta(grown.sent, s([0, 1, 2.5, 3, 5, 6]), 100)!.replace, true, 'a different step at the old end');
  const long = seriesDelta(undefined, s(Array.from({ length: 1000 }, (_, i) => i)), 50)!;
  assert.equal(long.series.steps.length, 50, 'thinned with LTTB');
  assert.deepEqual(long.sent, { length: 1000, lastStep: 999, lastValue: 1998 });
});
