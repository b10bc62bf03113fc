import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIO, runCli } from '../helpers/cli';
import { makeWorkspace } from './workspace';
import { scratchDir } from '../helpers/scratch';

const posix = process.platform !== 'win32';

test('check and report refuse a FIFO as the config, as a configured path and as an output', { skip: !posix }, async () => {
  const dir = scratchDir('check-fifo');
  try {
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    writeFileSync(join(dir, 'fifo-manifest.json'), '{\n  "integrity": [{ "name": "c", "manifest": "pipe" }]\n}\n');
    writeFileSync(join(dir, 'modelmon.json'), '{}\n');
    const config = await runCli(['check', '--config', 'pipe'], '', dir);
    assert.equal(config.code, 2);
    assert.equal(config.err, 'pipe:1: cannot read the config: not a regular file (a FIFO, socket or device)\n');
    const manifest = await runCli(['check', '--config', 'fifo-manifest.json'], '', dir);
    assert.equal(manifest.code, 2);
    assert.equal(manifest.err, 'fifo-manifest.json:2: integrity[0].manifest "pipe" is a FIFO, socket or device, not a file\n');
    for (const args of [['check', '--junit', 'pipe'], ['check', '--markdown', 'pipe'], ['report', '--html', 'pipe']]) {
      const r = await runCli(args, '', dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, new RegExp(`^modelmon ${args[0]}: cannot write pipe: it is a FIFO\\n`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('check and report name an output path that is a folder, or lies under a file', async () => {
  const dir = scratchDir('check-out');
  try {
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'modelmon.json'), '{}\n');
    for (const args of [['check', '--junit', 'out'], ['report', '--html', 'out']]) {
      const r = await runCli(args, '', dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, new RegExp(`^modelmon ${args[0]}: cannot write out: it is a folder\\n`));
    }
    const under = await runCli(['check', '--junit', 'modelmon.json/junit.xml'], '', dir);
    assert.equal(under.code, 2);
    assert.match(under.err, /^modelmon check: cannot write .*modelmon\.json\/junit\.xml: a file stands where a folder should\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('modelmon with no command prints the help to stderr and exits 2; --help prints it to stdout', async () => {
  const bare = await runCli([]);
  assert.equal(bare.code, 2);
  assert.equal(bare.out, '');
  assert.match(bare.err, /^modelmon: training-run/);
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /^modelmon: training-run/);
});

test('check and report cut short by SIGTERM say so and exit 143, writing no verdict or report', async () => {
  const ws = makeWorkspace();
  try {
    for (const args of [['check', '--junit', 'junit.xml'], ['report', '--html', 'report.html']]) {
      const io = captureIO({ cwd: ws, signal: AbortSignal.abort('SIGTERM') });
      const code = await main(args, io);
      assert.equal(code, 143, io.stdout() + io.stderr());
      assert.equal(io.stdout(), '');
      assert.equal(io.stderr(), `modelmon ${args[0]}: interrupted\n`);
      assert.ok(!existsSync(join(ws, args[2]!)), `${args[2]} was written`);
    }
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
