import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EnergyMeter, type GpuSnapshot } from '../../../src/core/gpu';
import { loopSnapshots, reading } from './helpers';

const snap = (t: number, ...watts: Array<number | null>): GpuSnapshot => ({
  timeMs: t,
  gpus: watts.map((w, i) => reading({ index: i, uuid: `GPU-${i}`, powerW: w })),
});

test('watt-hours are the trapezoid integral of power.draw, and cost follows the price', () => {
  const m = new EnergyMeter({ pricePerKWh: 0.5, maxGapMs: 3600_000 });
  m.add(snap(0, 100, 300));
  m.add(snap(1800_000 / 2, 300, 300)); // 15 min: GPU0 averages 200 W, GPU1 300 W
  const r = m.report();
  assert.deepEqual(r.gpus, [
    { index: 0, uuid: 'GPU-0', wattHours: 50, cost: 0.025 },
    { index: 1, uuid: 'GPU-1', wattHours: 75, cost: 0.0375 },
  ]);
  assert.equal(r.wattHours, 125);
  assert.equal(r.cost, 0.0625);
  assert.equal(r.coveredMs, 900_000);
});

test('gaps longer than maxGapMs and absent power are skipped, not guessed', () => {
  const m = new EnergyMeter({ pricePerKWh: 0.15, maxGapMs: 5000 });
  m.add(snap(0, 360));
  m.add(snap(10_000, 360)); // a 10 s stall
  m.add(snap(11_000, null));
  m.add(snap(12_000, 360));
  m.add(snap(13_000, 360));
  assert.equal(m.report().wattHours, 0.1); // only 12 s -> 13 s at 360 W
  assert.equal(m.report().coveredMs, 3000);
});

test('process energy is split by GPU memory among the processes on that GPU', () => {
  const m = new EnergyMeter({ pricePerKWh: 1, maxGapMs: 60_000 });
  const apps = [
    { pid: 1, processName: 'train', usedMemoryMiB: 3000, gpuUuid: 'GPU-0' },
    { pid: 2, processName: 'eval', usedMemoryMiB: 1000, gpuUuid: 'GPU-0' },
    { pid: 3, processName: 'other', usedMemoryMiB: null, gpuUuid: 'GPU-9' },
  ];
  m.add(snap(0, 400), apps);
  m.add(snap(3600_000 / 100, 400), apps); // 36 s at 400 W = 4 Wh
  assert.deepEqual(m.report().processes, [
    { pid: 1, processName: 'train', gpuUuid: 'GPU-0', wattHours: 3, cost: 0.003 },
    { pid: 2, processName: 'eval', gpuUuid: 'GPU-0', wattHours: 1, cost: 0.001 },
  ]);
});

test('the recorded ten-minute job used 24.898 Wh', () => {
  const m = new EnergyMeter({ pricePerKWh: 0.15 });
  for (const s of loopSnapshots()) m.add(s);
  const r = m.report();
  assert.equal(r.wattHours.toFixed(6), '24.897964');
  assert.equal(r.cost.toFixed(7), '0.0037347');
  assert.equal(r.coveredMs, 599_336);
});

test('a bad price throws with the parameter name', () => {
  assert.throws(() => new EnergyMeter({ pricePerKWh: -1 }), /pricePerKWh/);
  assert.throws(() => new EnergyMeter({ pricePerKWh: Number.NaN }), /pricePerKWh/);
  assert.throws(() => new EnergyMeter({ pricePerKWh: 1, maxGapMs: 0 }), /maxGapMs/);
});
