import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createDetector,
  DETECTOR_NAMES,
  detectorName,
  detectorParams,
  DriftParameterError,
  isBinaryDetector,
  parseDetectorParam,
  type DetectorName,
  type ParamValue,
} from '../../../src/core/drift';
import { bernoulli, detect, gaussian } from './streams';

// One contract, every detector: defaults as river's, a seeded stationary stream gives no alarm,
// a shifted one does, the update after a drift starts afresh, reset() forgets, bad input throws.

interface Case {
  defaults: Record<string, ParamValue>;
  /** Parameters for the stationary check; river's defaults where they stay quiet over 2000 values. */
  quiet: Record<string, ParamValue>;
  /** Stationary stream and one with an abrupt change at 1000. */
  stationary: (seed: number) => number[];
  shifted: number[];
}

const real = (seed: number) => gaussian(seed, 2000, 10, 1);
const realShift = [...gaussian(100, 1000, 10, 1), ...gaussian(101, 1000, 14, 1)];
const errors = (seed: number) => bernoulli(seed, 2000, 0.3);
const errorsShift = [...bernoulli(100, 1000, 0.2), ...bernoulli(101, 1000, 0.8)];

const CASES: Record<DetectorName, Case> = {
  adwin: {
    defaults: { delta: 0.002, clock: 32, max_buckets: 5, min_window_length: 5, grace_period: 10 },
    quiet: {},
    stationary: real,
    shifted: realShift,
  },
  'page-hinkley': {
    defaults: { min_instances: 30, delta: 0.005, threshold: 50, alpha: 1 - 0.0001, mode: 'both' },
    // The faded cumulative sum is a random walk: over 2000 values it crosses 50 now and then.
    quiet: { threshold: 100 },
    stationary: real,
    shifted: realShift,
  },
  kswin: {
    defaults: { alpha: 0.005, window_size: 100, stat_size: 30, seed: 42 },
    // One KS test per update: at alpha = 0.005 a false alarm every few hundred values is expected.
    quiet: { seed: 42, alpha: 0.00001 },
    stationary: real,
    shifted: realShift,
  },
  cusum: {
    defaults: { min_instances: 30, slack: 0.5, threshold: 5, mode: 'both' },
    // river's own docstring: at h = 5 the average run length is a few hundred values.
    quiet: { min_instances: 200, threshold: 10 },
    stationary: real,
    shifted: realShift,
  },
  ddm: {
    defaults: { warm_start: 30, warning_threshold: 2, drift_threshold: 3 },
    quiet: { warm_start: 100 },
    stationary: errors,
    shifted: errorsShift,
  },
  eddm: {
    defaults: { warm_start: 30, alpha: 0.95, beta: 0.9 },
    // river's docstring lowers alpha / beta "to avoid too many false positives".
    quiet: { alpha: 0.6, beta: 0.5 },
    stationary: errors,
    shifted: errorsShift,
  },
  'hddm-a': {
    defaults: { drift_confidence: 0.001, warning_confidence: 0.005, two_sided_test: false },
    quiet: { drift_confidence: 0.0001 },
    stationary: errors,
    shifted: errorsShift,
  },
  'hddm-w': {
    defaults: { drift_confidence: 0.001, warning_confidence: 0.005, lambda_val: 0.05, two_sided_test: false },
    quiet: { drift_confidence: 0.00001 },
    stationary: errors,
    shifted: errorsShift,
  },
  fhddm: {
    defaults: { sliding_window_size: 100, confidence_level: 0.000001 },
    quiet: {},
    // FHDDM watches the share of 1s falling: feed it 1 = correct.
    stationary: (seed) => bernoulli(seed, 2000, 0.7),
    shifted: [...bernoulli(100, 1000, 0.8), ...bernoulli(101, 1000, 0.2)],
  },
};

for (const name of DETECTOR_NAMES) {
  const c = CASES[name];

  test(`${name}: defaults and effective parameters are river's`, () => {
    const d = createDetector(name, name === 'kswin' ? { seed: 42 } : {});
    assert.deepEqual(detectorParams(d), c.defaults);
    assert.equal(detectorName(d), name);
    assert.equal(typeof (d as { warningDetected?: unknown }).warningDetected === 'boolean', isBinaryDetector(name));
  });

  test(`${name}: no alarm on seeded stationary streams`, () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      assert.deepEqual(detect(createDetector(name, c.quiet), c.stationary(seed)).drift, [], `seed ${seed}`);
    }
  });

  test(`${name}: an abrupt change is detected, after it and not long before`, () => {
    const params: Record<string, ParamValue> = name === 'kswin' ? { seed: 42 } : {};
    const { drift } = detect(createDetector(name, params), c.shifted);
    const first = drift.find((i) => i >= 1000);
    assert.ok(first !== undefined && first < 1300, `${name} drift indices ${JSON.stringify(drift)}`);
  });

  test(`${name}: the update after a drift starts afresh, like a new detector`, () => {
    const params: Record<string, ParamValue> = name === 'kswin' ? { seed: 42 } : {};
    const d = createDetector(name, params);
    const { drift } = detect(d, c.shifted);
    const at = drift[0]!;
    const rest = c.shifted.slice(at + 1);
    const again = detect(createDetector(name, params), rest).drift.map((i) => i + at + 1);
    assert.deepEqual(drift.slice(1), again);
  });

  test(`${name}: reset() forgets everything`, () => {
    const params: Record<string, ParamValue> = name === 'kswin' ? { seed: 42 } : {};
    const used = createDetector(name, params);
    detect(used, c.shifted.slice(0, 1500));
    used.reset();
    assert.equal(used.driftDetected, false);
    assert.deepEqual(detect(used, c.shifted), detect(createDetector(name, params), c.shifted));
  });

  test(`${name}: unknown and out-of-range parameters throw naming the parameter`, () => {
    assert.throws(() => createDetector(name, { nope: 1 }), (e: unknown) => e instanceof DriftParameterError && e.parameter === 'nope');
    const [first] = Object.keys(c.defaults);
    assert.throws(
      () => createDetector(name, { [first!]: -1 }),
      (e: unknown) => e instanceof DriftParameterError && e.parameter === first && e.message.includes(`'${first}'`),
    );
    assert.throws(() => createDetector(name, { [first!]: 'abc' }), new RegExp(`'${first}' must be`));
  });
}

test('parameter ranges river enforces or would crash on', () => {
  assert.throws(() => createDetector('eddm', { alpha: 0.5, beta: 0.9 }), /'alpha' must be >= beta/);
  assert.throws(() => createDetector('page-hinkley', { mode: 'sideways' }), /'mode' must be one of 'up', 'down', 'both'/);
  assert.throws(() => createDetector('adwin', { clock: 0 }), /'clock' must be >= 1/);
  assert.throws(() => createDetector('adwin', { delta: 1 }), /'delta' must be < 1/);
  assert.throws(() => createDetector('hddm-w', { two_sided_test: 1 }), /'two_sided_test' must be true or false/);
  assert.throws(() => createDetector('fhddm', { short_window_size: 200 }), /'short_window_size' must be <= 100/);
  assert.throws(() => createDetector('nope' as DetectorName), /unknown detector 'nope'/);
});

test('parseDetectorParam reads CLI text by the parameter kind', () => {
  assert.equal(parseDetectorParam('adwin', 'delta', '0.01'), 0.01);
  assert.equal(parseDetectorParam('hddm-a', 'two_sided_test', 'true'), true);
  assert.equal(parseDetectorParam('cusum', 'mode', 'up'), 'up');
  assert.throws(() => parseDetectorParam('adwin', 'delta', 'x'), /'delta' must be a number \(got 'x'\)/);
  assert.throws(() => parseDetectorParam('adwin', 'alpha', '1'), /unknown parameter 'alpha' \(known: delta, clock/);
});

test('FHDDM short window (stacking variant) alarms on a sharp drop', () => {
  const s = [...Array(300).fill(1), ...Array(30).fill(0)];
  const long = detect(createDetector('fhddm'), s).drift[0]!;
  const short = detect(createDetector('fhddm', { short_window_size: 20 }), s).drift[0]!;
  assert.ok(short < long, `short ${short} long ${long}`);
});
