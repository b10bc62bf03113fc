import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  amdQuantity,
  classifyAmdFailure,
  gpuLabel,
  gpuModelsLabel,
  JsonDocumentSplitter,
  parseAmdList,
  parseAmdMetric,
  parseAmdProcesses,
  parseAmdStatic,
  parseRocmSmi,
  withUuids,
  GpuAlertRules,
} from '../../../src/core/gpu';

const AMD = join(__dirname, '..', '..', 'fixtures', 'amd-smi');
const ROCM = join(__dirname, '..', '..', 'fixtures', 'rocm-smi');
const amd = (name: string) => readFileSync(join(AMD, name), 'utf8');
const rocm = (name: string) => readFileSync(join(ROCM, name), 'utf8');

function ok<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

const facts = () => withUuids(ok(parseAmdStatic(amd('static.json'))), ok(parseAmdList(amd('list.json'))));

test('amd-smi static and list: model, bus, driver, power cap, VRAM and UUID per GPU', () => {
  const f = facts();
  assert.deepEqual([...f.keys()], [0, 1]);
  assert.deepEqual(f.get(1), {
    name: 'AMD Instinct MI300X',
    uuid: '14ff74a1-0000-1000-80f2-4b1c3d2e0001',
    busId: '0000:26:00.0',
    driverVersion: '6.8.5',
    powerLimitW: 750,
    memoryTotalMiB: 196592,
  });
});

test('amd-smi metric, bare-list shape: a multi-GPU machine, N/A edge falls back to the hotspot', () => {
  const [g0, g1] = ok(parseAmdMetric(amd('metric.json'), facts()));
  assert.equal(g1!.index, 1);
  assert.deepEqual(
    { ...g0!, throttleReasons: g0!.throttleReasons && [...g0!.throttleReasons] },
    {
      index: 0,
      vendor: 'amd',
      name: 'AMD Instinct MI300X',
      uuid: '13ff74a1-0000-1000-80f2-4b1c3d2e0000',
      busId: '0000:05:00.0',
      driverVersion: '6.8.5',
      pstate: null,
      temperatureC: 41,
      memoryTemperatureC: 33,
      utilizationGpu: 0,
      utilizationMemory: 0,
      memoryTotalMiB: 196592,
      memoryUsedMiB: 283,
      memoryFreeMiB: 196309,
      powerW: 139,
      powerLimitW: 750,
      smClockMHz: 132,
      memoryClockMHz: 900,
      graphicsClockMHz: 132,
      fanPercent: null,
      throttleMask: null,
      throttleReasons: [],
      computeMode: null,
      migEnabled: null,
      eccUncorrectedVolatile: 0,
      encoderSessions: null,
      smiTimestamp: null,
    },
  );
  assert.equal(g1!.temperatureC, 39);
});

test('amd-smi metric, gpu_data shape: edge sensor, fan, THROTTLED, ECC N/A, no static facts', () => {
  const [g] = ok(parseAmdMetric(amd('metric-gpu-data.json')));
  assert.equal(g!.temperatureC, 62);
  assert.equal(g!.fanPercent, 44);
  assert.deepEqual(g!.throttleReasons, ['amd_throttled']);
  assert.equal(g!.eccUncorrectedVolatile, null);
  assert.equal(g!.memoryTotalMiB, 49136);
  assert.equal(g!.name, null);
  assert.equal(g!.uuid, 'amd-gpu-0');
  assert.equal(gpuLabel(g!), 'AMD GPU');
  // The throttled state raises the same alert as an NVIDIA power cap.
  const events = new GpuAlertRules().update({ timeMs: 0, gpus: [g!] });
  assert.deepEqual(events.map((e) => e.alert.message), ['GPU 0 is throttled: power or thermal limit (amd-smi gives no detail)']);
});

test('amd-smi units: W, mW, MB, GB, B, C, MHz, GHz, %; "N/A", a foreign unit and older bare numbers', () => {
  assert.equal(amdQuantity({ value: 130, unit: 'W' }, 'W'), 130);
  assert.equal(amdQuantity({ value: 130500, unit: 'mW' }, 'W'), 130.5);
  assert.equal(amdQuantity({ value: 196592, unit: 'MB' }, 'MiB'), 196592);
  assert.equal(amdQuantity({ value: 2, unit: 'GB' }, 'MiB'), 2048);
  assert.equal(amdQuantity({ value: 1048576, unit: 'B' }, 'MiB'), 1);
  assert.equal(amdQuantity({ value: 41, unit: 'C' }, 'C'), 41);
  assert.equal(amdQuantity({ value: 2.1, unit: 'GHz' }, 'MHz'), 2100);
  assert.equal(amdQuantity({ value: 99, unit: '%' }, '%'), 99);
  assert.equal(amdQuantity('N/A', 'W'), null);
  assert.equal(amdQuantity({ value: 'N/A', unit: 'W' }, 'W'), null);
  assert.equal(amdQuantity({ value: 900, unit: 'mV' }, 'W'), null);
  assert.equal(amdQuantity(123, 'MHz'), 123);
  assert.equal(amdQuantity('77', '%'), 77);
  assert.equal(amdQuantity(undefined, '%'), null);
});

test('amd-smi process: names, pids, VRAM in MiB, mapped to each GPU; none means none', () => {
  const apps = ok(parseAmdProcesses(amd('process.json'), facts()));
  assert.deepEqual(apps[0], { pid: 48213, processName: 'python3', usedMemoryMiB: 150002, gpuUuid: '13ff74a1-0000-1000-80f2-4b1c3d2e0000' });
  assert.deepEqual(apps.map((a) => a.pid), [48213, 48214, 48290]);
  assert.deepEqual(ok(parseAmdProcesses(amd('process-idle.json'))), []);
});

test('amd-smi: not JSON, an unexpected top level and no GPU are reasons, not exceptions', () => {
  assert.match((parseAmdMetric('Traceback (most recent call last):') as { reason: string }).reason, /amd-smi metric --json printed something that is not JSON/);
  assert.match((parseAmdMetric('{"cpu_data": []}') as { reason: string }).reason, /expected a list of GPUs or an object with "gpu_data"/);
  assert.match((parseAmdMetric('[]') as { reason: string }).reason, /listed no GPU/);
  assert.match((parseAmdMetric('') as { reason: string }).reason, /printed nothing/);
});

test('watch stream: concatenated indented documents split across chunks, noise reported, bounded', () => {
  const docs: unknown[] = [];
  const noise: string[] = [];
  const s = new JsonDocumentSplitter((d) => docs.push(JSON.parse(d)), (l) => noise.push(l), 200);
  const ticks = (JSON.parse(amd('metric-watch.json')) as unknown[]).slice(0, 2).map((t) => JSON.stringify(t, null, 4) + '\n');
  const small = '[\n    {"gpu": 0, "name": "a ] } \\" ["}\n]\n';
  const text = `Traceback (most recent call last):\n${small}${small}`;
  for (let i = 0; i < text.length; i += 7) s.push(text.slice(i, i + 7));
  assert.deepEqual(docs, [[{ gpu: 0, name: 'a ] } " [' }], [{ gpu: 0, name: 'a ] } " [' }]]);
  assert.deepEqual(noise, ['Traceback (most recent call last):']);
  // A document past the limit is dropped whole, and the next one still arrives.
  for (const t of ticks) s.push(t);
  s.push(small);
  assert.equal(s.overflows, 2);
  assert.equal(docs.length, 3);
});

test('rocm-smi 5.2: every key as rocm_smi.py prints it, bytes to MiB, string values, N/A sensors', () => {
  const [g0, g1] = ok(parseRocmSmi(rocm('showuse-5.2.json')));
  assert.equal(g0!.name, 'Aldebaran/MI200 [Instinct MI210]');
  assert.equal(gpuLabel(g0!), 'AMD Aldebaran/MI200 [Instinct MI210]');
  assert.equal(g0!.vendor, 'amd');
  assert.equal(g0!.utilizationGpu, 87);
  assert.equal(g0!.utilizationMemory, 41);
  assert.equal(g0!.memoryTotalMiB, 65520);
  assert.equal(g0!.memoryUsedMiB, 50269);
  assert.equal(g0!.temperatureC, 61);
  assert.equal(g0!.memoryTemperatureC, 70);
  assert.equal(g0!.powerW, 271);
  assert.equal(g0!.powerLimitW, 300);
  assert.equal(g1!.utilizationGpu, 0);
  assert.equal(g1!.index, 1);
});

test('rocm-smi 6 spelling: Card Series, socket power, edge N/A falls back to junction', () => {
  const [g] = ok(parseRocmSmi(rocm('showuse-6.json')));
  assert.equal(g!.name, 'AMD Instinct MI300X OAM');
  assert.equal(g!.powerW, 139);
  assert.equal(g!.temperatureC, 41);
  assert.equal(g!.powerLimitW, 750);
  assert.match((parseRocmSmi('{"system": {}}') as { reason: string }).reason, /listed no card/);
});

test('the no-permission, no-driver, no-device and no-library messages of both tools', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['amd-smi', amd('error-no-permission-7.1.txt'), 'no-permission', /not in the video and render groups.*usermod -aG video,render.*\/dev\/dri\/card0: Permission denied/s],
    ['amd-smi', amd('error-no-permission-7.0.txt'), 'no-permission', /User is missing the following required groups/],
    ['amd-smi', amd('error-no-driver.txt'), 'no-driver', /amdgpu kernel driver is not loaded.*\(amd-smi: Driver not loaded \(amdgpu not found in modules\)\)/],
    ['amd-smi', amd('error-no-device.txt'), 'no-device', /^no AMD GPU found on this machine \(amd-smi: Unable to detect any GPU devices/],
    ['rocm-smi', rocm('error-no-driver.txt'), 'no-driver', /\(rocm-smi: Driver not initialized \(amdgpu not found in modules\)\)$/],
    ['rocm-smi', rocm('error-no-device.txt'), 'no-device', /No DRM devices available/],
    ['rocm-smi', rocm('error-no-permission.txt'), 'no-permission', /rocm-smi cannot open the GPU device files/],
    ['rocm-smi', rocm('error-no-library.txt'), 'no-library', /cannot load its ROCm library/],
  ];
  for (const [tool, output, kind, message] of cases) {
    const f = classifyAmdFailure(tool, output);
    assert.equal(f?.kind, kind, output);
    assert.match(f.message, message);
  }
  assert.equal(classifyAmdFailure('amd-smi', 'Segmentation fault'), null);
});

test('vendor and model labels', () => {
  assert.equal(gpuLabel({ vendor: 'nvidia', name: 'NVIDIA H100 80GB HBM3' }), 'NVIDIA H100 80GB HBM3');
  assert.equal(gpuLabel({ vendor: 'amd', name: 'Radeon RX 7900 XTX' }), 'AMD Radeon RX 7900 XTX');
  assert.equal(gpuModelsLabel([{ vendor: 'amd', name: 'AMD Instinct MI300X' }, { vendor: 'amd', name: 'AMD Instinct MI300X' }]), '2 × AMD Instinct MI300X');
});
