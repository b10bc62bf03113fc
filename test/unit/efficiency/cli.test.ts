// modelmon efficiency over a real run and the real nvidia-smi log recorded beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';

const fixtures = join(__dirname, '../../fixtures/efficiency');
const csvPath = join(fixtures, 'gpu-h100-250ms.csv');
const efficiency = (...args: string[]) => runCli(['efficiency', ...args, '--utc-offset', '0', '--no-processes'], '', fixtures);

test('efficiency --json: the run, its pace, its GPU figures and findings, exactly', async () => {
  const r = await efficiency('runs', '--gpu-log', 'gpu-h100-250ms.csv', '--price-per-kwh', '0.3', '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  assert.deepEqual(JSON.parse(r.out), {
    runs: [
      {
        run: 'resumed_purge',
        start: '2026-11-23T03:54:16.911Z',
        end: '2026-11-23T03:54:19.195Z',
        steps: 559,
        stepsPerSecond: 572.9473225780629,
        samplesPerSecond: null,
        batchSize: null,
        wallSeconds: 2.28402197265625,
        activeSeconds: 0.9739115238189697,
        secondsPerStep: 0.0016889572143554688,
        gpu: {
          gpus: ['GPU-c8c15712-c8dc-d96a-c46e-698c8453498d'],
          gpusFrom: 'all',
          samples: 9,
          utilizationMean: 6.666666666666667,
          utilizationMedian: 1,
          shareUnder50: 1,
          memoryPeakMiB: 1315,
          memoryTotalMiB: 81559,
          energyWh: 0.08794286297630634,
          cost: 0.0000263828588928919,
          costPer1000Steps: 0.00004719652753647925,
          energyWhPer1000Steps: 0.15732175845493085,
        },
        findings: [
          {
            kind: 'input-bound',
            severity: 'warning',
            message: "input-bound: the GPU was busy (50% or more) only 0% of the run's time, mean utilisation 7%, while steps advanced at 572.95/s: the data loader or the host holds it back",
          },
          { kind: 'memory-underused', severity: 'info', message: 'GPU memory mostly unused: peak 1.3 GiB of 79.6 GiB (2%), room for a larger batch' },
        ],
      },
    ],
    sources: [`${csvPath}: 386 samples (nvidia-smi log)`],
  });
});

test('a --gpu-log line that is not a sample: its file and line, exit 2, no stack trace', async () => {
  const dir = scratchDir('efficiency-bad');
  const lines = readFileSync(csvPath, 'utf8').split('\n');
  const bad = join(dir, 'gpu.csv');
  writeFileSync(bad, [lines[0], lines[1], '2026/11/23 03:5x:52.651, 0, oops', lines[3], ''].join('\n'));
  const r = await efficiency(join(fixtures, 'runs'), '--gpu-log', bad);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.equal(r.err, `modelmon efficiency: GPU log ${bad}:3: expected 25 fields, got 3\n`);
  const missing = await efficiency('runs', '--gpu-log', 'nope.csv');
  assert.equal(missing.code, 2);
  assert.equal(missing.err, `modelmon efficiency: cannot read GPU log ${join(fixtures, 'nope.csv')}: ENOENT\n`);
});

test('usage errors name the flag', async () => {
  const r = await efficiency('runs', '--price-per-kwh=-1');
  assert.equal(r.code, 2);
  assert.match(r.err, /^modelmon efficiency: --price-per-kwh must be a number >= 0, got '-1'\nusage: modelmon efficiency <logdir>/);
});
