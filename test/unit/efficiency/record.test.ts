// modelmon gpu --record FILE and reading the record back through modelmon efficiency --gpu-log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { main } from '../../../src/cli/main';
import { readGpuLogFile } from '../../../src/io/efficiency/gpuLogFile';
import { GpuRecordFile } from '../../../src/io/efficiency/recordFile';
import { captureIO, runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { STAND_IN_BIN } from '../gpu/helpers';

const fixtures = join(__dirname, '../../fixtures/efficiency');
const csvPath = join(fixtures, 'gpu-h100-250ms.csv');
const efficiencyJson = async (gpuLog: string) => {
  const r = await runCli(['efficiency', join(fixtures, 'runs'), '--gpu-log', gpuLog, '--utc-offset', '0', '--no-processes', '--price-per-kwh', '0.3', '--json']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as { runs: unknown[]; sources: string[] };
};

test('the real H100 log as a record file: a ninth of the size, the same figures and findings', async () => {
  const dir = scratchDir('efficiency-record');
  const rec = join(dir, 'h100.rec');
  const csv = await readGpuLogFile(csvPath, { utcOffsetMinutes: 0 });
  const file = await GpuRecordFile.open(rec);
  file.append([...csv.history.samples()]);
  await file.close();
  const lines = readFileSync(rec, 'utf8').split('\n');
  assert.equal(lines[0], '#modelmon-gpu-history v1');
  assert.equal(lines[1], 'g 0 0 GPU-c8c15712-c8dc-d96a-c46e-698c8453498d - 81559');
  assert.equal(lines[2], '0 1795406032381 0 0 121.91');
  assert.equal(lines.length, 386 + 3);
  assert.equal(statSync(rec).size, 11594);
  assert.equal(statSync(csvPath).size, 107760);
  const fromCsv = await efficiencyJson(csvPath);
  const fromRecord = await efficiencyJson(rec);
  assert.deepEqual(fromRecord.runs, fromCsv.runs);
  assert.deepEqual(fromRecord.sources, [`${rec}: 386 samples (modelmon-record log)`]);
});

test('modelmon gpu --once --record FILE appends the stand-in nvidia-smi sample, which --gpu-log reads back', async () => {
  const dir = scratchDir('gpu-record');
  const io = { ...captureIO({ cwd: dir }), env: { PATH: `${STAND_IN_BIN}${delimiter}${process.env.PATH}` } };
  for (let i = 0; i < 2; i++) assert.equal(await main(['gpu', '--once', '--json', '--record', 'gpu.rec'], io), 0, io.stderr());
  const lines = readFileSync(join(dir, 'gpu.rec'), 'utf8').trim().split('\n');
  // Each session writes its header and declares its GPUs again: appends of two runs stay readable.
  assert.deepEqual(lines.map((l) => l.split(' ')[0]), ['#modelmon-gpu-history', 'g', '0', '#modelmon-gpu-history', 'g', '0']);
  const printed = io.stdout().trim().split('\n').map((l) => JSON.parse(l));
  const sample = lines[2]!.split(' ');
  assert.equal(Number(sample[1]), Date.parse(printed[0].ts));
  assert.deepEqual(sample.slice(2).map(Number), [printed[0].gpus[0].utilizationGpu, printed[0].gpus[0].memoryUsedMiB, printed[0].gpus[0].powerW]);
  const back = await readGpuLogFile(join(dir, 'gpu.rec'));
  assert.equal(back.describe(), '2 samples (modelmon-record log)');
  const bad = await runCli(['gpu', '--once', '--record', join(dir, 'no-such-dir', 'gpu.rec')], '', dir);
  assert.equal(bad.code, 2);
  assert.equal(bad.err, `modelmon gpu: cannot open the GPU record ${join(dir, 'no-such-dir', 'gpu.rec')}: ENOENT\n`);
});
