import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADWIN, CUSUM, DDM, EDDM, FHDDM, HDDMA, HDDMW, KSWIN, PageHinkley } from '../../../src/core/drift';
import { detect, docstringEvents, stream } from './streams';

// Every index below is one river 0.26 asserts: river/drift/test_drift_detectors.py ("test"),
// river/drift/test_adwin_regression.py ("regression") or a class docstring ("docstring").
// Streams: data_stream_1..3 of the tests (numpy seed 12345), the docstrings' random.Random streams.

test('ADWIN: docstring, regression and test-suite indices', () => {
  assert.deepEqual(detect(new ADWIN(), stream('docstring_12345_choices')).drift, [1023]);
  assert.deepEqual(detect(new ADWIN(), stream('test_stream_1')).drift, [1023]);
  assert.deepEqual(detect(new ADWIN(), stream('regression_42_four_segments')).drift, [1023, 2015, 3007]);
});

test('ADWIN regression suite: window statistics, grace period, reset after drift', () => {
  const a = new ADWIN();
  for (const v of [1, 2, 3, 4, 5]) a.update(v);
  assert.equal(a.width, 5);
  assert.equal(a.estimation, 3);
  const g = new ADWIN({ grace_period: 100, clock: 1 });
  detect(g, [...Array(50).fill(0), ...Array(50).fill(1000)]);
  assert.equal(g.nDetections, 0);
  const r = new ADWIN({ clock: 1 });
  const { drift } = detect(r, [...Array(500).fill(0), ...Array(500).fill(100)]);
  assert.ok(drift.length > 0);
  const fresh = new ADWIN({ clock: 1 });
  detect(fresh, [...Array(500).fill(0), ...Array(drift[0]! - 499).fill(100)]);
  assert.equal(fresh.driftDetected, true);
  fresh.update(50);
  assert.equal(fresh.width, 1);
  const constant = new ADWIN();
  assert.deepEqual(detect(constant, Array(5000).fill(1)).drift, []);
});

test('PageHinkley: docstring and the three modes of the test suite', () => {
  assert.deepEqual(detect(new PageHinkley(), stream('docstring_12345_choices')).drift, [1006]);
  assert.deepEqual(detect(new PageHinkley({ mode: 'up' }), stream('test_stream_3')).drift, [588, 1681]);
  assert.deepEqual(detect(new PageHinkley({ mode: 'down' }), stream('test_stream_3')).drift, [1172]);
  assert.deepEqual(detect(new PageHinkley({ mode: 'both' }), stream('test_stream_3')).drift, [588, 1097, 1585]);
});

test('KSWIN with seed: docstring and test-suite indices', () => {
  assert.deepEqual(detect(new KSWIN({ alpha: 0.0001, seed: 42 }), stream('docstring_12345_choices')).drift, [1016]);
  const k = new KSWIN({ alpha: 0.0001, window_size: 200, stat_size: 100, seed: 42 });
  assert.deepEqual(detect(k, stream('test_stream_1')).drift, [1042]);
});

test('KSWIN: river coverage test (bad parameters, fresh state)', () => {
  assert.throws(() => new KSWIN({ alpha: -0.1 }), /'alpha' must be >= 0/);
  assert.throws(() => new KSWIN({ alpha: 1.1 }), /'alpha' must be <= 1/);
  assert.throws(() => new KSWIN({ window_size: -10 }), /'window_size' must be >= 2/);
  assert.throws(() => new KSWIN({ window_size: 10, stat_size: 30 }), /'stat_size' must be at most window_size \/ 2/);
  const k = new KSWIN();
  k.reset();
  assert.equal(k.pValue, 0);
  assert.equal(k.driftDetected, false);
});

test('KSWIN takes an injected sampler and resets it with the detector', () => {
  let resets = 0;
  const calls: [number, number][] = [];
  const k = new KSWIN({
    window_size: 10,
    stat_size: 3,
    sampler: {
      sample: (n, size) => {
        calls.push([n, size]);
        return [0, 1, 2];
      },
      reset: () => resets++,
    },
  });
  // Older part always sampled at 0..2 = zeros, recent part all 5s: D = 1, p ~ 0.1 > alpha.
  detect(k, [0, 0, 0, 0, 0, 0, 0, 5, 5, 5, 5]);
  assert.deepEqual(calls, [
    [7, 3],
    [7, 3],
  ]);
  assert.equal(k.pValue, 0.09999999999999999); // scipy ks_2samp([0, 0, 0], [5, 5, 5]).pvalue
  k.reset();
  assert.equal(resets, 1);
});

test('CUSUM: docstring indices', () => {
  assert.deepEqual(detect(new CUSUM(), stream('cusum_12345_gauss')).drift, [201, 251]);
});

test('DDM: docstring events and test-suite indices', () => {
  assert.deepEqual(docstringEvents(new DDM(), stream('binary_42_weighted')), ['warning 1084', 'drift 1334', 'warning 1492']);
  assert.deepEqual(detect(new DDM(), stream('test_stream_2')).drift, [1049]);
  assert.deepEqual(detect(new DDM(), Array(1000).fill(1)).drift, []);
});

test('EDDM: docstring events and test-suite indices', () => {
  assert.deepEqual(docstringEvents(new EDDM({ alpha: 0.8, beta: 0.75 }), stream('binary_42_weighted')), ['warning 1059', 'drift 1278']);
  assert.deepEqual(detect(new EDDM({ alpha: 0.9, beta: 0.8 }), stream('test_stream_2')).drift, [1059]);
});

test('HDDM_A: docstring events, one- and two-sided test-suite indices', () => {
  assert.deepEqual(docstringEvents(new HDDMA(), stream('binary_42_weighted')), ['warning 451', 'drift 1206']);
  assert.deepEqual(detect(new HDDMA(), stream('test_stream_2')).drift, [1047]);
  assert.deepEqual(detect(new HDDMA({ two_sided_test: true }), stream('test_stream_3')).drift, [531, 1015, 1545]);
});

test('HDDM_W: docstring events, one- and two-sided test-suite indices', () => {
  assert.deepEqual(docstringEvents(new HDDMW(), stream('binary_42_weighted')), ['warning 451', 'drift 1077']);
  assert.deepEqual(detect(new HDDMW(), stream('test_stream_2')).drift, [1018]);
  assert.deepEqual(detect(new HDDMW({ two_sided_test: true }), stream('test_stream_3')).drift, [507, 1032, 1508]);
});

test('FHDDM: docstring index (alarms when the share of 1s drops)', () => {
  assert.deepEqual(detect(new FHDDM(), stream('fhddm_42')).drift, [315]);
});
