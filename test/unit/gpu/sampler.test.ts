import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { GpuSampler } from '../../../src/io/gpu';
import { STAND_IN, isAlive, until } from './helpers';
import { harness, power, retries, scratch } from './samplerHarness';

test('one long-lived -lms process streams the recorded values, after one probe', async () => {
  const h = harness({});
  h.sampler.start();
  await until(() => h.snapshots.length >= 5, '5 snapshots');
  // The probe answers from the idle capture, the stream replays the 250 ms loop in order.
  assert.deepEqual(h.snapshots.slice(0, 5).map(power), [[128.01], [121.91], [109.01], [96.16], [78.83]]);
  const g = h.snapshots[1]!.gpus[0]!;
  assert.deepEqual(
    [g.index, g.name, g.uuid, g.driverVersion, g.memoryTotalMiB, g.memoryUsedMiB, g.temperatureC, g.smClockMHz, g.pstate, g.fanPercent, g.throttleReasons, g.smiTimestamp],
    [0, 'NVIDIA H100 80GB HBM3', 'GPU-c8c15712-c8dc-d96a-c46e-698c8453498d', '580.159.04', 81559, 0, 49, 375, 'P0', null, ['gpu_idle'], '2026/11/23 03:53:52.381'],
  );
  const inv = h.invocations();
  assert.equal(inv.length, 2);
  assert.match(inv[1]!.args, /^--query-gpu=index,timestamp,pstate,.* --format=csv,noheader,nounits -lms 250$/);
  const running = h.statuses.find((s) => s.state === 'running');
  assert.deepEqual(running, { state: 'running', pid: inv[1]!.pid, gpuCount: 1, droppedFields: [] });
  assert.equal(h.sampler.pid, inv[1]!.pid);
  await h.disposeAndCheck();
  assert.equal(isAlive(inv[1]!.pid), false);
  assert.deepEqual(h.sampler.status, { state: 'stopped' });
});

test('garbage between samples is skipped (one notice), values stay exact', async () => {
  const h = harness({ MODELMON_FAKE_SMI_MODE: 'garbage' });
  h.sampler.start();
  await until(() => h.snapshots.length >= 6, 'six snapshots');
  assert.deepEqual(h.snapshots.slice(0, 6).map(power), [[128.01], [121.91], [109.01], [96.16], [78.83], [76.05]]);
  assert.deepEqual(h.notices, ["ignoring unexpected nvidia-smi output (expected 18 fields, got 1): NVIDIA-SMI couldn't find libnvidia-ml.so library in your system."]);
  assert.equal(retries(h.statuses).length, 0);
  await h.disposeAndCheck();
});

test('a field the driver rejects falls back to its legacy name, then is dropped', async () => {
  const legacy = harness({ MODELMON_FAKE_SMI_REJECT: 'clocks_event_reasons.active' });
  legacy.sampler.start();
  await until(() => legacy.snapshots.length >= 2, 'snapshots');
  assert.deepEqual(legacy.snapshots[1]!.gpus[0]!.throttleReasons, ['gpu_idle']);
  assert.deepEqual(legacy.notices, ["nvidia-smi rejected field 'clocks_event_reasons.active'; continuing without it"]);
  assert.match(legacy.invocations()[2]!.args, /clocks_throttle_reasons\.active/);
  await legacy.disposeAndCheck();

  const none = harness({ MODELMON_FAKE_SMI_REJECT: 'clocks_event_reasons.active,clocks_throttle_reasons.active,fan.speed' });
  none.sampler.start();
  await until(() => none.snapshots.length >= 2, 'snapshots');
  const g = none.snapshots[1]!.gpus[0]!;
  assert.deepEqual([g.throttleReasons, g.throttleMask, g.fanPercent, g.powerW], [null, null, null, 121.91]);
  assert.deepEqual(none.statuses.find((s) => s.state === 'running'), {
    state: 'running',
    pid: none.sampler.pid,
    gpuCount: 1,
    droppedFields: ['fan.speed', 'clocks_event_reasons.active', 'clocks_throttle_reasons.active'],
  });
  await none.disposeAndCheck();
});

test('no nvidia-smi: one quiet no-gpu status, nothing spawned, no retries', async () => {
  const h = harness({ PATH: join(scratch, 'empty') });
  h.sampler.start();
  assert.deepEqual(h.statuses, [{ state: 'no-gpu', message: 'nvidia-smi not found on PATH: no NVIDIA GPU monitoring on this machine' }]);
  const explicit = harness({}, { executable: join(scratch, 'nope', 'nvidia-smi') });
  explicit.sampler.start();
  assert.equal(explicit.statuses[0]!.state, 'no-gpu');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(h.statuses.length, 1);
  assert.deepEqual(h.invocations(), []);
  await h.disposeAndCheck();
  await explicit.disposeAndCheck();
});

test('no driver: no-gpu with nvidia-smi\'s own message', async () => {
  const h = harness({ MODELMON_FAKE_SMI_MODE: 'nodriver' }, { executable: STAND_IN });
  h.sampler.start();
  await until(() => h.statuses.some((s) => s.state === 'no-gpu'), 'no-gpu');
  assert.deepEqual(h.statuses.at(-1), {
    state: 'no-gpu',
    message: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
  });
  await h.disposeAndCheck();
});

test('several GPUs under MIG: one snapshot per tick, utilisation absent, MIG flagged', async () => {
  const h = harness({ MODELMON_FAKE_SMI_GPUS: '2', MODELMON_FAKE_SMI_MIG: '1' });
  h.sampler.start();
  await until(() => h.snapshots.length >= 3, 'snapshots');
  for (const s of h.snapshots.slice(0, 3)) {
    assert.deepEqual(
      s.gpus.map((g) => [g.index, g.uuid, g.migEnabled, g.utilizationGpu, g.name]),
      [
        [0, 'GPU-c8c15712-c8dc-d96a-c46e-698c8453498d', true, null, 'NVIDIA H100 80GB HBM3'],
        [1, 'GPU-c8c15712-c8dc-d96a-c46e-698c84534981', true, null, 'NVIDIA H100 80GB HBM3'],
      ],
    );
  }
  assert.deepEqual(h.snapshots.slice(0, 3).map(power), [[128.01, 128.01], [121.91, 121.91], [109.01, 109.01]]);
  assert.deepEqual(h.inventories, [
    [
      { index: 0, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-c8c15712-c8dc-d96a-c46e-698c8453498d', migDevices: [{ profile: '3g.40gb', device: 0, uuid: 'MIG-5c4a2d3e-0000-5f0a-9d3c-000000000000' }] },
      { index: 1, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-c8c15712-c8dc-d96a-c46e-698c84534981', migDevices: [{ profile: '3g.40gb', device: 0, uuid: 'MIG-5c4a2d3e-0000-5f0a-9d3c-000000000001' }] },
    ],
  ]);
  await h.disposeAndCheck();
});

test('one GPU by index: -i is passed and only that GPU is reported', async () => {
  const h = harness({ MODELMON_FAKE_SMI_GPUS: '2' }, { gpuIndex: 1 });
  h.sampler.start();
  await until(() => h.snapshots.length >= 2, 'snapshots');
  assert.deepEqual(h.snapshots[1]!.gpus.map((g) => g.index), [1]);
  assert.match(h.invocations()[1]!.args, / -i 1$/);
  await h.disposeAndCheck();
});

test('compute apps are queried at their own slower rate', async () => {
  const h = harness({ MODELMON_FAKE_SMI_APPS: '4242:python train.py:1347' }, { computeAppsIntervalMs: 300 });
  h.sampler.start();
  await until(() => h.apps.length >= 2, 'two compute-apps answers');
  assert.deepEqual(h.apps[0], [{ pid: 4242, processName: 'python train.py', usedMemoryMiB: 1347, gpuUuid: 'GPU-c8c15712-c8dc-d96a-c46e-698c8453498d' }]);
  assert.equal(h.invocations().filter((i) => i.args.startsWith('--query-compute-apps=pid,process_name,used_memory,gpu_uuid --format=csv,noheader,nounits')).length >= 2, true);
  await h.disposeAndCheck();
  const empty = harness({}, { computeAppsIntervalMs: 300 });
  empty.sampler.start();
  await until(() => empty.apps.length >= 1, 'an answer');
  assert.deepEqual(empty.apps[0], []);
  await empty.disposeAndCheck();
});

test('bad options throw with the parameter name', () => {
  assert.throws(() => new GpuSampler({ intervalMs: 10 }), /intervalMs/);
  assert.throws(() => new GpuSampler({ intervalMs: 1000.5 }), /intervalMs/);
});
