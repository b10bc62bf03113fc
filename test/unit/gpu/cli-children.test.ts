import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildCliBundle } from '../helpers/cliBundle';
import { scratchDir } from '../helpers/scratch';
import { fastProducer, forkingWrapper, killLeftovers, waitForGroupGone, wrapperRuns } from './processGroups';

const posix = process.platform !== 'win32';
const dir = scratchDir('gpu-cli-children');
const hanging = forkingWrapper(dir, 'hang-smi', 'hang');
const streamHang = forkingWrapper(dir, 'stream-hang-smi', 'answer');
let cli = '';
before(async () => {
  cli = await buildCliBundle('gpu-cli-children');
});
after(() => {
  killLeftovers(hanging.log);
  killLeftovers(streamHang.log);
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from start to exit, and from the signal (if any) to exit. */
  ms: number;
  afterSignalMs: number | undefined;
}

type Watch = (out: string, err: string, kill: (s: NodeJS.Signals) => void, pid: number) => void;

/** Runs the CLI bundle; `watch` sees its output as it comes (and every 20 ms) and may signal it. Killed after 20 s. */
function runCli(args: string[], watch?: Watch): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let signalledAt: number | undefined;
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // One signal only: a second one means "now", and ends the CLI without its cleanup.
    const kill = (s: NodeJS.Signals) => {
      if (signalledAt !== undefined) return;
      signalledAt = Date.now();
      child.kill(s);
    };
    const limit = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const poll = setInterval(() => watch?.(stdout, stderr, kill, child.pid!), 20);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      watch?.(stdout, stderr, kill, child.pid!);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      watch?.(stdout, stderr, kill, child.pid!);
    });
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      clearInterval(poll);
      const end = Date.now();
      resolve({ code, signal, stdout, stderr, ms: end - t0, afterSignalMs: signalledAt === undefined ? undefined : end - signalledAt });
    });
  });
}

async function assertWrappersGone(log: string, runs: number): Promise<void> {
  const all = wrapperRuns(log);
  assert.equal(all.length, runs);
  for (const { shell } of all) await waitForGroupGone(shell);
}

test('gpu --once with a wrapper that forks sleep: exit 2 at its 5 s limit with a clear message, no process left', { skip: !posix }, async () => {
  const r = await runCli(['gpu', '--once', '--json', '--smi', hanging.path]);
  assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', 'modelmon gpu: nvidia-smi gave no answer within 5.0 s\n']);
  assert.ok(r.ms >= 4900 && r.ms < 7500, `took ${r.ms} ms`);
  await assertWrappersGone(hanging.log, 1);
});

test('Ctrl-C during gpu --once ends it within a second (130, "interrupted"), the wrapper and its sleep with it', { skip: !posix }, async () => {
  const runs = wrapperRuns(hanging.log).length;
  // Polled: --once prints nothing while its probe hangs, so the signal goes once the wrapper forked.
  const r = await runCli(['gpu', '--once', '--smi', hanging.path], (_out, _err, kill) => {
    if (wrapperRuns(hanging.log).length === runs + 1) kill('SIGINT');
  });
  assert.deepEqual([r.code, r.signal, r.stdout, r.stderr], [130, null, '', 'modelmon gpu: interrupted\n']);
  assert.ok(r.afterSignalMs! < 1000, `ended ${r.afterSignalMs} ms after SIGINT`);
  await assertWrappersGone(hanging.log, runs + 1);
});

test('gpu following a wrapper that hangs: says it is retrying, and SIGTERM ends it (exit 0) with every sleep gone', { skip: !posix }, async () => {
  const runs = wrapperRuns(hanging.log).length;
  const r = await runCli(['gpu', '--json', '--smi', hanging.path], (_out, err, kill) => {
    if (err.includes('retrying')) kill('SIGTERM');
  });
  assert.deepEqual([r.code, r.signal, r.stdout], [0, null, '']);
  assert.equal(r.stderr, 'modelmon gpu: nvidia-smi gave no answer within 5.0 s; retrying in 1.0 s (attempt 1)\n');
  assert.ok(r.afterSignalMs! < 1500, `ended ${r.afterSignalMs} ms after SIGTERM`);
  const started = wrapperRuns(hanging.log).length - runs;
  assert.ok(started >= 1 && started <= 2, `${started} probes`); // the hung probe, perhaps its retry
  await assertWrappersGone(hanging.log, runs + started);
});

test('gpu following a stream wrapper that forks sleep: Ctrl-C ends it promptly, the stream group gone', { skip: !posix }, async () => {
  const r = await runCli(['gpu', '--json', '--smi', streamHang.path], (out, _err, kill) => {
    if (out.includes('\n') && wrapperRuns(streamHang.log).length === 1) kill('SIGINT');
  });
  assert.deepEqual([r.code, r.signal, r.stderr], [0, null, '']);
  assert.equal(JSON.parse(r.stdout.trim()).gpus[0].powerW, 128.01); // the probe's sample
  assert.ok(r.afterSignalMs! < 2000, `ended ${r.afterSignalMs} ms after SIGINT`);
  await assertWrappersGone(streamHang.log, 1);
});

// Before samples were dropped, this producer took gpu from 51 to 269 MiB in 8 s (1.6 GB in 20 s);
// now RSS levels off near 120 MiB within 5 s and stays there (20 s measured).
test('gpu with a producer writing as fast as it can for 8 s: RSS under 200 MiB and level, the newest sample printed', { skip: !posix }, async () => {
  const smi = fastProducer(dir, 'fast-smi', { ms: 8000, final: 4242 });
  const rss: number[] = [];
  let sampler: NodeJS.Timeout | undefined;
  const r = await runCli(['gpu', '--json', '--interval', '100', '--smi', smi], (out, _err, kill, pid) => {
    sampler ??= setInterval(() => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) rss.push(Number(m[1]) / 1024);
      } catch {
        /* exited */
      }
    }, 250);
    if (out.endsWith('\n') && out.slice(out.lastIndexOf('\n', out.length - 2) + 1).includes('"powerW":4242')) kill('SIGTERM');
  });
  clearInterval(sampler);
  assert.deepEqual([r.code, r.signal, r.stderr], [0, null, '']);
  const printed = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { gpus: { powerW: number }[] });
  assert.equal(printed.at(-1)!.gpus[0]!.powerW, 4242);
  assert.ok(printed.length > 10, `${printed.length} samples printed`);
  const readings = rss.map((x) => x.toFixed(0)).join(' ');
  assert.ok(rss.length >= 24, `${rss.length} RSS readings`);
  const half = rss.length >> 1;
  const firstPeak = Math.max(...rss.slice(0, half));
  const lastPeak = Math.max(...rss.slice(half));
  assert.ok(lastPeak < 200, `peak ${lastPeak.toFixed(0)} MiB (${readings})`);
  assert.ok(lastPeak - firstPeak < 40, `grew ${(lastPeak - firstPeak).toFixed(0)} MiB in the second half (${readings})`);
});
