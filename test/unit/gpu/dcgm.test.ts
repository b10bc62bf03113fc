import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  dcgmHistory,
  dcgmSelector,
  dcgmSnapshot,
  formatLabelMatchers,
  GpuAlertRules,
  isDcgmBlank,
  labelPredicate,
  parseLabelMatchers,
  parsePromResponse,
  toSampleRecord,
  formatSampleLines,
} from '../../../src/core/gpu';

// Answers of a real Prometheus 2.42 that scraped the replay of two dcgm-exporter nodes
// (test/servers/dcgm-exporter; test/servers/dcgm-exporter/capture.ts writes these files).
const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'dcgm');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

const snapshot = () => dcgmSnapshot(parsePromResponse(fixture('query.json'), 'vector').series);

test('an instant query of both nodes gives one reading per GPU, by host then index, with exact values', () => {
  const s = snapshot();
  assert.equal(s.timeMs, 1796248302000);
  assert.deepEqual(
    s.gpus.map((g) => [g.cluster?.host, g.index, g.name, g.utilizationGpu, g.memoryUsedMiB, g.memoryFreeMiB, g.memoryTotalMiB, g.temperatureC, g.memoryTemperatureC, g.powerW]),
    [
      ['node-a', 0, 'NVIDIA H100 80GB HBM3', 97, 71234, 9770, 81559, 71, 78, 612.482],
      ['node-a', 1, 'NVIDIA H100 80GB HBM3', 0, 1347, 79657, 81559, 34, 36, 71.207],
      ['node-a', 2, 'NVIDIA H100 80GB HBM3', 0, 0, 81004, 81559, 31, 33, 69.9],
      ['node-a', 3, 'NVIDIA H100 80GB HBM3', 100, 40960, 40044, 81559, 88, 92, 699.03],
      ['node-b', 0, 'NVIDIA A100-SXM4-80GB', 64, 60416, 21504, 81920, 55, 61, 301.5],
      // The sentinel 9223372036854775794 (Prometheus prints 9223372036854776000) is no reading.
      ['node-b', 1, 'NVIDIA A100-SXM4-80GB', 0, 870, 81050, 81920, 29, null, 58.318],
    ],
  );
});

test('cluster facts: jobs from pod labels, XID, row remapping, reserved memory and profiling ratios', () => {
  const [a0, a1, a2, a3, b0, b1] = snapshot().gpus;
  assert.deepEqual(a0!.cluster?.job, { name: 'ml-team/train-llm-0', container: 'trainer' });
  assert.deepEqual(a1!.cluster?.job, { name: 'ml-team/train-llm-0', container: 'trainer' });
  assert.equal(a2!.cluster?.job, null);
  assert.deepEqual(b0!.cluster?.job, { name: 'research/eval-7f9c', container: 'eval' });
  assert.deepEqual([a0, a1, a2, a3, b0, b1].map((g) => g!.cluster?.xid), [0, 0, 79, 0, 0, 0]);
  assert.deepEqual([a0, a1, a2, a3, b0, b1].map((g) => [g!.cluster?.rowRemapFailure, g!.cluster?.uncorrectableRemappedRows]), [[0, 0], [0, 0], [0, 0], [0, 0], [1, 3], [0, 0]]);
  // node-b's older exporter collects no FB_RESERVED and no profiling ratios: null, not 0.
  assert.deepEqual([a0!.cluster?.memoryReservedMiB, b0!.cluster?.memoryReservedMiB], [555, null]);
  assert.deepEqual([a0!.cluster?.graphicsEngineActive, a0!.cluster?.smActive, a0!.cluster?.tensorActive, a0!.cluster?.dramActive], [0.964102, 0.921337, 0.583019, 0.402211]);
  assert.deepEqual([b0!.cluster?.graphicsEngineActive, b0!.cluster?.tensorActive], [null, null]);
  assert.equal(a0!.uuid, 'GPU-5f2a1c3e-9d41-4b7a-8e0c-1a2b3c4d5e60');
  assert.equal(a0!.busId, '00000000:18:00.0');
  assert.equal(b0!.driverVersion, '535.104.05');
  assert.equal(a0!.smClockMHz, 1980);
  assert.equal(a0!.utilizationMemory, 41);
  assert.equal(a0!.cluster?.labels.job, 'dcgm-exporter');
  assert.equal(a0!.cluster?.labels.err_code, undefined);
});

test('the --json record keeps every per-GPU field and adds host, source, job, xid and row-remap', () => {
  const record = toSampleRecord(snapshot(), null);
  assert.equal(record.ts, '2026-12-02T21:51:42.000Z');
  assert.deepEqual(record.gpus[2], {
    index: 2,
    vendor: 'nvidia',
    name: 'NVIDIA H100 80GB HBM3',
    uuid: 'GPU-5f2a1c3e-9d41-4b7a-8e0c-1a2b3c4d5e62',
    utilizationGpu: 0,
    utilizationMemory: 0,
    memoryUsedMiB: 0,
    memoryTotalMiB: 81559,
    temperatureC: 31,
    powerW: 69.9,
    powerLimitW: null,
    smClockMHz: 1980,
    pstate: null,
    throttleReasons: null,
    fanPercent: null,
    memoryTemperatureC: 33,
    eccUncorrectedVolatile: null,
    migEnabled: null,
    host: 'node-a',
    source: 'dcgm',
    job: null,
    xid: 79,
    rowRemapFailure: 0,
  });
  assert.deepEqual(formatSampleLines(snapshot(), null).slice(4), [
    '21:51:42 node-b GPU0 NVIDIA A100-SXM4-80GB  util 64%  mem 60416/81920 MiB  55°C  302/- W  SM 1410 MHz  -',
    '21:51:42 node-b GPU1 NVIDIA A100-SXM4-80GB  util 0%  mem 870/81920 MiB  29°C  58/- W  SM 210 MHz  -',
  ]);
});

test('a range query gives one cluster snapshot per step, oldest first', () => {
  const history = dcgmHistory(parsePromResponse(fixture('query_range.json'), 'matrix').series);
  assert.deepEqual(history.map((s) => s.timeMs), [1796248300000, 1796248301000, 1796248302000]);
  assert.deepEqual(history.map((s) => s.gpus.length), [6, 6, 6]);
  assert.deepEqual(history[2]!.gpus.map((g) => [g.cluster?.host, g.index, g.temperatureC, g.memoryTemperatureC]), [
    ['node-a', 0, 71, 78],
    ['node-a', 1, 34, 36],
    ['node-a', 2, 31, 33],
    ['node-a', 3, 88, 92],
    ['node-b', 0, 55, 61],
    ['node-b', 1, 29, null],
  ]);
});

test("DCGM's blanks (INT32, INT64 and FP64 bases and the 15 above each) are no reading; real values are", () => {
  for (const v of [0x7ffffff0, 0x7ffffff0 + 2, 0x7ffffff0 + 15, 2 ** 47, 2 ** 47 + 3, 9223372036854775794, Number('9223372036854776000'), NaN, Infinity, -Infinity]) assert.equal(isDcgmBlank(v), true, String(v));
  for (const v of [0, 100, 88, 699.03, 0x7ffffff0 - 1, 0x7ffffff0 + 16, 4851022113]) assert.equal(isDcgmBlank(v), false, String(v));
});

test('a GPU temperature that is a sentinel is null, never 9.2e18 °C, and raises no temperature alert', () => {
  const body = JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: { __name__: 'DCGM_FI_DEV_GPU_TEMP', gpu: '0', UUID: 'GPU-x', Hostname: 'n1' }, value: [1700000000, '9223372036854775794'] }] },
  });
  const s = dcgmSnapshot(parsePromResponse(body, 'vector').series);
  assert.equal(s.gpus[0]!.temperatureC, null);
  const rules = new GpuAlertRules();
  assert.deepEqual(rules.update(s), []);
});

test('label matchers: parsed, quoted back, and applied as Prometheus does (anchored regexes, absent = empty)', () => {
  const m = parseLabelMatchers('{Hostname="node-a", pod=~"train-.*",namespace!="kube-system", container!~\'side\\\\.car\'}');
  assert.deepEqual(m, [
    { name: 'Hostname', op: '=', value: 'node-a' },
    { name: 'pod', op: '=~', value: 'train-.*' },
    { name: 'namespace', op: '!=', value: 'kube-system' },
    { name: 'container', op: '!~', value: 'side\\.car' },
  ]);
  assert.equal(formatLabelMatchers(m), 'Hostname="node-a",pod=~"train-.*",namespace!="kube-system",container!~"side\\\\.car"');
  assert.equal(dcgmSelector(parseLabelMatchers('Hostname="a\\"b"')).endsWith(',Hostname="a\\"b"}'), true);
  const p = labelPredicate(m);
  assert.equal(p({ Hostname: 'node-a', pod: 'train-llm-0', namespace: 'ml-team' }), true);
  assert.equal(p({ Hostname: 'node-a', pod: 'xtrain-llm-0', namespace: 'ml-team' }), false);
  assert.equal(p({ Hostname: 'node-a', pod: 'train-1', namespace: 'kube-system' }), false);
  assert.equal(labelPredicate(parseLabelMatchers('{pod=""}'))({ Hostname: 'n' }), true);
  assert.deepEqual(parseLabelMatchers('{}'), []);
  const picked = snapshot().gpus.filter((g) => labelPredicate(parseLabelMatchers('{Hostname="node-a",pod="train-llm-0"}'))(g.cluster!.labels));
  assert.deepEqual(picked.map((g) => g.index), [0, 1]);
});

test('a bad label matcher names the problem and where it is', () => {
  const cases: Array<[string, RegExp]> = [
    ['{Hostname="node-a"', /opens '\{' but does not close it/],
    ['{Hostname=node-a}', /expected a quoted value for 'Hostname' at character 10/],
    ['{Hostname~"a"}', /expected =, !=, =~ or !~ after 'Hostname'/],
    ['{pod=~"train-("}', /the regular expression for 'pod' is invalid/],
    ['{pod="a" namespace="b"}', /expected ',' between matchers/],
    ['{__name__="DCGM_FI_DEV_GPU_UTIL"}', /a metric name cannot be matched here/],
    ['{9pod="a"}', /expected a label name at character 1/],
    ['{pod="a\\q"}', /unknown escape '\\q'/],
    ['{pod="a}', /the value of 'pod' is not closed/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseLabelMatchers(text), message, text);
});

test("bad API answers: Prometheus's own error, HTML, truncation, wrong kind, bad values, each by what is wrong", () => {
  const cases: Array<[string, 'vector' | 'matrix', RegExp]> = [
    [fixture('bad_query.json'), 'vector', /Prometheus answered an error \(bad_data\): invalid parameter "query": 1:2: parse error: error parsing regexp: missing closing \)/],
    ['<html><body>502 Bad Gateway</body></html>', 'vector', /the answer is not JSON \(.*\); it starts '<html><body>502 Bad Gateway/],
    [fixture('query.json').slice(0, 5000), 'vector', /the answer is not JSON/],
    [fixture('query.json'), 'matrix', /data.resultType is "vector", expected "matrix"$/],
    ['[1,2]', 'vector', /the answer is not a JSON object$/],
    ['{"status":"ok"}', 'vector', /the answer's status is "ok", not "success"$/],
    ['{"status":"success"}', 'vector', /the answer has no data object$/],
    ['{"status":"success","data":{"resultType":"vector","result":{}}}', 'vector', /data.result is not a list$/],
    ['{"status":"success","data":{"resultType":"vector","result":[{"metric":{"gpu":0},"value":[1,"2"]}]}}', 'vector', /data.result\[0\].metric.gpu is not a string$/],
    ['{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"hot"]}]}}', 'vector', /data.result\[0\].value: 'hot' is not a number$/],
    ['{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}}', 'vector', /data.result\[0\].value: the value is not a string$/],
    ['{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"],[2]]}]}}', 'matrix', /data.result\[0\].values\[1\] is not a \[time, value\] pair$/],
    ['{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["x","2"]}]}}', 'vector', /data.result\[0\].value: the timestamp is not a number$/],
  ];
  for (const [body, kind, message] of cases) assert.throws(() => parsePromResponse(body, kind), message, body.slice(0, 60));
  assert.deepEqual(parsePromResponse('{"status":"success","warnings":["partial answer"],"data":{"resultType":"vector","result":[{"metric":{"__name__":"x"},"value":[1,"NaN"]}]}}', 'vector').warnings, ['partial answer']);
});

test('cluster alerts: XID, row-remap failure, hot GPU and a job holding an idle GPU, one episode each, by host', () => {
  const rules = new GpuAlertRules({ idleSeconds: 60 });
  const s = snapshot();
  const first = rules.update(s);
  assert.deepEqual(first.map((e) => [e.type, e.alert.kind, e.alert.host, e.alert.gpuIndex, e.alert.severity, e.alert.message]), [
    ['raised', 'xid', 'node-a', 2, 'error', 'GPU 2 on node-a reported XID error 79 (GPU has fallen off the bus)'],
    ['raised', 'temperature', 'node-a', 3, 'error', 'GPU 3 on node-a at 88°C, threshold 85°C'],
    ['raised', 'row-remap', 'node-b', 0, 'error', 'GPU 0 on node-b failed to remap a memory row after 3 uncorrectable remapped rows; it needs a reset or service'],
  ]);
  // The idle rule waits its 60 s; the same snapshot a minute later raises it once, for the job's idle GPU only.
  const later = rules.update({ ...s, timeMs: s.timeMs + 60_000 });
  assert.deepEqual(later.map((e) => [e.type, e.alert.kind, e.alert.host, e.alert.gpuIndex, e.alert.message]), [
    ['raised', 'idle-training', 'node-a', 1, 'GPU 1 on node-a idle (0%) for 60 s while job ml-team/train-llm-0 (container trainer) holds it'],
  ]);
  assert.deepEqual(rules.update({ ...s, timeMs: s.timeMs + 61_000 }), []);
  assert.deepEqual(rules.active.map((a) => `${a.host}/${a.gpuIndex}:${a.kind}`), ['node-a/1:idle-training', 'node-a/2:xid', 'node-a/3:temperature', 'node-b/0:row-remap']);
});
