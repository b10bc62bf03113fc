import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isAlive, STAND_IN_BIN, waitForExit } from './helpers';
import { buildCliBundle } from '../helpers/cliBundle';
import { scratchDir } from '../helpers/scratch';

const tmp = scratchDir('gpu-cli');
let cli = '';
const PATH_WITH_SMI = `${STAND_IN_BIN}${delimiter}${process.env.PATH}`;
/** A PATH that still finds `node` (the stand-in's interpreter) but no nvidia-smi. */
const PATH_WITHOUT_SMI = (process.env.PATH ?? '').split(delimiter).filter((d) => !existsSync(join(d, 'nvidia-smi'))).join(delimiter);

before(async () => {
  cli = await buildCliBundle('gpu-cli');
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs the CLI; `onStdout` may end it early, with a signal or by closing the pipe it writes to.
 * A hard 20 s limit keeps a bug from hanging the suite.
 */
function runCli(
  args: string[],
  env: Record<string, string>,
  onStdout?: (text: string, kill: (s: NodeJS.Signals) => void, closeStdout: () => void) => void,
): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const limit = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onStdout?.(stdout, (s) => child.kill(s), () => child.stdout.destroy());
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

const logPids = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => Number(l.split(' ')[0])) : []);

const FIXTURE_GPU = {
  index: 0,
  vendor: 'nvidia',
  name: 'NVIDIA H100 80GB HBM3',
  uuid: 'GPU-c8c15712-c8dc-d96a-c46e-698c8453498d',
  utilizationGpu: 0,
  utilizationMemory: 0,
  memoryUsedMiB: 0,
  memoryTotalMiB: 81559,
  temperatureC: 49,
  powerW: 128.01,
  powerLimitW: 700,
  smClockMHz: 405,
  pstate: 'P0',
  throttleReasons: ['gpu_idle'],
  fanPercent: null, // [N/A] on this board
  memoryTemperatureC: 50,
  eccUncorrectedVolatile: 0,
  migEnabled: false,
};

test('gpu --once --json prints the fixture values, null for [N/A]', async () => {
  const r = await runCli(['gpu', '--once', '--json'], { PATH: PATH_WITH_SMI });
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const sample = JSON.parse(lines[0]!);
  assert.deepEqual(Object.keys(sample), ['ts', 'gpus', 'host']);
  assert.match(sample.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(sample.gpus, [FIXTURE_GPU]);
  assert.deepEqual(Object.keys(sample.host), ['cpuPercent', 'memoryUsedMiB', 'memoryTotalMiB', 'diskReadBytesPerSec', 'diskWriteBytesPerSec', 'netRxBytesPerSec', 'netTxBytesPerSec']);
  assert.equal(typeof sample.host.memoryTotalMiB, 'number');
});

test('gpu --once without --json prints a readable line', async () => {
  const r = await runCli(['gpu', '--once'], { PATH: PATH_WITH_SMI });
  assert.equal(r.code, 0);
  const [gpu, host] = r.stdout.trimEnd().split('\n');
  assert.equal(gpu!.slice(9), 'GPU0 NVIDIA H100 80GB HBM3  util 0%  mem 0/81559 MiB  49°C  128/700 W  SM 405 MHz  P0  [gpu_idle]');
  assert.match(host!, /^\d\d:\d\d:\d\d host  cpu /);
});

test('no nvidia-smi on PATH: exit 3 and one clear line', async () => {
  const r = await runCli(['gpu', '--once', '--json'], { PATH: PATH_WITHOUT_SMI });
  // The default backend (auto) looks for every vendor's tool.
  assert.deepEqual([r.code, r.stdout, r.stderr], [3, '', 'modelmon gpu: no GPU found: nvidia-smi, amd-smi and rocm-smi are not on PATH\n']);
  const follow = await runCli(['gpu', '--backend', 'nvidia-smi'], { PATH: PATH_WITHOUT_SMI });
  assert.deepEqual([follow.code, follow.stdout, follow.stderr], [3, '', 'modelmon gpu: no NVIDIA GPU found: nvidia-smi is not on PATH\n']);
  const explicit = await runCli(['gpu', '--smi', join(tmp, 'missing', 'nvidia-smi')], { PATH: PATH_WITH_SMI });
  assert.equal(explicit.code, 3);
  assert.equal(explicit.stderr, `modelmon gpu: no NVIDIA GPU found: nvidia-smi is not at ${join(tmp, 'missing', 'nvidia-smi')}\n`);
});

test('no driver: exit 3 with nvidia-smi\'s reason, once and following', async () => {
  const env = { PATH: PATH_WITH_SMI, MODELMON_FAKE_SMI_MODE: 'nodriver' };
  const msg = "modelmon gpu: no NVIDIA GPU found: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n";
  for (const args of [['gpu', '--once'], ['gpu']]) {
    const r = await runCli(args, env);
    assert.deepEqual([r.code, r.stdout, r.stderr], [3, '', msg]);
  }
});

test('--once with an nvidia-smi that prints nothing: bounded wait, clear error, child gone', async () => {
  const log = join(tmp, 'hang.log');
  const r = await runCli(['gpu', '--once', '--json'], { PATH: PATH_WITH_SMI, MODELMON_FAKE_SMI_MODE: 'hang', MODELMON_FAKE_SMI_LOG: log });
  assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', 'modelmon gpu: nvidia-smi gave no answer within 5.0 s\n']);
  assert.ok(r.ms >= 4900 && r.ms < 15_000, `took ${r.ms} ms`);
  const pids = logPids(log);
  assert.equal(pids.length, 1);
  await waitForExit(pids[0]!, 3000);
});

test('SIGTERM ends a following CLI cleanly, and its nvidia-smi with it', async () => {
  const log = join(tmp, 'follow.log');
  const env = { PATH: PATH_WITH_SMI, MODELMON_FAKE_SMI_SPEED: '10', MODELMON_FAKE_SMI_LOG: log };
  let sent = false;
  const r = await runCli(['gpu', '--json', '--interval', '250'], env, (out, kill) => {
    if (!sent && out.split('\n').length > 4) {
      sent = true;
      kill('SIGTERM');
    }
  });
  assert.equal(r.stderr, '');
  assert.deepEqual([r.code, r.signal], [0, null]);
  const samples = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(samples.slice(0, 4).map((s) => s.gpus[0].powerW), [128.01, 121.91, 109.01, 96.16]);
  const pids = logPids(log);
  assert.equal(pids.length, 2); // the probe and the one streaming process
  for (const pid of pids) await waitForExit(pid, 3000);
});

test('a reader that leaves ends a following CLI promptly and quietly, and its nvidia-smi with it', async (t) => {
  const log = join(tmp, 'closed.log');
  // Should the CLI hang and be killed, its silent nvidia-smi must not outlive the test.
  t.after(() => {
    for (const pid of logPids(log)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  // The probe's sample and one streamed line, then silence (a 60 s interval, a stream that hangs):
  // no later write can fail and give the closed pipe away.
  const env = { PATH: PATH_WITH_SMI, MODELMON_FAKE_SMI_MODE: 'hang-stream', MODELMON_FAKE_SMI_LINES: '1', MODELMON_FAKE_SMI_LOG: log };
  let closedAt = 0;
  const r = await runCli(['gpu', '--json', '--interval', '60000'], env, (out, _kill, closeStdout) => {
    if (!closedAt && out.split('\n').length > 2) {
      closedAt = Date.now();
      closeStdout();
    }
  });
  const ms = Date.now() - closedAt;
  assert.deepEqual([r.code, r.signal, r.stderr], [0, null, '']);
  assert.equal(JSON.parse(r.stdout.split('\n')[0]!).gpus[0].powerW, 128.01);
  assert.ok(ms < 2500, `exited ${ms} ms after its stdout closed`);
  const pids = logPids(log);
  assert.equal(pids.length, 2); // the probe and the one streaming process
  for (const pid of pids) await waitForExit(pid, 3000);
});

test('modelmon gpu | head -c 1 in a shell: the next sample ends it with status 0, no message, no nvidia-smi left', async (t) => {
  const log = join(tmp, 'shell-pipe.log');
  t.after(() => {
    for (const pid of logPids(log)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  // A shell pipe, unlike the socket Node gives a child, says nothing of its reader until a write.
  const script = '"$0" "$1" gpu --json --interval 250 | head -c 1 >/dev/null; echo "status ${PIPESTATUS[0]}"';
  const t0 = Date.now();
  const r = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
    // Its own process group, so that the limit ends the whole pipeline and not bash alone.
    const shell = spawn('bash', ['-c', script, process.execPath, cli], {
      env: { ...process.env, PATH: PATH_WITH_SMI, MODELMON_FAKE_SMI_SPEED: '10', MODELMON_FAKE_SMI_LOG: log },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    const limit = setTimeout(() => process.kill(-shell.pid!, 'SIGKILL'), 20_000);
    shell.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    shell.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    shell.on('close', () => {
      clearTimeout(limit);
      resolve({ stdout, stderr });
    });
  });
  const ms = Date.now() - t0;
  assert.deepEqual(r, { stdout: 'status 0\n', stderr: '' });
  assert.ok(ms < 5000, `the pipeline took ${ms} ms`);
  for (const pid of logPids(log)) await waitForExit(pid, 3000);
});

test('a crashing nvidia-smi: the CLI says it is retrying, on stderr, and keeps sampling', async () => {
  const log = join(tmp, 'crash.log');
  const env = { PATH: PATH_WITH_SMI, MODELMON_FAKE_SMI_SPEED: '10', MODELMON_FAKE_SMI_MODE: 'crash', MODELMON_FAKE_SMI_LINES: '2', MODELMON_FAKE_SMI_LOG: log };
  let sent = false;
  const r = await runCli(['gpu', '--json', '--interval', '250'], env, (out, kill) => {
    if (!sent && out.split('\n').length > 6) {
      sent = true;
      kill('SIGINT');
    }
  });
  assert.equal(r.code, 0);
  assert.ok(r.stderr.startsWith('modelmon gpu: nvidia-smi was killed by SIGSEGV; retrying in 1.0 s (attempt 1)\n'), r.stderr);
  assert.ok(r.stdout.trim().split('\n').length >= 6);
  for (const pid of logPids(log)) await waitForExit(pid, 3000);
});

test('bad arguments exit 2 with the reason and the usage', async () => {
  for (const [args, reason] of [
    [['gpu', '--interval', 'fast'], "--interval must be a whole number of milliseconds from 100 to 3600000, got 'fast'"],
    [['gpu', '--interval', '50'], "--interval must be a whole number of milliseconds from 100 to 3600000, got '50'"],
    [['gpu', '--gpu', 'x'], "--gpu must be a GPU index or 'all', got 'x'"],
  ] as const) {
    const r = await runCli([...args], { PATH: PATH_WITH_SMI });
    assert.equal(r.code, 2);
    assert.ok(r.stderr.startsWith(`modelmon gpu: ${reason}\nusage: modelmon gpu `), r.stderr);
  }
  const unknown = await runCli(['gpu', '--bogus'], { PATH: PATH_WITH_SMI });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^modelmon gpu: Unknown option '--bogus'/);
});
