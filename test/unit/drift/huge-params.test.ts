import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriftParameterError } from '../../../src/core/drift/detector';
import { createDetector, DETECTOR_NAMES, detectorParamNames } from '../../../src/core/drift/registry';
import { runCli } from '../helpers/cli';

const HUGE: [string, number][] = [
  ['2^32', 2 ** 32],
  ['2^53', 2 ** 53],
  ['Infinity', Infinity],
  ['NaN', NaN],
];

/** Parameters river lets be that large (counts, thresholds, a seed): they must work, not just construct. */
const ACCEPTS_HUGE_FINITE = new Set([
  'adwin.clock',
  'adwin.min_window_length',
  'adwin.grace_period',
  'page-hinkley.min_instances',
  'page-hinkley.delta',
  'page-hinkley.threshold',
  'kswin.seed',
  'cusum.min_instances',
  'cusum.slack',
  'cusum.threshold',
  'ddm.warm_start',
  'ddm.warning_threshold',
  'ddm.drift_threshold',
  'eddm.warm_start',
]);

test('every parameter of all nine detectors, given 2^32, 2^53, Infinity or NaN, works or is refused by name', () => {
  let refused = 0;
  for (const name of DETECTOR_NAMES) {
    for (const param of detectorParamNames(name)) {
      for (const [label, value] of HUGE) {
        const at = `${name}.${param}=${label}`;
        let error: unknown;
        try {
          const detector = createDetector(name, { [param]: value });
          for (let i = 0; i < 64; i++) detector.update(i % 2);
        } catch (e) {
          error = e;
        }
        if (ACCEPTS_HUGE_FINITE.has(`${name}.${param}`) && Number.isFinite(value)) {
          assert.equal(error, undefined, `${at}: ${String(error)}`);
          continue;
        }
        refused++;
        assert.ok(error instanceof DriftParameterError, `${at} threw ${String(error)}`);
        assert.equal(error.parameter, param, at);
        assert.ok(error.message.startsWith(`${name}: parameter '${param}' must be `), `${at}: ${error.message}`);
        assert.ok(error.message.endsWith(`(got ${String(value)})`), `${at}: ${error.message}`);
      }
    }
  }
  // 34 parameters x 4 values, less the 14 x 2 finite values river accepts.
  assert.equal(refused, 34 * 4 - 14 * 2);
});

test('the window sizes that allocate say their limit instead of failing inside a typed array', () => {
  const refusal = (name: (typeof DETECTOR_NAMES)[number], param: string, value: number) => {
    try {
      createDetector(name, { [param]: value });
      return 'accepted';
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.equal(refusal('kswin', 'window_size', 2 ** 32), "kswin: parameter 'window_size' must be <= 10000000 (got 4294967296)");
  assert.equal(refusal('fhddm', 'sliding_window_size', 2 ** 53), "fhddm: parameter 'sliding_window_size' must be <= 10000000 (got 9007199254740992)");
  assert.equal(refusal('adwin', 'max_buckets', 2 ** 32), "adwin: parameter 'max_buckets' must be <= 100000 (got 4294967296)");
  assert.equal(refusal('kswin', 'window_size', 10_000_000), 'accepted');
});

test('detect kswin --param window_size=4294967296 exits 2 naming the parameter', async () => {
  const r = await runCli(['detect', 'kswin', '--param', 'window_size=4294967296'], '0\n1\n');
  assert.equal(r.code, 2);
  assert.match(r.err, /^modelmon detect: kswin: parameter 'window_size' must be <= 10000000 \(got 4294967296\)\n/);
});
