import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KSWIN, PythonRandom } from '../../../src/core/drift';
import { ksExactMethodPValue, ksPValue } from '../../../src/core/stats/ks';
import { ks2samp } from '../../../src/core/stats';
import { bernoulli, gaussian } from './streams';

/** river's KSWIN.update written out plainly (deque, sample, ks_2samp), as the model to match. */
function referenceKswin(
  values: number[],
  alpha: number,
  windowSize: number,
  statSize: number,
  seed: number,
  initial: number[] = [],
) {
  let rng = new PythonRandom(seed);
  let window: number[] = initial.slice(-windowSize);
  let drift = false;
  const drifts: number[] = [];
  const pValues: number[] = [];
  values.forEach((x, i) => {
    if (drift) {
      rng = new PythonRandom(seed);
      window = [];
    }
    window.push(x);
    if (window.length > windowSize) window.shift();
    drift = false;
    let p = 0;
    if (window.length >= windowSize) {
      const idx = rng.sample(windowSize - statSize, statSize);
      const sample = Array.from(idx, (r) => window[r]!);
      const recent = window.slice(windowSize - statSize);
      if ([...sample, ...recent].some(Number.isNaN)) {
        // scipy propagates NaN to the statistic and p-value, and NaN <= alpha is false in river.
        p = Number.NaN;
      } else {
        const r = ks2samp(sample, recent);
        p = r.pValue;
        drift = p <= alpha && r.statistic > 0.1;
      }
    }
    pValues.push(p);
    if (drift) drifts.push(i);
  });
  return { drifts, pValues };
}

/** Feeds the values; the indices of drift and the p-value after every update. */
function run(k: KSWIN, values: readonly number[]) {
  const drifts: number[] = [];
  const pValues: number[] = [];
  values.forEach((x, i) => {
    k.update(x);
    pValues.push(k.pValue);
    if (k.driftDetected) drifts.push(i);
  });
  return { drifts, pValues };
}

test('KSWIN (per-value rank counts) matches the plain river algorithm update by update', () => {
  const streams: [string, number[]][] = [
    ['gaussian with a shift', [...gaussian(1, 600, 0, 1), ...gaussian(2, 600, 1.5, 1)]],
    ['integers with ties', [...gaussian(3, 700, 0, 2).map(Math.round), ...gaussian(4, 500, 3, 2).map(Math.round)]],
    ['binary', [...bernoulli(5, 600, 0.2), ...bernoulli(6, 600, 0.7)]],
  ];
  const configs: [number, number, number][] = [
    [0.005, 100, 30],
    [0.0001, 200, 100],
    [0.05, 12, 6],
  ];
  for (const [label, values] of streams) {
    for (const [alpha, windowSize, statSize] of configs) {
      const expected = referenceKswin(values, alpha, windowSize, statSize, 7);
      const k = new KSWIN({ alpha, window_size: windowSize, stat_size: statSize, seed: 7 });
      const { drifts, pValues } = run(k, values);
      const what = `${label}, alpha=${alpha}, window=${windowSize}, stat=${statSize}`;
      assert.deepEqual(drifts, expected.drifts, what);
      assert.deepEqual(pValues, expected.pValues, what);
    }
  }
});

test('KSWIN matches the plain algorithm at the borderline statistic 0.1, with alpha = 1', () => {
  // With alpha 1 every p passes, so drift hinges on statistic > 0.1. scipy's exact method reports
  // h / n, and 1/10, 2/20 and 3/30 are exactly 0.1: never above it, whatever the raw ECDF gap.
  const values = [...gaussian(11, 400, 0, 1), ...gaussian(12, 400, 0.3, 1).map(Math.round)];
  for (const [windowSize, statSize] of [
    [20, 10],
    [40, 20],
    [30, 10],
  ] as const) {
    const expected = referenceKswin(values, 1, windowSize, statSize, 3);
    const k = new KSWIN({ alpha: 1, window_size: windowSize, stat_size: statSize, seed: 3 });
    const { drifts } = run(k, values);
    assert.ok(expected.drifts.length > 10, 'the stream drifts often at alpha = 1');
    assert.deepEqual(drifts, expected.drifts, `window=${windowSize}, stat=${statSize}`);
  }
});

test('KSWIN with a starting window matches the plain algorithm, including the first full test', () => {
  const initial = gaussian(21, 150, 0, 1);
  const values = [...gaussian(22, 300, 0, 1), ...gaussian(23, 300, 2, 1)];
  // One start holds a NaN in what becomes the recent part: p is NaN until it slides out.
  const withNaN = initial.map((x, i) => (i === 140 ? Number.NaN : x));
  for (const start of [initial, initial.slice(0, 99), initial.slice(0, 100), withNaN]) {
    const expected = referenceKswin(values, 0.005, 100, 30, 5, start);
    const k = new KSWIN({ seed: 5, window: start });
    const { drifts, pValues } = run(k, values);
    assert.deepEqual(drifts, expected.drifts, `window of ${start.length}`);
    assert.deepEqual(pValues, expected.pValues, `window of ${start.length}`);
  }
});

test('KSWIN slides far past its buffer (the window is moved back many times) and still matches', () => {
  const values = [...gaussian(31, 5000, 0, 1), ...gaussian(32, 3000, 0.8, 1), ...gaussian(33, 4000, 0, 3)];
  const expected = referenceKswin(values, 0.005, 100, 30, 9);
  const k = new KSWIN({ seed: 9 });
  const { drifts } = run(k, values);
  assert.ok(expected.drifts.length >= 2);
  assert.deepEqual(drifts, expected.drifts);
});

test('KSWIN rejects a stat_size above 32767, naming the parameter', () => {
  assert.throws(() => new KSWIN({ window_size: 70000, stat_size: 32768 }), /'stat_size' must be <= 32767/);
  assert.doesNotThrow(() => new KSWIN({ window_size: 70000, stat_size: 32767 }));
});

test('KSWIN with NaN in the stream: no drift and a NaN p-value while a NaN is compared, as river over scipy', () => {
  const values = gaussian(41, 1500, 0, 1).map((x, i) => (i > 800 ? x + 1.5 : x));
  for (const i of [150, 420, 421, 990]) values[i] = Number.NaN;
  const expected = referenceKswin(values, 0.005, 100, 30, 4);
  const { drifts, pValues } = run(new KSWIN({ seed: 4 }), values);
  assert.deepEqual(drifts, expected.drifts);
  assert.deepEqual(pValues, expected.pValues);
  assert.ok(pValues.filter(Number.isNaN).length > 50, 'the NaNs were compared for a while');
  // The smallest case: a NaN arriving in the recent part never reads as drift.
  const k = new KSWIN({ window_size: 20, stat_size: 10, alpha: 0.05, seed: 1 });
  for (const x of [...Array(10).fill(0), ...Array(9).fill(5), Number.NaN]) k.update(x);
  assert.equal(k.driftDetected, false);
  assert.ok(Number.isNaN(k.pValue));
});

test('KSWIN takes the exact p-value at any stat_size, as river asks scipy for method="exact"', () => {
  // scipy's method="auto" would switch to the asymptotic p above 10000 values per sample.
  assert.equal(ksExactMethodPValue(245, 12000, 12000), 0.013445973750284073);
  assert.equal(ksExactMethodPValue(600, 12000, 12000), 1.8505676003163804e-13);
  const r = 12000;
  // The sample is the whole older part, so the statistic is known without a sampler.
  const fixed = Int32Array.from({ length: r }, (_, i) => i);
  const k = new KSWIN({ window_size: 2 * r, stat_size: r, sampler: { sample: () => fixed } });
  const values = [...gaussian(51, r, 0, 1), ...gaussian(52, r, 0.03, 1)];
  values.forEach((x) => k.update(x));
  const h = Math.round(ks2samp(Array.from(fixed, (i) => values[i]!), values.slice(r)).statistic * r);
  assert.equal(k.pValue, ksExactMethodPValue(h, r, r));
  assert.notEqual(k.pValue, ksPValue(h / r, r, r));
});

test('KSWIN refuses what an injected sampler should never return, naming it', () => {
  const feed = (sample: () => ArrayLike<number>) => {
    const k = new KSWIN({ window_size: 10, stat_size: 5, sampler: { sample } });
    for (let i = 0; i < 10; i++) k.update(i);
  };
  assert.throws(() => feed(() => [0, 1, 2]), /sampler returned 3 indices, expected 5/);
  assert.throws(() => feed(() => [0, 1, 2, 3, 5]), /sampler returned index 5, expected 5 distinct whole numbers from 0 to 4/);
  assert.throws(() => feed(() => [0, 1, 2, 3, 3]), /sampler returned index 3/);
  assert.throws(() => feed(() => [0, 1, 2, 3, 0.5]), /sampler returned index 0.5/);
  assert.doesNotThrow(() => feed(() => [4, 3, 2, 1, 0]));
});

test('KSWIN without a seed draws a fresh seed on every reset, as Random(None) does', (t) => {
  let seeds = 0;
  const real = Math.random;
  t.mock.method(Math, 'random', () => (seeds++, real()));
  const k = new KSWIN({ window_size: 20, stat_size: 10, alpha: 0.05 });
  assert.equal(seeds, 1);
  let drifts = 0;
  for (let i = 0; i < 400 && drifts < 2; i++) {
    k.update(Math.floor(i / 40) % 2 ? 10 + (i % 3) : i % 3);
    if (k.driftDetected) drifts++;
  }
  k.update(0);
  assert.equal(drifts, 2);
  assert.equal(seeds, 3, 'one seed per reset');
  // A seeded detector keeps its seed.
  t.mock.reset();
  seeds = 0;
  t.mock.method(Math, 'random', () => (seeds++, real()));
  new KSWIN({ seed: 3 }).reset();
  assert.equal(seeds, 0);
});
