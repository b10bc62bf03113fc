import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KSWIN, PythonRandom } from '../../../src/core/drift';
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
      const r = ks2samp(sample, recent);
      p = r.pValue;
      drift = p <= alpha && r.statistic > 0.1;
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
  for (const start of [initial, initial.slice(0, 99), initial.slice(0, 100)]) {
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
