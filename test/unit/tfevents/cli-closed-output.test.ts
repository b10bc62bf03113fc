// `modelmon tb --follow` whose reader leaves (`| head -1`): the process must end soon and quietly,
// although a quiet logdir gives it nothing more to write.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { buildCliBundle } from '../helpers/cliBundle';
import { scratchDir } from '../helpers/scratch';
import { FIXTURES } from './helpers';

const logdir = join(scratchDir('tb-closed-output'), 'nan_divergence');
let cli = '';

before(async () => {
  cpSync(join(FIXTURES, 'nan_divergence'), logdir, { recursive: true });
  cli = await buildCliBundle('tb-closed-output');
});

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  firstLine: string;
  stderr: string;
  /** From closing the pipe to the process's exit. */
  ms: number;
}

/** Runs `modelmon tb <logdir> --follow [args]`, reads one line, closes the pipe and waits for the exit (20 s at most). */
function closeAfterFirstLine(args: string[]): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'tb', logdir, '--follow', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let closedAt = 0;
    const limit = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!closedAt && stdout.includes('\n')) {
        closedAt = Date.now();
        child.stdout.destroy();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, firstLine: stdout.split('\n')[0]!, stderr, ms: Date.now() - closedAt });
    });
  });
}

test('tb --follow --json ends with status 0 and nothing on stderr soon after its reader leaves', async () => {
  // The whole first picture is one line: after it, only the closed pipe can end the process.
  const r = await closeAfterFirstLine(['--json']);
  assert.deepEqual([r.code, r.signal, r.stderr], [0, null, '']);
  assert.equal(JSON.parse(r.firstLine).runs.length, 1);
  assert.ok(r.ms < 2500, `exited ${r.ms} ms after its stdout closed`);
});

test('tb --follow (text) ends with status 0 and nothing on stderr soon after its reader leaves', async () => {
  const r = await closeAfterFirstLine([]);
  assert.deepEqual([r.code, r.signal, r.stderr], [0, null, '']);
  assert.equal(r.firstLine, '.  (1 file)');
  assert.ok(r.ms < 2500, `exited ${r.ms} ms after its stdout closed`);
});
