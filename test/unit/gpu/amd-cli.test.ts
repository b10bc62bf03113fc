import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { STAND_IN_BIN, waitForExit } from './helpers';
import { buildCliBundle } from '../helpers/cliBundle';
import { scratchDir } from '../helpers/scratch';

const tmp = scratchDir('gpu-amd-cli');
let cli = '';
const FIXTURES = join(__dirname, '..', '..', 'fixtures');
const AMD_BIN = join(FIXTURES, 'amd-smi', 'bin');
const ROCM_BIN = join(FIXTURES, 'rocm-smi', 'bin');
const path = (...dirs: string[]) => [...dirs, process.env.PATH].join(delimiter);

before(async () => {
  cli = await buildCliBundle('gpu-amd-cli');
});

/** Runs the CLI; `onStdout` may signal it. A hard 20 s limit keeps a bug from hanging the suite. */
function runCli(args: string[], env: Record<string, string>, onStdout?: (text: string, kill: (s: NodeJS.Signals) => void) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const limit = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onStdout?.(stdout, (s) => child.kill(s));
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The per-GPU fields `modelmon gpu --json` prints for any vendor, in order. */
const RECORD_KEYS = [
  'index', 'vendor', 'name', 'uuid', 'utilizationGpu', 'utilizationMemory', 'memoryUsedMiB', 'memoryTotalMiB', 'temperatureC',
  'powerW', 'powerLimitW', 'smClockMHz', 'pstate', 'throttleReasons', 'fanPercent', 'memoryTemperatureC', 'eccUncorrectedVolatile', 'migEnabled',
];

async function once(args: string[], env: Record<string, string>) {
  const r = await runCli(['gpu', '--once', '--json', ...args], env);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  return JSON.parse(lines[0]!) as { gpus: Array<Record<string, unknown>> };
}

test('gpu --backend amd-smi --once --json: the same per-GPU fields as for NVIDIA, vendor amd', async () => {
  const nvidia = await once([], { PATH: path(STAND_IN_BIN) });
  const sample = await once(['--backend', 'amd-smi'], { PATH: path(AMD_BIN) });
  assert.deepEqual(Object.keys(nvidia.gpus[0]!), RECORD_KEYS);
  assert.equal(nvidia.gpus[0]!.vendor, 'nvidia');
  assert.equal(sample.gpus.length, 2);
  assert.deepEqual(Object.keys(sample.gpus[1]!), RECORD_KEYS);
  assert.deepEqual(sample.gpus[1], {
    index: 1,
    vendor: 'amd',
    name: 'AMD Instinct MI300X',
    uuid: '14ff74a1-0000-1000-80f2-4b1c3d2e0001',
    utilizationGpu: 0,
    utilizationMemory: 0,
    memoryUsedMiB: 283,
    memoryTotalMiB: 196592,
    temperatureC: 39,
    powerW: 137,
    powerLimitW: 750,
    smClockMHz: 132,
    pstate: null,
    throttleReasons: [],
    fanPercent: null,
    memoryTemperatureC: 32,
    eccUncorrectedVolatile: 0,
    migEnabled: null,
  });
  // The later releases' gpu_data wrapper reads the same; --gpu picks one.
  const wrapped = await once(['--backend', 'amd-smi', '--gpu', '1'], { PATH: path(AMD_BIN), MODELMON_FAKE_AMD_SHAPE: 'gpu_data' });
  assert.deepEqual(wrapped.gpus, [sample.gpus[1]]);
  // auto finds amd-smi where there is no nvidia-smi.
  assert.deepEqual((await once([], { PATH: path(AMD_BIN) })).gpus, sample.gpus);
});

test('gpu --backend rocm-smi --once --json: the same fields, vendor amd, N/A as null', async () => {
  const sample = await once(['--backend', 'rocm-smi'], { PATH: path(ROCM_BIN) });
  assert.deepEqual(Object.keys(sample.gpus[0]!), RECORD_KEYS);
  assert.deepEqual(
    sample.gpus.map((g) => [g.index, g.vendor, g.name, g.utilizationGpu, g.memoryUsedMiB, g.memoryTotalMiB, g.temperatureC, g.powerW, g.powerLimitW, g.smClockMHz]),
    [
      [0, 'amd', 'Aldebaran/MI200 [Instinct MI210]', 87, 50269, 65520, 61, 271, 300, null],
      [1, 'amd', 'Aldebaran/MI200 [Instinct MI210]', 0, 11, 65520, 38, 42, 300, null],
    ],
  );
  const text = await runCli(['gpu', '--once', '--smi', join(ROCM_BIN, 'rocm-smi')], {});
  assert.match(text.stdout, /GPU0 AMD Aldebaran\/MI200 \[Instinct MI210\]  util 87%  mem 50269\/65520 MiB  61°C  271\/300 W/);
});

test('no permission, no driver, no device: exit 3 with what to do, from either tool', async () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['--backend', 'amd-smi'], { MODELMON_FAKE_AMD_MODE: 'noperm' }, /^modelmon gpu: no AMD GPU found: amd-smi cannot open the GPU device files .*usermod -aG video,render/],
    [['--backend', 'amd-smi'], { MODELMON_FAKE_AMD_MODE: 'nodriver' }, /^modelmon gpu: no AMD GPU found: the amdgpu kernel driver is not loaded/],
    [['--backend', 'amd-smi'], { MODELMON_FAKE_AMD_MODE: 'nodevice' }, /^modelmon gpu: no AMD GPU found: no AMD GPU found on this machine/],
    [['--backend', 'rocm-smi'], { MODELMON_FAKE_ROCM_MODE: 'nodriver' }, /Driver not initialized \(amdgpu not found in modules\)\)\n$/],
    [['--backend', 'rocm-smi'], { MODELMON_FAKE_ROCM_MODE: 'nodevice' }, /No DRM devices available/],
  ];
  for (const [args, env, message] of cases) {
    for (const mode of [['--once'], []]) {
      const r = await runCli(['gpu', ...mode, ...args], { PATH: path(AMD_BIN, ROCM_BIN), ...env });
      assert.equal(r.code, 3, `${args.join(' ')} ${JSON.stringify(env)}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    }
  }
  const missing = await runCli(['gpu', '--backend', 'amd-smi'], { PATH: '/nonexistent' });
  assert.deepEqual([missing.code, missing.stderr], [3, 'modelmon gpu: no AMD GPU found: amd-smi is not on PATH\n']);
});

test('following amd-smi: one watch process, samples until SIGTERM, then exit 0 with nothing left running', async () => {
  const log = join(tmp, 'follow.log');
  let sent = false;
  const r = await runCli(['gpu', '--backend', 'amd-smi', '--json'], { PATH: path(AMD_BIN), MODELMON_FAKE_AMD_SPEED: '10', MODELMON_FAKE_AMD_LOG: log }, (out, kill) => {
    if (!sent && out.split('\n').length > 4) {
      sent = true;
      kill('SIGTERM');
    }
  });
  assert.equal(r.code, 0, r.stderr);
  const samples = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { gpus: Array<{ vendor: string; utilizationGpu: number }> });
  assert.ok(samples.length >= 4);
  assert.ok(samples.slice(1).every((s) => s.gpus[0]!.vendor === 'amd' && s.gpus[0]!.utilizationGpu >= 97));
  const runs = readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(runs.filter((l) => l.includes('metric -w 1 --json')).length, 1);
  for (const l of runs) await waitForExit(Number(l.split(' ')[0]), 3000);
});

test('bad --backend: exit 2 with the reason and the usage', async () => {
  const r = await runCli(['gpu', '--backend', 'intel'], {});
  assert.equal(r.code, 2);
  assert.ok(r.stderr.startsWith("modelmon gpu: --backend must be auto, nvidia-smi, amd-smi or rocm-smi, got 'intel'\nusage: modelmon gpu "), r.stderr);
  assert.ok(existsSync(cli));
});
