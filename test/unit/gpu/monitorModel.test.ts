import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GpuMonitorModel, describeGpuStatus } from '../../../src/core/gpu';
import { loopSnapshots } from './helpers';

test('a session over the recorded job: state, bounded history, alerts and energy', () => {
  const model = new GpuMonitorModel({ pricePerKWh: 0.15, historyLimit: 100 });
  assert.deepEqual(model.state, { kind: 'starting' });
  const events = loopSnapshots().flatMap((s) => model.onSnapshot(s));
  assert.deepEqual(events.map((e) => `${e.type} ${e.alert.kind}`), ['raised throttling', 'cleared throttling', 'raised throttling', 'cleared throttling']);
  assert.equal(model.history.length, 100);
  assert.equal(model.history[99]!.gpus[0]!.smiTimestamp, '2026/11/23 04:03:51.717');
  assert.equal(model.energy.wattHours.toFixed(6), '24.897964');
  const state = model.state;
  assert.equal(state.kind, 'sampling');
  assert.equal(describeGpuStatus(state, { gpuIndex: 'all', metrics: ['utilization', 'memory', 'temperature'] }).text, '$(pulse) 0% 1.3/79.6 GiB 51°C');
});

test('training flag and compute apps feed the idle rule; retrying keeps the last sample', () => {
  const model = new GpuMonitorModel({ pricePerKWh: 0, thresholds: { idleSeconds: 1 } });
  const snaps = loopSnapshots().slice(0, 10);
  model.onComputeApps([{ pid: 7, processName: 'python', usedMemoryMiB: 10, gpuUuid: 'GPU-c8c15712-c8dc-d96a-c46e-698c8453498d' }]);
  const events = snaps.flatMap((s) => model.onSnapshot(s));
  assert.deepEqual(events.map((e) => [e.type, e.alert.kind, e.alert.message]), [['raised', 'idle-training', 'GPU 0 idle (0%) for 1 s while python (pid 7) is running']]);
  model.onRetrying('nvidia-smi exited with code 0', 1000);
  assert.deepEqual(model.state, { kind: 'retrying', reason: 'nvidia-smi exited with code 0', delayMs: 1000, last: snaps[9] });
  model.onNoGpu('gone');
  assert.deepEqual(model.state, { kind: 'no-gpu', message: 'gone' });
  assert.throws(() => new GpuMonitorModel({ pricePerKWh: 0, historyLimit: 0 }), /historyLimit/);
});
