import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { scanCheckpointFile } from '../../../src/io/integrity';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { FIXTURES } from './builders';

const posix = process.platform !== 'win32';

function workspace(): string {
  const dir = scratchDir('integrity-robust');
  copyFileSync(join(FIXTURES, 'digits_cnn.pt'), join(dir, 'model.pt'));
  if (posix) {
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    symlinkSync(join(dir, 'pipe'), join(dir, 'pipe.pt'));
  }
  return dir;
}

test('scan, snapshot and diff refuse a FIFO by name instead of waiting for a writer', { skip: !posix }, async () => {
  const dir = workspace();
  try {
    for (const args of [['scan', 'pipe.pt'], ['snapshot', 'pipe.pt', '--manifest', 'm.json']]) {
      const r = await runCli(['integrity', ...args], '', dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, /^modelmon integrity: not a regular file or folder \(a FIFO, socket or device\): .*pipe\.pt\n/);
    }
    const diff = await runCli(['integrity', 'diff', 'model.pt', 'pipe.pt'], '', dir);
    assert.equal(diff.code, 2);
    assert.match(diff.err, /^modelmon integrity: .*pipe\.pt: not a regular file \(a FIFO, socket or device\)\n/);
    const verify = await runCli(['integrity', 'verify', '--manifest', 'pipe'], '', dir);
    assert.equal(verify.code, 2);
    assert.match(verify.err, /^modelmon integrity: cannot read manifest .*pipe: not a regular file\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('snapshot --manifest: a folder is named as such; missing parent folders are created', async () => {
  const dir = workspace();
  try {
    mkdirSync(join(dir, 'out'));
    const r = await runCli(['integrity', 'snapshot', 'model.pt', '--manifest', 'out'], '', dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /^modelmon integrity: cannot write manifest out: it is a folder\n/);
    assert.deepEqual(readdirSync(join(dir, 'out')), [], 'no temporary file left behind');
    const nested = await runCli(['integrity', 'snapshot', 'model.pt', '--manifest', 'reports/ci/manifest.json'], '', dir);
    assert.equal(nested.code, 0, nested.err);
    assert.ok(existsSync(join(dir, 'reports', 'ci', 'manifest.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a FIFO named like a checkpoint scans as malformed at once, wherever it is scanned from', { skip: !posix }, async () => {
  const dir = workspace();
  try {
    // The host's checkpoint watcher and `modelmon check` reach the reader without the CLI's checks.
    const report = await scanCheckpointFile(join(dir, 'pipe.pt'), 'pipe.pt');
    assert.deepEqual(report, {
      path: 'pipe.pt',
      format: 'unknown',
      verdict: 'malformed',
      findings: [{ severity: 'high', message: 'cannot read: not a regular file (a FIFO, socket or device)' }],
    });
    assert.equal((await scanCheckpointFile(dir, 'dir')).findings[0]!.message, 'cannot read: is a folder');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
