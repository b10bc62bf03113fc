import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { stream } from './streams';

const lines = (xs: number[]) => xs.join('\n') + '\n';

test('detect adwin over stdin prints river\'s index and every effective parameter', async () => {
  const r = await runCli(['detect', 'adwin'], lines(stream('docstring_12345_choices')));
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), {
    detector: 'adwin',
    params: { delta: 0.002, clock: 32, max_buckets: 5, min_window_length: 5, grace_period: 10 },
    drift: [1023],
  });
});

test('detect reads --input relative to the working directory and takes river-named --param', async () => {
  const dir = scratchDir('detect');
  writeFileSync(join(dir, 'stream.txt'), lines(stream('docstring_12345_choices')));
  const r = await runCli(['detect', 'kswin', '--param', 'alpha=0.0001', '--param', 'seed=42', '--input', 'stream.txt'], '', dir);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), {
    detector: 'kswin',
    params: { alpha: 0.0001, window_size: 100, stat_size: 30, seed: 42 },
    drift: [1016],
  });
});

test('detect: binary detectors also list warnings; blank lines are skipped', async () => {
  const values = stream('binary_42_weighted');
  const text = values.map((v, i) => (i % 100 === 0 ? `\n${v}` : String(v))).join('\n');
  const r = await runCli(['detect', 'hddm-a', '-p', 'two_sided_test=false'], text);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out);
  assert.deepEqual(out.params, { drift_confidence: 0.001, warning_confidence: 0.005, two_sided_test: false });
  assert.deepEqual(out.drift, [1206]);
  assert.equal(out.warning[0], 451);
  assert.equal(out.warning.length, 75);
});

test('detect: bad input exits 2 with a message naming the line or parameter, never a stack', async () => {
  const cases: [string[], string, RegExp][] = [
    [['detect', 'adwin'], '1\n2\nabc\n', /stdin, line 3: 'abc' is not a number/],
    [['detect', 'adwin'], '\n\n', /stdin holds no numbers/],
    [['detect', 'nope'], '1\n', /unknown detector 'nope'/],
    [['detect'], '1\n', /which detector\?/],
    [['detect', 'adwin', '--param', 'foo=1'], '1\n', /adwin: unknown parameter 'foo'/],
    [['detect', 'adwin', '--param', 'delta=2'], '1\n', /parameter 'delta' must be < 1 \(got 2\)/],
    [['detect', 'page-hinkley', '--param', 'mode=sideways'], '1\n', /'mode' must be one of/],
    [['detect', 'adwin', '--param', 'delta'], '1\n', /--param 'delta' must look like name=value/],
    [['detect', 'adwin', '--bogus'], '1\n', /Unknown option '--bogus'/],
    [['detect', 'adwin', '--input', 'no-such-file.txt'], '', /cannot read no-such-file.txt: no such file/],
    [['detect', 'adwin'], '1\nInfinity\n', /line 2: 'Infinity' is not a number/],
  ];
  for (const [argv, stdin, message] of cases) {
    const r = await runCli(argv, stdin);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /\n\s+at /);
    assert.equal(r.out, '');
  }
});
