import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KSWIN, PythonRandom } from '../../../src/core/drift';
import { ks2samp } from '../../../src/core/stats';
import { bernoulli, gaussian } from './streams';

/** river's KSWIN.update written out plainly (deque, sample, ks_2samp), as the model to match. */
function referenceKswin(values: number[], alpha: number, windowSize: number, statSize: number, seed: number) {
  let rng = new PythonRandom(seed);
  let window: number[] = [];
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

test('KSWIN (incrementally sorted windows) matches the plain river algorithm update by update', () => {
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
      const drifts: number[] = [];
      const pValues: number[] = [];
      values.forEach((x, i) => {
        k.update(x);
        pValues.push(k.pValue);
        if (k.driftDetected) drifts.push(i);
      });
      const what = `${label}, alpha=${alpha}, window=${windowSize}, stat=${statSize}`;
      assert.deepEqual(drifts, expected.drifts, what);
      assert.deepEqual(pValues, expected.pValues, what);
    }
  }
});
