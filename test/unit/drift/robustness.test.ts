import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIO, runCli } from '../helpers/cli';
import { buildCliBundle } from '../helpers/cliBundle';
import { scratchDir } from '../helpers/scratch';

const posix = process.platform !== 'win32';

test('detect --input refuses a FIFO nobody writes to instead of waiting forever', { skip: !posix }, async () => {
  const dir = scratchDir('detect-fifo');
  try {
    execFileSync('mkfifo', [join(dir, 'scores.fifo')]);
    const r = await runCli(['detect', 'adwin', '--input', 'scores.fifo'], '', dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /^modelmon detect: cannot read scores\.fifo: not a regular file \(a FIFO, socket or device\); pipe it to stdin instead\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('detect --input names a folder as a folder', async () => {
  const dir = scratchDir('detect-dir');
  try {
    mkdirSync(join(dir, 'scores'));
    const r = await runCli(['detect', 'adwin', '--input', 'scores'], '', dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /^modelmon detect: cannot read scores: it is a folder\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM ends a command stuck on input that never ends at once (killed by the signal: 143 in a shell)', { skip: !posix }, async () => {
  // The bundle starts in milliseconds; under `--import tsx` a loaded machine could still be
  // compiling when the signal came, before the CLI's handler existed.
  const cli = await buildCliBundle('detect-sigterm');
  const child = spawn(process.execPath, [cli, 'detect', 'adwin'], { stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    await new Promise((r) => setTimeout(r, 1500)); // let it start and block on stdin, which stays open
    const started = Date.now();
    child.kill('SIGTERM');
    // Nothing to clean up, so the CLI keeps no handler and the signal's default action ends it.
    const ended = await new Promise<string>((resolve) => {
      child.on('exit', (c, s) => resolve(`${c} ${s}`));
      setTimeout(() => resolve('still running'), 8000).unref();
    });
    const ms = Date.now() - started;
    assert.equal(ended, 'null SIGTERM', `after ${ms} ms`);
    assert.ok(ms < 1000, `ended ${ms} ms after the signal`);
  } finally {
    child.kill('SIGKILL');
  }
});

test('detect refuses input longer than one string can hold, by name, before reading it', async () => {
  const dir = scratchDir('detect-huge');
  try {
    const fd = openSync(join(dir, 'huge.txt'), 'w');
    ftruncateSync(fd, 600 * 2 ** 20); // sparse: no disk or time spent
    closeSync(fd);
    const file = await runCli(['detect', 'adwin', '--input', 'huge.txt'], '', dir);
    assert.equal(file.code, 2);
    assert.match(file.err, /^modelmon detect: huge\.txt is over 511 MiB, more than one read can hold; pass a sample or split it\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const block = Buffer.alloc(2 ** 20, '1\n');
  const io = { ...captureIO(), stdin: Readable.from((function* () { for (let i = 0; i < 600; i++) yield block; })()) };
  assert.equal(await main(['detect', 'adwin'], io), 2);
  assert.match(io.stderr(), /^modelmon detect: stdin is over 511 MiB/);
});
