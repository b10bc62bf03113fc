import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunEfficiency } from '../../../src/core/efficiency';
import { efficiencyTooltipMarkdown, efficiencyView, MAX_STRIP_POINTS, stepAtTime } from '../../../src/host/training/efficiencyView';

test('places a time on the step axis between the logged steps, held at the ends', () => {
  // Logged out of order (as a restart leaves them); taken by time.
  const at = stepAtTime([{ step: 20, wallTime: 1020 }, { step: 0, wallTime: 1000 }, { step: 10, wallTime: 1010 }]);
  assert.deepEqual([at(999_000), at(1_000_000), at(1_005_000), at(1_012_500), at(1_020_000), at(1_030_000)], [0, 0, 5, 12.5, 20, 20]);
  assert.equal(stepAtTime([])(5), 0);
});

function efficiency(samples: number): RunEfficiency {
  const utilization = Array.from({ length: samples }, (_, i) => ({ timeMs: 1_000_000 + i * 10, percent: i % 2 ? 100 : 0 }));
  return {
    run: 'slow|run',
    start: '', end: '', startMs: 1_000_000, endMs: 1_000_000 + samples * 10,
    wallSeconds: 30, activeSeconds: 29.5, steps: 300, stepsPerSecond: 10.1694915, samplesPerSecond: null, batchSize: null, secondsPerStep: 0.1,
    gpu: { gpus: ['GPU-1'], gpusFrom: 'all', samples, utilizationMean: 50, utilizationMedian: 50, shareUnder50: 0.5, memoryPeakMiB: 1347, memoryTotalMiB: 81559, energyWh: 1.23456, cost: 0.000185184, costPer1000Steps: 0.00061728, energyWhPer1000Steps: 4.1152, utilization },
    findings: [{ kind: 'input-bound', severity: 'warning', message: 'GPU under 50% busy for 50% of the run *while* steps advanced' }],
  };
}

test('passes the engine\'s figures and findings through, thinning the strip to its column budget', () => {
  const steps = [{ step: 0, wallTime: 1000 }, { step: 300, wallTime: 1000 + 2500 * 10 / 1000 }];
  const view = efficiencyView(efficiency(2500), steps, 'EUR');
  assert.deepEqual(view.gpu, { utilizationMean: 50, utilizationMedian: 50, lowUtilizationShare: 0.5, memoryPeakMiB: 1347, memoryTotalMiB: 81559, energyWh: 1.23456, cost: 0.000185184, costPer1kSteps: 0.00061728, samples: 2500 });
  assert.deepEqual(view.findings, [{ kind: 'input-bound', severity: 'warning', message: 'GPU under 50% busy for 50% of the run *while* steps advanced' }]);
  // 2,500 samples in columns of 3 (the last of 1): 834 columns, each the mean of its samples.
  assert.equal(view.utilization.steps.length, Math.ceil(2500 / 3));
  assert.ok(view.utilization.steps.length <= MAX_STRIP_POINTS);
  assert.deepEqual(view.utilization.percent.slice(0, 2), [100 / 3, 200 / 3]);
  assert.deepEqual(view.utilization.steps.slice(0, 2).map((x) => Math.round(x * 1e9) / 1e9), [0, 0.36]);
  const few = efficiencyView(efficiency(4), steps, null);
  assert.deepEqual(few.utilization.steps.map((x) => Math.round(x * 1e9) / 1e9), [0, 0.12, 0.24, 0.36]);
  assert.deepEqual(few.utilization.percent, [0, 100, 0, 100]);
  assert.equal(efficiencyView({ ...efficiency(0), findings: [] }, steps, null).gpu, null);
});

test('the tree\'s tooltip columns, escaped for Markdown', () => {
  const md = efficiencyTooltipMarkdown(efficiencyView(efficiency(4), [], 'EUR'));
  assert.equal(
    md,
    [
      '| Steps/s | GPU busy | Under 50% | Peak memory | Energy | Cost |',
      '|---:|---:|---:|---:|---:|---:|',
      '| 10.2 | 50% | 50% | 1,347 MiB | 1.23 Wh | 0.000185 EUR |',
      '',
      '- **input\\-bound**: GPU under 50% busy for 50% of the run \\*while\\* steps advanced',
    ].join('\n'),
  );
});
