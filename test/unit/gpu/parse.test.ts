import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GPU_FIELDS,
  LineSplitter,
  SnapshotAssembler,
  decodeThrottleReasons,
  initialQuery,
  parseComputeApps,
  parseFieldValue,
  parseGpuLine,
  parseGpuList,
  parseGpuTable,
  parseSmiTimestamp,
  parseThrottleMask,
  queryArgument,
  rejectedFieldOf,
  streamingQuery,
  withoutRejected,
  type GpuField,
  type QueryField,
} from '../../../src/core/gpu';
import { fixture, loopSnapshots } from './helpers';

const field = (name: string): GpuField => GPU_FIELDS.find((f) => f.names.includes(name))!;
/** The query in the order of fields.txt, which is how the fixtures were captured. */
const fixtureQuery = (): QueryField[] =>
  fixture('fields.txt').trim().split(',').map((name) => ({ field: field(name), nameIndex: field(name).names.indexOf(name) }));

const IDLE = {
  index: 0,
  vendor: 'nvidia',
  smiTimestamp: '2026/11/23 03:53:52.280',
  name: 'NVIDIA H100 80GB HBM3',
  uuid: 'GPU-c8c15712-c8dc-d96a-c46e-698c8453498d',
  busId: '00000000:00:06.0',
  driverVersion: '580.159.04',
  pstate: 'P0',
  temperatureC: 49,
  memoryTemperatureC: 50,
  utilizationGpu: 0,
  utilizationMemory: 0,
  memoryTotalMiB: 81559,
  memoryUsedMiB: 0,
  memoryFreeMiB: 81079,
  powerW: 128.01,
  powerLimitW: 700,
  smClockMHz: 405,
  memoryClockMHz: 2619,
  graphicsClockMHz: 405,
  fanPercent: null,
  throttleMask: 1,
  throttleReasons: ['gpu_idle'],
  computeMode: 'Default',
  migEnabled: false,
  eccUncorrectedVolatile: 0,
  encoderSessions: 0,
};

test('placeholders become null, never a number', () => {
  const power = field('power.draw');
  for (const t of ['[N/A]', '[Not Supported]', '[Unknown Error]', '[Insufficient Permissions]', 'N/A', '', ' [GPU is lost] ']) {
    assert.equal(parseFieldValue(t, power), null, t);
  }
  assert.equal(parseFieldValue('130.43 W', power), 130.43);
  assert.equal(parseFieldValue(' 130.43', power), 130.43);
  // A value in a unit that is not the field's own is refused rather than misread.
  assert.equal(parseFieldValue('130.43 kW', power), null);
  assert.equal(parseFieldValue('81559 MiB', field('memory.total')), 81559);
  assert.equal(parseFieldValue('0 %', field('utilization.gpu')), 0);
  assert.equal(parseFieldValue('1.5', field('index')), null);
  assert.equal(parseFieldValue('Enabled', field('mig.mode.current')), true);
  assert.equal(parseFieldValue('Disabled', field('mig.mode.current')), false);
});

test('the idle capture without units parses to its exact values', () => {
  const { readings, garbage } = parseGpuTable(fixture('query-gpu-idle-noheader-nounits.csv'), fixtureQuery());
  assert.equal(garbage, 0);
  assert.deepEqual(readings, [IDLE]);
});

test('the idle capture with units and header gives the same numbers (units stripped, header skipped)', () => {
  const { readings, garbage } = parseGpuTable(fixture('query-gpu-idle.csv'), fixtureQuery());
  assert.equal(garbage, 1); // the header line
  assert.deepEqual(readings, [{ ...IDLE, smiTimestamp: '2026/11/23 03:53:52.248', powerW: 130.43 }]);
});

test('the legacy clocks_throttle_reasons.active field decodes the same bitmask', () => {
  const query: QueryField[] = [
    { field: field('index'), nameIndex: 0 },
    { field: field('clocks_throttle_reasons.active'), nameIndex: 1 },
  ];
  assert.equal(queryArgument(query), 'index,clocks_throttle_reasons.active');
  const { readings } = parseGpuTable(fixture('query-gpu-legacy-throttle.csv'), query);
  assert.equal(readings.length, 1);
  assert.equal(readings[0]!.throttleMask, 1);
  assert.deepEqual(readings[0]!.throttleReasons, ['gpu_idle']);
});

test('throttle bitmasks decode to NVML reason names in bit order', () => {
  assert.equal(parseThrottleMask('0x0000000000000004'), 4);
  assert.equal(parseThrottleMask('4'), null);
  assert.equal(parseThrottleMask('0xZZ'), null);
  assert.deepEqual(decodeThrottleReasons(0), []);
  assert.deepEqual(decodeThrottleReasons(0x1), ['gpu_idle']);
  assert.deepEqual(decodeThrottleReasons(0x4), ['sw_power_cap']);
  assert.deepEqual(decodeThrottleReasons(0x1ff), [
    'gpu_idle',
    'applications_clocks_setting',
    'sw_power_cap',
    'hw_slowdown',
    'sync_boost',
    'sw_thermal_slowdown',
    'hw_thermal_slowdown',
    'hw_power_brake_slowdown',
    'display_clock_setting',
  ]);
  assert.deepEqual(decodeThrottleReasons(0x28 + 0x1000), ['hw_slowdown', 'sw_thermal_slowdown']);
});

test('the whole 250 ms loop capture parses, with its exact clock-event counts and peaks', () => {
  const snaps = loopSnapshots();
  assert.equal(snaps.length, 2372);
  const masks = new Map<string, number>();
  for (const s of snaps) {
    const key = s.gpus[0]!.throttleReasons!.join('+') || 'none';
    masks.set(key, (masks.get(key) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(masks), { gpu_idle: 28, none: 2279, sw_power_cap: 65 });
  assert.equal(Math.max(...snaps.map((s) => s.gpus[0]!.powerW!)), 705.86);
  assert.equal(Math.max(...snaps.map((s) => s.gpus[0]!.utilizationGpu!)), 100);
  assert.equal(Math.max(...snaps.map((s) => s.gpus[0]!.memoryUsedMiB!)), 1347);
  assert.equal(Math.max(...snaps.map((s) => s.gpus[0]!.temperatureC!)), 75);
  assert.ok(snaps.every((s) => s.gpus[0]!.fanPercent === null));
  assert.equal(snaps[snaps.length - 1]!.timeMs - snaps[0]!.timeMs, 599_336);
});

test('garbage lines are refused with a reason', () => {
  const q = initialQuery();
  assert.deepEqual(parseGpuLine('Unable to determine the device handle for GPU0000:00:06.0: Unknown Error', q), {
    ok: false,
    reason: `expected ${q.length} fields, got 1`,
  });
  assert.deepEqual(parseGpuLine(q.map(() => 'x').join(', '), q), { ok: false, reason: 'no GPU index' });
  assert.deepEqual(parseGpuLine('0,'.repeat(5000), q), { ok: false, reason: 'line of 10000 characters' });
});

test('a rejected field is read from the fixture message, renamed to its legacy name, or dropped', () => {
  assert.equal(rejectedFieldOf(fixture('query-gpu-bad-field.txt')), 'not.a.field');
  assert.equal(rejectedFieldOf('NVIDIA-SMI has failed'), null);
  const q = initialQuery();
  const renamed = withoutRejected(q, 'clocks_event_reasons.active')!;
  assert.equal(renamed.length, q.length);
  assert.match(queryArgument(renamed), /,clocks_throttle_reasons\.active,/);
  const dropped = withoutRejected(renamed, 'clocks_throttle_reasons.active')!;
  assert.equal(dropped.length, q.length - 1);
  assert.doesNotMatch(queryArgument(dropped), /reasons/);
  assert.equal(withoutRejected(q, 'not.a.field'), null);
  assert.equal(withoutRejected(q, 'index'), null);
  assert.equal(
    queryArgument(streamingQuery(q)),
    'index,timestamp,pstate,temperature.gpu,temperature.memory,utilization.gpu,utilization.memory,memory.used,memory.free,power.draw,power.limit,clocks.sm,clocks.mem,clocks.gr,fan.speed,clocks_event_reasons.active,ecc.errors.uncorrected.volatile.total,encoder.stats.sessionCount',
  );
});

test('compute apps: the recorded empty table, rows, and names holding commas', () => {
  assert.deepEqual(parseComputeApps(fixture('compute-apps-idle.csv')), []);
  assert.deepEqual(parseComputeApps(fixture('compute-apps-after.csv')), []);
  assert.deepEqual(parseComputeApps('4242, python train.py, 1347, GPU-a\n17, /opt/a, b/c, [N/A], GPU-b\nNo running processes found\n'), [
    { pid: 4242, processName: 'python train.py', usedMemoryMiB: 1347, gpuUuid: 'GPU-a' },
    { pid: 17, processName: '/opt/a, b/c', usedMemoryMiB: null, gpuUuid: 'GPU-b' },
  ]);
});

test('nvidia-smi -L lists GPUs with their MIG instances', () => {
  assert.deepEqual(parseGpuList(fixture('nvidia-smi-L.txt')), [
    { index: 0, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-c8c15712-c8dc-d96a-c46e-698c8453498d', migDevices: [] },
  ]);
  const mig = 'GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-1)\n  MIG 3g.20gb     Device  0: (UUID: MIG-a)\n  MIG 3g.20gb     Device  1: (UUID: MIG-b)\nGPU 1: NVIDIA A100-SXM4-40GB (UUID: GPU-2)\n';
  assert.deepEqual(parseGpuList(mig), [
    { index: 0, name: 'NVIDIA A100-SXM4-40GB', uuid: 'GPU-1', migDevices: [{ profile: '3g.20gb', device: 0, uuid: 'MIG-a' }, { profile: '3g.20gb', device: 1, uuid: 'MIG-b' }] },
    { index: 1, name: 'NVIDIA A100-SXM4-40GB', uuid: 'GPU-2', migDevices: [] },
  ]);
});

test('lines are split across chunks, and an endless line is dropped, not buffered', () => {
  const s = new LineSplitter(10);
  assert.deepEqual(s.push('ab'), []);
  assert.deepEqual(s.push('c\r\nde\nf'), ['abc', 'de']);
  assert.deepEqual(s.push('x'.repeat(25)), []);
  assert.deepEqual(s.push('yyy\nok\n'), ['ok']);
  assert.equal(s.overflows, 1);
});

test('a multi-GPU stream is grouped into one snapshot per tick, with static facts merged in', () => {
  const facts = new Map([
    [0, { name: 'A' }],
    [1, { name: 'B' }],
  ]);
  const a = new SnapshotAssembler(2, facts);
  assert.deepEqual(a.push({ index: 0, powerW: 10 }, 1), []);
  const [snap] = a.push({ index: 1, powerW: 20 }, 2);
  assert.deepEqual(snap!.gpus.map((g) => [g.index, g.name, g.powerW]), [[0, 'A', 10], [1, 'B', 20]]);
  // GPU 1 fell off: a repeated index closes the tick with what arrived.
  assert.deepEqual(a.push({ index: 0, powerW: 11 }, 3), []);
  const out = a.push({ index: 0, powerW: 12 }, 4);
  assert.deepEqual(out.map((s) => s.gpus.map((g) => g.powerW)), [[11]]);
  assert.deepEqual(a.flush(5)!.gpus.map((g) => g.powerW), [12]);
  assert.equal(a.flush(6), null);
});

test('nvidia-smi timestamps become comparable milliseconds', () => {
  assert.equal(parseSmiTimestamp('2026/11/23 03:53:52.381'), Date.UTC(2026, 10, 23, 3, 53, 52, 381));
  assert.equal(parseSmiTimestamp('yesterday'), null);
});

test('a compute-apps memory cell with a long run of spaces parses in linear time', () => {
  const spaces = ' '.repeat(200_000);
  const line = `4242, python, 1${spaces}x${spaces}2, GPU-abc`;
  const started = process.hrtime.bigint();
  const apps = parseComputeApps(`${line}\n4243, python, 512 MiB, GPU-def\n`);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.deepEqual(apps.map((a) => [a.pid, a.usedMemoryMiB]), [[4242, null], [4243, 512]]);
  assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
});
