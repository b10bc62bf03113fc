import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { lcgSample } from './lcg';

const dir = scratchDir('stats');
// The same samples as the scipy reference cases with seeds 3 / 4 (n = 100 / 137, shift 0.5).
writeFileSync(join(dir, 'ref.txt'), lcgSample(3, 100).map((x) => x.toPrecision(17)).join('\n') + '\n');
writeFileSync(join(dir, 'cur.txt'), '\n' + lcgSample(4, 137, 0.5).map((x) => x.toPrecision(17)).join('\n') + '\n\n');
writeFileSync(join(dir, 'bad.txt'), '1.5\n2\n3,5\n');

const stats = (...args: string[]) => runCli(['stats', ...args], '', dir);

test('stats ks prints scipy ks_2samp statistic and p-value', async () => {
  const r = await stats('ks', '--reference', 'ref.txt', '--current', 'cur.txt');
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out);
  assert.deepEqual(Object.keys(out), ['test', 'statistic', 'p_value']);
  assert.equal(out.test, 'ks');
  assert.ok(Math.abs(out.statistic - 0.3426277372262774) < 1e-12);
  assert.ok(Math.abs(out.p_value - 1.5250155003659262e-6) / 1.5250155003659262e-6 < 1e-9);
});

test('stats distances print a statistic and no p-value', async () => {
  for (const test of ['wasserstein', 'jensenshannon', 'psi', 'hellinger']) {
    const r = await stats(test, '-r', 'ref.txt', '-c', 'cur.txt', ...(test === 'wasserstein' ? [] : ['--bins', '8']));
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out);
    assert.equal(out.test, test);
    assert.ok(out.statistic > 0.05 && out.statistic < 1, `${test} ${out.statistic}`);
    assert.equal('p_value' in out, false);
  }
});

test('stats chi2 --table prints statistic, p-value and dof (scipy chi2_contingency)', async () => {
  const r = await stats('chi2', '--table', '50,30,20;30,45,25');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), { test: 'chi2', statistic: 8.555555555555557, p_value: 0.013873457762527498, dof: 2 });
});

test('stats: bad input exits 2 with a message naming the line, cell or option', async () => {
  const cases: [string[], RegExp][] = [
    [['ks', '-r', 'ref.txt', '-c', 'bad.txt'], /bad.txt, line 3: '3,5' is not a number/],
    [['ks', '-r', 'ref.txt'], /--current FILE is required/],
    [['ks', '-r', 'ref.txt', '-c', 'cur.txt', '--bins', '4'], /--bins applies to jensenshannon, psi and hellinger only/],
    [['psi', '-r', 'ref.txt', '-c', 'cur.txt', '--bins', '0'], /--bins must be an integer from 1 to 100000/],
    [['chi2', '--table', '1,2;3,x'], /table row 2, column 2: 'x' is not a non-negative number/],
    [['chi2', '--table', '1,2;3'], /row 2 has 1 cells, expected 2/],
    [['chi2'], /chi2 needs --table/],
    [['anderson', '-r', 'ref.txt', '-c', 'cur.txt'], /unknown statistic 'anderson'/],
    [['ks', '-r', 'missing.txt', '-c', 'cur.txt'], /cannot read missing.txt: no such file/],
  ];
  for (const [argv, message] of cases) {
    const r = await stats(...argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /\n\s+at /);
  }
});
