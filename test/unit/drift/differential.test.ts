import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ours from '../../../src/core/drift';
import { seededRandom } from '../../../src/core/random';
import * as river from './river-reference';
import { stream } from './streams';

// Randomised differential test: every detector in src/core/drift against a plain transliteration
// of river 0.26's update (river-reference.ts), over many seeds and parameter sets, on streams
// with and without drifts. Warning and drift indices must be identical, update for update.
// The streams and parameters come from a seeded generator local to this file, so a failure
// names a seed that reproduces it.

const rng = seededRandom;

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

function gauss(r: () => number, mu: number, sigma: number): number {
  const u = 1 - r();
  const v = r();
  return mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** 1-4 segments of Bernoulli errors, each with its own rate (some equal: no drift there). */
function bernoulliStream(r: () => number): number[] {
  const out: number[] = [];
  const segments = int(r, 1, 4);
  for (let s = 0; s < segments; s++) {
    const p = pick(r, [0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1]);
    const n = int(r, 50, 900);
    for (let i = 0; i < n; i++) out.push(r() < p ? 1 : 0);
  }
  return out;
}

/** Segments of real values: Gaussian shifts and scale changes, integer values with ties, 0/1. */
function realStream(r: () => number): number[] {
  const out: number[] = [];
  const segments = int(r, 1, 4);
  const kind = pick(r, ['gauss', 'ints', 'binary', 'mixed'] as const);
  for (let s = 0; s < segments; s++) {
    const n = int(r, 50, 800);
    const mu = pick(r, [0, 0.5, 1, 3, -2, 10]);
    const sigma = pick(r, [0.1, 1, 2]);
    const k = kind === 'mixed' ? pick(r, ['gauss', 'ints', 'binary'] as const) : kind;
    for (let i = 0; i < n; i++) {
      if (k === 'gauss') out.push(gauss(r, mu, sigma));
      else if (k === 'ints') out.push(Math.floor(r() * 4) + Math.max(0, Math.round(mu)));
      else out.push(r() < Math.min(0.9, Math.abs(mu) / 10 + 0.1) ? 1 : 0);
    }
  }
  return out;
}

interface Detector {
  update(x: number): void;
}

function run(d: Detector, values: number[], drift: () => boolean, warning: () => boolean) {
  const drifts: number[] = [];
  const warnings: number[] = [];
  for (let i = 0; i < values.length; i++) {
    d.update(values[i]!);
    if (drift()) drifts.push(i);
    if (warning()) warnings.push(i);
  }
  return { drifts, warnings };
}

interface Pair {
  params: Record<string, unknown>;
  ours: ours.DriftDetector & { warningDetected?: boolean };
  river: river.ReferenceDetector;
}

/** Runs both over the stream and fails with the seed and parameters on the first difference. */
function compare(name: string, seed: number, values: number[], pair: Pair): { drifts: number; warnings: number } {
  const a = run(pair.ours, values, () => pair.ours.driftDetected, () => pair.ours.warningDetected === true);
  const b = run(pair.river, values, () => pair.river.drift_detected, () => pair.river.warning_detected);
  const where = `${name} seed ${seed} params ${JSON.stringify(pair.params)} (${values.length} values)`;
  assert.deepEqual(a.drifts, b.drifts, `drift indices differ: ${where}`);
  assert.deepEqual(a.warnings, b.warnings, `warning indices differ: ${where}`);
  return { drifts: a.drifts.length, warnings: a.warnings.length };
}

/**
 * Runs `seeds` random cases and checks that the cases, together, did exercise the detector:
 * drifts always, and warnings where it has them (a differential test that never fires proves little).
 */
function differential(
  name: string,
  seeds: number,
  stream: (r: () => number) => number[],
  make: (r: () => number, seed: number) => Pair,
  hasWarnings: boolean,
): void {
  let drifts = 0;
  let warnings = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = rng(seed * 7919 + name.length);
    const pair = make(r, seed);
    const counts = compare(name, seed, stream(r), pair);
    drifts += counts.drifts;
    warnings += counts.warnings;
  }
  assert.ok(drifts > seeds / 4, `${name}: only ${drifts} drifts over ${seeds} cases`);
  if (hasWarnings) assert.ok(warnings > seeds / 4, `${name}: only ${warnings} warnings over ${seeds} cases`);
}

const CONFIDENCES = [0.0001, 0.001, 0.005, 0.01, 0.05] as const;

test('differential DDM: warning and drift indices equal river 0.26 over 400 seeded cases', () => {
  differential('ddm', 400, bernoulliStream, (r) => {
    const p = { warm_start: pick(r, [0, 5, 30, 100]), warning_threshold: pick(r, [1, 1.5, 2, 2.5]), drift_threshold: pick(r, [2, 3, 4]) };
    return { params: p, ours: new ours.DDM(p), river: new river.DDM(p.warm_start, p.warning_threshold, p.drift_threshold) };
  }, true);
});

test('differential EDDM: warning and drift indices equal river 0.26 over 400 seeded cases', () => {
  differential('eddm', 400, bernoulliStream, (r) => {
    const [alpha, beta] = pick(r, [[0.95, 0.9], [0.9, 0.8], [0.8, 0.75], [0.99, 0.95], [0.9, 0.9]] as const);
    const p = { warm_start: pick(r, [0, 5, 30]), alpha, beta };
    return { params: p, ours: new ours.EDDM(p), river: new river.EDDM(p.warm_start, alpha, beta) };
  }, true);
});

test('differential HDDM_A: warning and drift indices equal river 0.26 over 400 seeded cases', () => {
  differential('hddm-a', 400, bernoulliStream, (r) => {
    const p = { drift_confidence: pick(r, CONFIDENCES), warning_confidence: pick(r, CONFIDENCES), two_sided_test: r() < 0.5 };
    return {
      params: p,
      ours: new ours.HDDMA(p),
      river: new river.HDDMA(p.drift_confidence, p.warning_confidence, p.two_sided_test),
    };
  }, true);
});

test('differential HDDM_W: warning and drift indices equal river 0.26 over 600 seeded cases', () => {
  differential('hddm-w', 600, bernoulliStream, (r) => {
    const p = {
      drift_confidence: pick(r, CONFIDENCES),
      warning_confidence: pick(r, CONFIDENCES),
      lambda_val: pick(r, [0.01, 0.05, 0.1, 0.2, 0.5, 1]),
      two_sided_test: r() < 0.5,
    };
    return {
      params: p,
      ours: new ours.HDDMW(p),
      river: new river.HDDMW(p.drift_confidence, p.warning_confidence, p.lambda_val, p.two_sided_test),
    };
  }, true);
});

test('differential FHDDM: drift indices equal river 0.26 (never a warning) over 300 seeded cases', () => {
  differential('fhddm', 300, bernoulliStream, (r) => {
    const size = pick(r, [10, 25, 100, 200]);
    const short = pick(r, [undefined, undefined, 1, 5, Math.floor(size / 4), size]);
    const p = { sliding_window_size: size, confidence_level: pick(r, [0.000001, 0.001, 0.05]), short_window_size: short };
    return {
      params: p,
      ours: new ours.FHDDM(p),
      river: new river.FHDDM(size, p.confidence_level, short ?? null),
    };
  }, false);
});

test('differential ADWIN: drift indices equal river 0.26 over 300 seeded cases', () => {
  differential('adwin', 300, realStream, (r) => {
    const p = {
      delta: pick(r, [0.0001, 0.002, 0.05, 0.3]),
      clock: pick(r, [1, 4, 32]),
      max_buckets: pick(r, [1, 2, 5, 9]),
      min_window_length: pick(r, [1, 5, 20]),
      grace_period: pick(r, [0, 10, 100]),
    };
    return {
      params: p,
      ours: new ours.ADWIN(p),
      river: new river.ADWIN(p.delta, p.clock, p.max_buckets, p.min_window_length, p.grace_period),
    };
  }, false);
});

test('differential ADWIN: window width equal river 0.26 after every update', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const r = rng(seed);
    const values = realStream(r);
    const a = new ours.ADWIN({ clock: 1, max_buckets: 2 });
    const b = new river.ADWIN(0.002, 1, 2);
    for (let i = 0; i < values.length; i++) {
      a.update(values[i]!);
      b.update(values[i]!);
      assert.equal(a.width, b.width, `seed ${seed} update ${i}`);
    }
  }
});

test('differential PageHinkley: drift indices equal river 0.26 over 400 seeded cases', () => {
  differential('page-hinkley', 400, realStream, (r) => {
    const p = {
      min_instances: pick(r, [1, 10, 30]),
      delta: pick(r, [0, 0.005, 0.1]),
      threshold: pick(r, [2, 10, 50]),
      alpha: pick(r, [1 - 0.0001, 0.99, 1]),
      mode: pick(r, ['up', 'down', 'both'] as const),
    };
    return {
      params: p,
      ours: new ours.PageHinkley(p),
      river: new river.PageHinkley(p.min_instances, p.delta, p.threshold, p.alpha, p.mode),
    };
  }, false);
});

test('differential CUSUM: drift indices equal river 0.26 over 400 seeded cases', () => {
  differential('cusum', 400, realStream, (r) => {
    const p = {
      min_instances: pick(r, [1, 2, 10, 30]),
      slack: pick(r, [0, 0.5, 1]),
      threshold: pick(r, [1, 3, 5, 10]),
      mode: pick(r, ['up', 'down', 'both'] as const),
    };
    return {
      params: p,
      ours: new ours.CUSUM(p),
      river: new river.CUSUM(p.min_instances, p.slack, p.threshold, p.mode),
    };
  }, false);
});

/**
 * A seeded stand-in for `random.Random(seed).sample(range(n), k)`: a partial Fisher-Yates shuffle
 * over this file's generator, re-seeded on reset as river re-creates its Random. Both detectors
 * get their own copy, so they draw the same indices; Python's own generator is pinned separately
 * (python-random.test.ts, and the seeded river indices in river-indices.test.ts).
 */
class SeededIndexSampler implements river.IndexSampler, ours.KSWINSampler {
  private r: () => number;
  constructor(private readonly seed: number) {
    this.r = rng(seed);
  }
  sample(n: number, k: number): number[] {
    const pool = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.r() * (n - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, k);
  }
  reset(): void {
    this.r = rng(this.seed);
  }
}

test('differential KSWIN: drift indices equal river 0.26 with scipy ks_2samp over 150 seeded cases', () => {
  differential('kswin', 150, realStream, (r, seed) => {
    const [window_size, stat_size] = pick(r, [[100, 30], [60, 20], [40, 5], [200, 50]] as const);
    const alpha = pick(r, [0.0001, 0.005, 0.05]);
    const start = r() < 0.3 ? Array.from({ length: int(r, 1, window_size + 10) }, () => Math.floor(r() * 5)) : null;
    const p = { alpha, window_size, stat_size, sampler: `seeded ${seed}`, window: start ? `${start.length} values` : 'none' };
    return {
      params: p,
      ours: new ours.KSWIN({ alpha, window_size, stat_size, sampler: new SeededIndexSampler(seed), ...(start ? { window: start } : {}) }),
      river: new river.KSWIN(alpha, window_size, stat_size, new SeededIndexSampler(seed), start),
    };
  }, false);
});

test('reference ks_2samp: the p-values scipy prints for small equal samples', () => {
  // scipy 1.17.1: ks_2samp([0, 0, 0], [5, 5, 5]), ([1, 2, 3, 4], [3, 4, 5, 6]), and one where the
  // exact branch overflows 1 and scipy answers from the asymptotic one.
  assert.deepEqual(river.ks_2samp([0, 0, 0], [5, 5, 5]), [1, 0.09999999999999999]);
  assert.deepEqual(river.ks_2samp([1, 2, 3, 4], [3, 4, 5, 6]), [0.5, 0.7714285714285716]);
  assert.deepEqual(river.ks_2samp([1, 2, 3, 4, 5], [1, 2, 3, 4, 6]), [0.2, 1]);
});

test('HDDM_W two-sided on river\'s docstring stream: every warning, including those a restart-at-0 EWMA lost', () => {
  // Before the fix a fresh sample's EWMA restarted from x while it was exactly 0 (the old
  // pure-Python EWMean); river 0.26's EWMean blends from its first value on. The decrease test
  // then warned at 509-513 and 518 as well; the drift index, 1077, was the same either way.
  const values = stream('binary_42_weighted');
  const expected = [451, 509, 510, 511, 512, 513, 518, 923, 924, 953, 962, 963, 1059, 1060, 1070, 1071, 1072, 1074, 1075, 1076];
  const d = new ours.HDDMW({ two_sided_test: true });
  const r = new river.HDDMW(0.001, 0.005, 0.05, true);
  assert.deepEqual(run(d, values, () => d.driftDetected, () => d.warningDetected), { drifts: [1077], warnings: expected });
  assert.deepEqual(run(r, values, () => r.drift_detected, () => r.warning_detected), { drifts: [1077], warnings: expected });
});
