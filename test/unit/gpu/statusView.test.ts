import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeGpuStatus, type GpuAlert, type GpuSnapshot } from '../../../src/core/gpu';
import { reading } from './helpers';

const gpu = (index: number, over: Parameters<typeof reading>[0] extends infer T ? Partial<T> : never = {}) =>
  reading({
    index,
    name: 'NVIDIA H100 80GB HBM3',
    uuid: `GPU-${index}`,
    utilizationGpu: 40 + index * 20,
    memoryUsedMiB: 20480,
    memoryTotalMiB: 81559,
    temperatureC: 60 + index * 10,
    powerW: 300.5,
    powerLimitW: 700,
    smClockMHz: 1980,
    throttleReasons: [],
    ...over,
  });
const snapshot = (...gpus: ReturnType<typeof reading>[]): GpuSnapshot => ({ timeMs: 0, gpus });
const all = { gpuIndex: 'all' as const, metrics: ['utilization', 'memory', 'temperature'] as const };

test('one GPU: utilisation, memory and temperature, normal colour, a table tooltip', () => {
  const v = describeGpuStatus({ kind: 'sampling', snapshot: snapshot(gpu(0)), alerts: [] }, all);
  assert.equal(v.visible, true);
  assert.equal(v.text, '$(pulse) 40% 20.0/79.6 GiB 60°C');
  assert.equal(v.severity, 'normal');
  assert.equal(
    v.tooltip,
    [
      '**NVIDIA H100 80GB HBM3**',
      '',
      '| GPU | Name | Util | Memory | Temp | Power | SM clock | Clock events |',
      '|---:|---|---:|---:|---:|---:|---:|---|',
      '| 0 | NVIDIA H100 80GB HBM3 | 40% | 20.0 / 79.6 GiB | 60°C | 301 W / 700 W | 1980 MHz | none |',
      '',
      'Click to open the GPU dashboard.',
    ].join('\n'),
  );
});

test('all GPUs aggregate (mean utilisation, summed memory, hottest); one index shows that GPU', () => {
  const state = { kind: 'sampling' as const, snapshot: snapshot(gpu(0), gpu(1)), alerts: [] };
  assert.equal(describeGpuStatus(state, { ...all, metrics: ['utilization', 'memory', 'temperature', 'power'] }).text, '$(pulse) 2 GPUs 50% 40.0/159.3 GiB 70°C 601 W');
  assert.equal(describeGpuStatus(state, { gpuIndex: 1, metrics: ['temperature'] }).text, '$(pulse) 70°C');
  assert.deepEqual(describeGpuStatus(state, { gpuIndex: 5, metrics: ['temperature'] }), {
    visible: true,
    text: '$(warning) GPU 5?',
    severity: 'warning',
    tooltip: 'No GPU with index 5; found 0, 1',
  });
});

test('alerts colour the item by severity and are listed in the tooltip', () => {
  const alert = (severity: 'warning' | 'error', gpuIndex = 0): GpuAlert => ({ kind: 'temperature', gpuIndex, gpuUuid: null, severity, message: `GPU ${gpuIndex} hot`, sinceMs: 0 });
  const warn = describeGpuStatus({ kind: 'sampling', snapshot: snapshot(gpu(0)), alerts: [alert('warning')] }, all);
  assert.deepEqual([warn.severity, warn.text.split(' ')[0]], ['warning', '$(warning)']);
  assert.ok(warn.tooltip.includes('\n\n- $(warning) GPU 0 hot\n'));
  const err = describeGpuStatus({ kind: 'sampling', snapshot: snapshot(gpu(0), gpu(1)), alerts: [alert('warning'), alert('error', 1)] }, all);
  assert.equal(err.severity, 'error');
  // A per-GPU item ignores the other GPU's alert.
  assert.equal(describeGpuStatus({ kind: 'sampling', snapshot: snapshot(gpu(0), gpu(1)), alerts: [alert('error', 1)] }, { ...all, gpuIndex: 0 }).severity, 'normal');
});

test('MIG shows as MIG, absent values as dashes, markdown in names is escaped', () => {
  const v = describeGpuStatus(
    { kind: 'sampling', snapshot: snapshot(gpu(0, { name: 'A|B*', migEnabled: true, utilizationGpu: null, temperatureC: null, throttleReasons: null })), alerts: [] },
    all,
  );
  assert.equal(v.text, '$(pulse) MIG 20.0/79.6 GiB –');
  assert.ok(v.tooltip.includes('| 0 | NVIDIA A\\|B\\* | MIG | 20.0 / 79.6 GiB | – | 301 W / 700 W | 1980 MHz | – |'));
});

test('no GPU or disabled hides the item; starting and retrying show it', () => {
  assert.equal(describeGpuStatus({ kind: 'no-gpu', message: 'nvidia-smi not found' }, all).visible, false);
  assert.equal(describeGpuStatus({ kind: 'disabled' }, all).visible, false);
  assert.deepEqual(describeGpuStatus({ kind: 'starting' }, all), { visible: true, text: '$(sync~spin) GPU', severity: 'normal', tooltip: 'Starting nvidia-smi…' });
  const r = describeGpuStatus({ kind: 'retrying', reason: 'nvidia-smi exited with code 0', delayMs: 2000, last: null }, all);
  assert.deepEqual(r, { visible: true, text: '$(warning) GPU', severity: 'warning', tooltip: 'nvidia-smi: nvidia-smi exited with code 0; retrying in 2 s' });
});

test('the tree and the status bar print one reading with one rounding (79.6 GiB, never 80 beside it)', async () => {
  const { gpuReadingSummary } = await import('../../../src/core/gpu');
  const g = gpu(0, { utilizationGpu: 100, temperatureC: 70, memoryUsedMiB: 81000 });
  assert.equal(gpuReadingSummary(g), '100% · 79.1/79.6 GiB · 70°C');
  const bar = describeGpuStatus({ kind: 'sampling', snapshot: snapshot(g), alerts: [] }, all).text;
  assert.equal(bar, '$(pulse) 100% 79.1/79.6 GiB 70°C');
  assert.equal(gpuReadingSummary(gpu(1, { utilizationGpu: null, migEnabled: true, memoryUsedMiB: null, temperatureC: null })), 'MIG');
});

test('a replayed stand-in says so in the text and the tooltip', () => {
  const v = describeGpuStatus({ kind: 'sampling', snapshot: snapshot(gpu(0)), alerts: [] }, { ...all, replay: 'output recorded on an NVIDIA H100' });
  assert.equal(v.text, '$(pulse) 40% 20.0/79.6 GiB 60°C (replay)');
  assert.equal(v.tooltip.split('\n').slice(0, 3).join('\n'), '**NVIDIA H100 80GB HBM3**\n\nReplay: output recorded on an NVIDIA H100');
});

test('the accessible name has words, not codicon markup', async () => {
  const { accessibleStatusText } = await import('../../../src/core/gpu');
  assert.equal(accessibleStatusText('$(warning) 2 GPUs 50% 40.0/159.3 GiB 70°C'), 'Model Monitor GPU: warning, 2 GPUs 50% 40.0/159.3 GiB 70°C');
  assert.equal(accessibleStatusText('$(pulse) 40% 60°C (replay)'), 'Model Monitor GPU: 40% 60°C (replay)');
  assert.equal(accessibleStatusText('$(sync~spin) GPU'), 'Model Monitor GPU: starting, GPU');
});
