import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointAlerts, type CheckpointEvent } from '../../../src/core/integrity/checkpoint-alerts';

const base: CheckpointEvent = { path: '/w/ckpt/model.pt', change: 'created', trainingActive: true, format: 'torch-zip', verdict: 'safe', findings: [] };

test('a safe checkpoint written during training only logs', () => {
  assert.deepEqual(checkpointAlerts(base), [{ level: 'info', message: 'model.pt: created, safe (torch-zip)' }]);
  assert.deepEqual(checkpointAlerts({ ...base, change: 'changed' }), [{ level: 'info', message: 'model.pt: changed, safe (torch-zip)' }]);
});

test('dangerous is an error, suspicious and malformed are warnings', () => {
  const finding = { severity: 'critical' as const, message: 'dangerous global os.system' };
  assert.deepEqual(checkpointAlerts({ ...base, verdict: 'dangerous', findings: [finding] }), [{ level: 'error', message: 'model.pt would run code when loaded: dangerous global os.system' }]);
  assert.deepEqual(checkpointAlerts({ ...base, verdict: 'suspicious', findings: [{ severity: 'medium', message: 'x.Y' }] }), [
    { level: 'warning', message: 'model.pt imports code a checkpoint does not need: x.Y' },
  ]);
  assert.deepEqual(checkpointAlerts({ ...base, verdict: 'malformed', findings: [{ severity: 'high', message: 'file is empty' }] }), [
    { level: 'warning', message: 'model.pt is malformed: file is empty' },
  ]);
});

test('a checkpoint changed with no training running raises its own alert', () => {
  assert.deepEqual(checkpointAlerts({ ...base, change: 'changed', trainingActive: false }), [
    { level: 'warning', message: 'model.pt changed while no training task or debug session was running' },
  ]);
  assert.deepEqual(checkpointAlerts({ ...base, change: 'created', trainingActive: false }).map((a) => a.level), ['info']);
});

test('a .bin that is not a checkpoint stays quiet', () => {
  assert.deepEqual(checkpointAlerts({ ...base, path: 'C:\\w\\blob.bin', format: 'unknown', verdict: 'malformed', findings: [{ severity: 'high', message: 'x' }] }), [
    { level: 'info', message: 'blob.bin: not a checkpoint, skipped' },
  ]);
});
