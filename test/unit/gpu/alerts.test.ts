import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GpuAlertRules, parseSmiTimestamp, type GpuAlertEvent, type GpuAlertContext, type GpuSnapshot } from '../../../src/core/gpu';
import { loopSnapshots, reading } from './helpers';

type Row = [type: string, kind: string, time: string | null, message?: string];

/** Replays snapshots through fresh rules; each event as [type, kind, nvidia-smi time of the sample]. */
function replay(rules: GpuAlertRules, snaps: readonly GpuSnapshot[], context: GpuAlertContext = {}, withMessage = false): Row[] {
  const out: Row[] = [];
  for (const s of snaps) {
    for (const e of rules.update(s, context) as GpuAlertEvent[]) {
      const row: Row = [e.type, e.alert.kind, s.gpus[0]!.smiTimestamp];
      if (withMessage) row.push(e.alert.message);
      out.push(row);
    }
  }
  return out;
}

test('the recorded burn raises one throttling alert per power-cap episode, not one per sample', () => {
  const rules = new GpuAlertRules();
  assert.deepEqual(replay(rules, loopSnapshots(), {}, true), [
    ['raised', 'throttling', '2026/11/23 03:53:59.861', 'GPU 0 is throttled: software power cap'],
    ['cleared', 'throttling', '2026/11/23 03:54:18.312', 'GPU 0 is throttled: software power cap'],
    ['raised', 'throttling', '2026/11/23 03:54:36.494', 'GPU 0 is throttled: software power cap'],
    ['cleared', 'throttling', '2026/11/23 03:54:54.687', 'GPU 0 is throttled: software power cap'],
  ]);
  assert.deepEqual(rules.active, []);
});

test('temperature alerts use the threshold with hysteresis', () => {
  const rules = new GpuAlertRules({ temperatureC: 70 });
  const events = replay(rules, loopSnapshots()).filter((e) => e[1] === 'temperature');
  assert.deepEqual(events, [
    ['raised', 'temperature', '2026/11/23 03:54:02.388'],
    ['cleared', 'temperature', '2026/11/23 03:54:17.807'],
    ['raised', 'temperature', '2026/11/23 03:54:37.503'],
    ['cleared', 'temperature', '2026/11/23 03:54:54.434'],
  ]);
});

test('an idle GPU is reported once, after idleSeconds, only while training is alive', () => {
  const snaps = loopSnapshots();
  assert.deepEqual(replay(new GpuAlertRules(), snaps).filter((e) => e[1] === 'idle-training'), []);
  const rules = new GpuAlertRules();
  assert.deepEqual(replay(rules, snaps, { trainingActive: true }).filter((e) => e[1] === 'idle-training'), [
    ['raised', 'idle-training', '2026/11/23 03:55:44.696'],
  ]);
  const idle = rules.active.find((a) => a.kind === 'idle-training')!;
  assert.equal(idle.sinceMs, parseSmiTimestamp('2026/11/23 03:54:44.587'));
  assert.equal(idle.message, 'GPU 0 idle (0%) for 60 s while a training session is running');
});

test('a compute process on the GPU counts as training; one on another GPU does not', () => {
  const uuid = 'GPU-1';
  const snap = (t: number, util: number): GpuSnapshot => ({ timeMs: t, gpus: [reading({ index: 0, uuid, utilizationGpu: util })] });
  const apps = [{ pid: 4242, processName: 'python', usedMemoryMiB: 1000, gpuUuid: uuid }];
  const rules = new GpuAlertRules({ idleSeconds: 2 });
  const elsewhere = [{ ...apps[0]!, gpuUuid: 'GPU-2' }];
  assert.deepEqual(rules.update(snap(0, 0), { computeApps: elsewhere }), []);
  assert.deepEqual(rules.update(snap(3000, 0), { computeApps: elsewhere }), []);
  assert.deepEqual(rules.update(snap(4000, 0), { computeApps: apps }), []);
  const [raised] = rules.update(snap(6000, 1), { computeApps: apps });
  assert.equal(raised!.type, 'raised');
  assert.equal(raised!.alert.message, 'GPU 0 idle (1%) for 2 s while python (pid 4242) is running');
  assert.deepEqual(rules.update(snap(7000, 0), { computeApps: apps }), []);
  // Busy again: the episode ends only after clearAfterMs of busyness.
  assert.deepEqual(rules.update(snap(8000, 90), { computeApps: apps }), []);
  assert.equal(rules.update(snap(18000, 90), { computeApps: apps })[0]!.type, 'cleared');
});

test('MIG (utilisation absent) never counts as idle', () => {
  const rules = new GpuAlertRules({ idleSeconds: 0 });
  const snap: GpuSnapshot = { timeMs: 0, gpus: [reading({ index: 0, uuid: 'GPU-1', migEnabled: true, utilizationGpu: null })] };
  assert.deepEqual(rules.update(snap, { trainingActive: true }), []);
});

test('memory and ECC alerts, with severities', () => {
  const rules = new GpuAlertRules({ memoryPercent: 90 });
  const s = (t: number, used: number, ecc: number): GpuSnapshot => ({
    timeMs: t,
    gpus: [reading({ index: 1, uuid: 'GPU-x', memoryUsedMiB: used, memoryTotalMiB: 1000, eccUncorrectedVolatile: ecc })],
  });
  assert.deepEqual(rules.update(s(0, 500, 0)), []);
  const events = rules.update(s(1000, 950, 2));
  assert.deepEqual(
    events.map((e) => [e.type, e.alert.kind, e.alert.severity, e.alert.message]),
    [
      ['raised', 'memory', 'warning', 'GPU 1 memory at 95.0% (950 of 1000 MiB), threshold 90%'],
      ['raised', 'ecc', 'error', 'GPU 1 reports 2 uncorrected ECC errors since the driver loaded'],
    ],
  );
  // 88% is inside the hysteresis band: the same episode, nothing new, nothing cleared.
  assert.deepEqual(rules.update(s(30_000, 880, 2)), []);
  assert.deepEqual(rules.update(s(31_000, 950, 3)), []);
  assert.deepEqual(rules.active.map((a) => a.kind), ['ecc', 'memory']);
});

test('bad thresholds throw with the parameter name', () => {
  assert.throws(() => new GpuAlertRules({ memoryPercent: 0 }), /memoryPercent/);
  assert.throws(() => new GpuAlertRules({ memoryPercent: 101 }), /memoryPercent/);
  assert.throws(() => new GpuAlertRules({ temperatureC: Number.NaN }), /temperatureC/);
  assert.throws(() => new GpuAlertRules({ idleSeconds: -1 }), /idleSeconds/);
});
