import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chi2Contingency } from '../../../src/core/stats';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';

test('chi2 on an all-zero table throws instead of returning NaN', () => {
  assert.throws(() => chi2Contingency([[0, 0], [0, 0]]), { name: 'RangeError', message: /expected count of zero at \(1, 1\)/ });
});

test('stats chi2 --table "0,0;0,0" is a usage error, not {"statistic": null}', async () => {
  const r = await runCli(['stats', 'chi2', '--table', '0,0;0,0']);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.match(r.err, /^modelmon stats: contingency table has an expected count of zero at \(1, 1\): a row or column sums to zero\n/);
});

test('stats --current refuses a FIFO instead of waiting for a writer', { skip: process.platform === 'win32' }, async () => {
  const dir = scratchDir('stats-fifo');
  try {
    writeFileSync(join(dir, 'ref.txt'), '1\n2\n3\n');
    execFileSync('mkfifo', [join(dir, 'cur.fifo')]);
    const r = await runCli(['stats', 'ks', '-r', 'ref.txt', '-c', 'cur.fifo'], '', dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /^modelmon stats: cannot read cur\.fifo: not a regular file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a binary line is quoted without its control characters, so it cannot drive the terminal', async () => {
  const r = await runCli(['detect', 'adwin'], '1\n2\n\u001b]0;pwned\u0007\u0000x\n');
  assert.equal(r.code, 2);
  assert.match(r.err, /^modelmon detect: stdin, line 3: '\?\]0;pwned\?\?x' is not a number\n/);
});
