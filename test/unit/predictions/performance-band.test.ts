import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracyBand, describeAccuracyBand } from '../../../src/core/predictions/performanceBand';

// Expected z values are statsmodels' proportions_ztest([cr, cw], [nr, nw], alternative="larger")
// (pooled p = sum(count) / sum(nobs), var = p (1 - p) (1/nr + 1/nw), z = (cr/nr - cw/nw) / sqrt(var)),
// evaluated with those expressions in Python.

test('100 rows at 96% accuracy have a standard error of about 2 points; the band adds the reference\'s', () => {
  assert.equal(Math.sqrt((0.96 * 0.04) / 100), 0.019595917942265423);
  const b = accuracyBand(96, 100, 960, 1000);
  assert.equal(b.z, 0);
  assert.equal(b.below, false);
  // Pooled 0.96 over 100 + 1000 rows: sqrt(0.96 * 0.04 * 0.011) = 2.06 points.
  assert.equal(b.standardError, 0.020552372125864214);
});

test('reference 960 of 1000: 89 of 100 alerts (z 3.17), 90 of 100 does not (z 2.75), though 6 points down', () => {
  const at89 = accuracyBand(89, 100, 960, 1000);
  assert.deepEqual([at89.z, at89.standardError, at89.below], [3.174106909360478, 0.0220534474732307, true]);
  const at90 = accuracyBand(90, 100, 960, 1000);
  assert.deepEqual([at90.z, at90.standardError, at90.below], [2.7464262493023788, 0.021846572437632567, false]);
  assert.equal(at90.lower, 0.8944602826871022);
});

test('the largest alerting window accuracy grows with the window: 25/30, 89/100, 461/500, 1865/2000 (reference 96% of 1000)', () => {
  const largest = (n: number) => {
    let c = n;
    while (c >= 0 && !accuracyBand(c, n, 960, 1000).below) c--;
    return c;
  };
  assert.deepEqual([30, 100, 500, 2000].map(largest), [25, 89, 461, 1865]);
  // The band this replaced (window error against the reference rate, window's error only) alerted
  // at 90/100, 466/500 and 1880/2000: up to 1.5 points sooner, with no room for the reference's error.
  assert.deepEqual([accuracyBand(25, 30, 960, 1000).z, accuracyBand(26, 30, 960, 1000).z], [3.344392258522944, 2.490870909543056]);
});

test('near 100%: a perfect reference still has a band, and the 2-point floor keeps a 1-point dip quiet', () => {
  const three = accuracyBand(97, 100, 1000, 1000);
  assert.deepEqual([three.z, three.below], [5.484709831207461, true]);
  const one = accuracyBand(99, 100, 1000, 1000);
  assert.deepEqual([one.z, one.below, one.lower], [3.1637160398926873, false, 0.98]);
  // 100,000 rows: a 1-point drop is z 10.8 and still below the floor.
  const big = accuracyBand(95_000, 100_000, 96_000, 100_000);
  assert.deepEqual([big.z, big.below, big.lower], [10.786413361509563, false, 0.94]);
});

test('fractional counts (a calibrated estimate) and the words the alert uses', () => {
  const est = accuracyBand(0.85 * 200, 200, 0.95 * 500, 500);
  assert.deepEqual([est.z, est.below], [4.442094751208869, true]);
  assert.equal(describeAccuracyBand(accuracyBand(89, 100, 960, 1000), 100, 1000), '96% - 6.6 points: 3 standard errors over 100 window and 1000 reference rows');
});
