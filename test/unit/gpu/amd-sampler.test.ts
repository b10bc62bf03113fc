import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AmdGpuSampler, type AmdGpuSamplerOptions, type AmdSamplerEvent } from '../../../src/io/gpu/amdSampler';
import { resolveGpuTool } from '../../../src/io/gpu/gpuSource';
import { isAlive, waitForExit } from './helpers';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');
const AMD_SMI = join(FIXTURES, 'amd-smi', 'bin', 'amd-smi');
const ROCM_SMI = join(FIXTURES, 'rocm-smi', 'bin', 'rocm-smi');

/** Runs a sampler until `done` says so (or `ms` pass), then disposes it; returns every event. */
async function run(options: Partial<AmdGpuSamplerOptions> & { env?: NodeJS.ProcessEnv }, done: (events: AmdSamplerEvent[]) => boolean, ms = 8000) {
  const sampler = new AmdGpuSampler({ tool: 'amd-smi', executable: AMD_SMI, intervalMs: 1000, computeAppsIntervalMs: 0, backoffInitialMs: 100, ...options });
  const events: AmdSamplerEvent[] = [];
  const pids = new Set<number>();
  sampler.on((e) => {
    events.push(e);
    if (sampler.pid !== undefined) pids.add(sampler.pid);
  });
  sampler.start();
  const until = Date.now() + ms;
  while (Date.now() < until && !done(events)) await new Promise((r) => setTimeout(r, 20));
  await sampler.dispose();
  return { events, sampler, pids };
}

/** A file the stand-in logs its runs to, in a folder removed after the test. */
function runsLog(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'modelmon-amd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'runs.log');
}

const snapshots = (events: AmdSamplerEvent[]) => events.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : []));
const statuses = (events: AmdSamplerEvent[]) => events.flatMap((e) => (e.type === 'status' ? [e.status] : []));
const env = (extra: Record<string, string>) => ({ ...process.env, MODELMON_FAKE_AMD_SPEED: '10', ...extra });

test('amd-smi: one watch process streams every GPU, labelled AMD with the static facts', async (t) => {
  const log = runsLog(t);
  const { events, pids } = await run({ env: env({ MODELMON_FAKE_AMD_LOG: log }) }, (e) => snapshots(e).length >= 4);
  const all = snapshots(events);
  assert.ok(all.length >= 4, `${all.length} samples`);
  const [probe, first] = all;
  assert.equal(probe!.gpus[0]!.utilizationGpu, 0, 'the probe answers with the idle one-shot');
  assert.deepEqual(
    first!.gpus.map((g) => [g.index, g.vendor, g.name, g.utilizationGpu, g.powerW, g.powerLimitW, g.memoryTotalMiB]),
    [[0, 'amd', 'AMD Instinct MI300X', 99, 712, 750, 196592], [1, 'amd', 'AMD Instinct MI300X', 97, 691, 750, 196592]],
  );
  assert.ok(statuses(events).some((s) => s.state === 'running'));
  const runs = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(1).join(' '));
  assert.deepEqual(runs, ['static --json', 'list --json', 'metric --json', 'metric -w 1 --json']);
  for (const pid of pids) await waitForExit(pid, 3000);
});

test('amd-smi, the gpu_data shape: the same readings', async () => {
  const { events } = await run({ env: env({ MODELMON_FAKE_AMD_SHAPE: 'gpu_data' }) }, (e) => snapshots(e).length >= 2);
  assert.equal(snapshots(events)[1]!.gpus[1]!.utilizationGpu, 97);
});

test('a silent watch (ROCm 7.1.1) falls back to one-shot polls, one process at a time', async (t) => {
  const log = runsLog(t);
  const { events, sampler, pids } = await run(
    { intervalMs: 200, watchdogMs: 600, env: env({ MODELMON_FAKE_AMD_MODE: 'silent-watch', MODELMON_FAKE_AMD_LOG: log }) },
    (e) => snapshots(e).length >= 4,
  );
  assert.ok(sampler.polling);
  assert.ok(events.some((e) => e.type === 'notice' && /printed nothing for 0\.6 s \(a known ROCm 7\.1\.1 bug\); polling amd-smi metric --json instead/.test(e.message)));
  assert.ok(statuses(events).some((s) => s.state === 'polling'));
  assert.ok(snapshots(events).length >= 4);
  const runs = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(1).join(' '));
  // The watch's own log line may land after the first poll's on a loaded machine: order is not asserted.
  assert.deepEqual(runs.slice(0, 3), ['static --json', 'list --json', 'metric --json'], runs.join('; '));
  assert.deepEqual(runs.filter((r) => r !== 'metric --json').slice(2), ['metric -w 1 --json'], runs.join('; '));
  for (const pid of pids) assert.ok(!isAlive(pid) || (await waitForExit(pid, 3000), true));
});

test('no driver, no GPU, no permission: reported once as no GPU with the reason, never retried', async () => {
  const cases: Array<[string, RegExp]> = [
    ['nodriver', /amdgpu kernel driver is not loaded/],
    ['nodevice', /no AMD GPU found/],
    ['noperm', /not in the video and render groups.*\/dev\/dri\/card0: Permission denied/],
    ['noperm-7.0', /User is missing the following required groups: render, video/],
  ];
  for (const [mode, message] of cases) {
    const { events, sampler } = await run({ env: env({ MODELMON_FAKE_AMD_MODE: mode }) }, (e) => statuses(e).some((s) => s.state === 'no-gpu'));
    const s = statuses(events).find((x) => x.state === 'no-gpu');
    assert.ok(s && s.state === 'no-gpu', mode);
    assert.match(s.message, message);
    assert.equal(sampler.restarts, 0);
  }
});

test('a crashing watch and garbage: retried with backoff, samples keep coming', async () => {
  const { events, sampler } = await run({ env: env({ MODELMON_FAKE_AMD_MODE: 'crash', MODELMON_FAKE_AMD_LINES: '2' }) }, (e) => snapshots(e).length >= 6);
  assert.ok(sampler.restarts >= 1);
  assert.ok(statuses(events).some((s) => s.state === 'retrying' && /amd-smi metric -w was killed by SIGSEGV/.test(s.reason)));
  const g = await run({ env: env({ MODELMON_FAKE_AMD_MODE: 'garbage' }) }, (e) => snapshots(e).length >= 4);
  assert.ok(g.events.some((e) => e.type === 'notice' && /ignoring unexpected amd-smi output/.test(e.message)));
  assert.ok(snapshots(g.events).length >= 4);
});

test('a hung amd-smi: bounded probe, retried, nothing left running', async () => {
  const { events } = await run({ probeTimeoutMs: 300, env: env({ MODELMON_FAKE_AMD_MODE: 'hang' }) }, (e) => statuses(e).some((s) => s.state === 'retrying'));
  assert.ok(statuses(events).some((s) => s.state === 'retrying' && /amd-smi gave no answer within 0\.3 s/.test(s.reason)));
});

test('amd-smi processes become compute apps for the idle-while-training rule', async () => {
  const { events } = await run({ computeAppsIntervalMs: 5000, env: env({ MODELMON_FAKE_AMD_APPS: '1' }) }, (e) => e.some((x) => x.type === 'computeApps'));
  const apps = events.find((e) => e.type === 'computeApps');
  assert.ok(apps && apps.type === 'computeApps');
  assert.deepEqual(apps.apps.map((a) => [a.pid, a.processName, a.gpuUuid]), [
    [48213, 'python3', '13ff74a1-0000-1000-80f2-4b1c3d2e0000'],
    [48214, 'python3', '14ff74a1-0000-1000-80f2-4b1c3d2e0001'],
    [48290, 'pt_main_thread', '14ff74a1-0000-1000-80f2-4b1c3d2e0001'],
  ]);
});

test('rocm-smi: polled one process at a time, every card, AMD labels', async () => {
  const { events } = await run({ tool: 'rocm-smi', executable: ROCM_SMI, intervalMs: 200 }, (e) => snapshots(e).length >= 3);
  const s = snapshots(events);
  assert.ok(s.length >= 3);
  assert.deepEqual(s[2]!.gpus.map((g) => [g.index, g.vendor, g.name, g.utilizationGpu]), [
    [0, 'amd', 'Aldebaran/MI200 [Instinct MI210]', 87],
    [1, 'amd', 'Aldebaran/MI200 [Instinct MI210]', 0],
  ]);
  const nodriver = await run({ tool: 'rocm-smi', executable: ROCM_SMI, env: { ...process.env, MODELMON_FAKE_ROCM_MODE: 'nodriver' } }, (e) => statuses(e).some((x) => x.state === 'no-gpu'));
  const st = statuses(nodriver.events).find((x) => x.state === 'no-gpu');
  assert.ok(st && st.state === 'no-gpu' && /Driver not initialized/.test(st.message));
});

test('auto finds nvidia-smi first, then amd-smi, then rocm-smi; explicit paths win', () => {
  const path = (...dirs: string[]) => ({ PATH: dirs.map((d) => join(FIXTURES, d, 'bin')).join(':') });
  assert.equal(resolveGpuTool('auto', {}, path('amd-smi', 'nvidia-smi')).resolved?.tool, 'nvidia-smi');
  assert.equal(resolveGpuTool('auto', {}, path('rocm-smi', 'amd-smi')).resolved?.tool, 'amd-smi');
  assert.equal(resolveGpuTool('auto', {}, path('rocm-smi')).resolved?.tool, 'rocm-smi');
  assert.equal(resolveGpuTool('auto', {}, { PATH: '/nonexistent' }).tried, 'nvidia-smi on PATH, amd-smi on PATH, rocm-smi on PATH');
  assert.deepEqual(resolveGpuTool('amd-smi', { 'amd-smi': AMD_SMI }, { PATH: '' }).resolved, { tool: 'amd-smi', executable: AMD_SMI });
});
