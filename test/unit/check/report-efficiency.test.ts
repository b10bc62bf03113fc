import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, judgeMonitor } from '../../../src/core/check';
import { buildReportData, renderReportHtml, type MonitorView } from '../../../src/core/report';
import type { RunEfficiencyView } from '../../../src/protocol';

const hostile = '<img src=x onerror=alert(1)>';

function efficiency(run: string, busy: number | null): RunEfficiencyView {
  const steps = Array.from({ length: 1000 }, (_, i) => i);
  return {
    run,
    steps: 999,
    stepsPerSecond: 12.5,
    wallSeconds: 80,
    activeSeconds: 79.92,
    gpu: busy === null ? null : { utilizationMean: busy, utilizationMedian: 8, lowUtilizationShare: 0.66, memoryPeakMiB: 1347, memoryTotalMiB: 81559, energyWh: 3.0416, cost: 0.00045624, costPer1kSteps: 0.000456697, samples: 320 },
    currency: 'EUR',
    findings: busy === null ? [] : [{ kind: 'input-bound', severity: 'warning', message: `GPU busy ${busy}% while steps advanced ${hostile}` }],
    utilization: { steps, percent: steps.map((s) => (s % 3 === 0 ? 100 : 5)) },
  };
}

function input() {
  const monitor = judgeMonitor({ name: 'runs', type: 'training', target: 'runs', severity: {} }, { findings: [], summary: 'ok', tables: [] }, [], 'error', 5);
  const view: MonitorView = {
    type: 'training',
    view: {
      runs: [{ name: 'slow', tags: ['train/loss'], lastStep: 999, lastWallTime: 1 }, { name: 'unsampled', tags: ['train/loss'], lastStep: 999, lastWallTime: 1 }],
      series: [],
      findings: [],
      efficiency: [efficiency('slow', 34.5), efficiency('unsampled', null)],
    },
  };
  return { title: 'Report', generatedAt: '2026-01-01T00:00:00.000Z', result: decide('modelmon.json', 'error', [monitor], '2026-01-01T00:00:00.000Z', 5), views: [view] };
}

test('the training panel of the report carries each run\'s efficiency, its strip thinned to the point budget', () => {
  const data = buildReportData(input(), { pointsPerSeries: 100, alertsPerLog: 10, suspiciousRowsPerLog: 10, windowsPerLog: 10 });
  const panel = data.panels[0]!;
  assert.equal(panel.panel, 'training');
  const views = panel.panel === 'training' ? panel.state.efficiency ?? [] : [];
  assert.deepEqual(views.map((v) => [v.run, v.gpu?.energyWh ?? null, v.utilization.steps.length]), [['slow', 3.0416, 100], ['unsampled', null, 100]]);
  // Every 10th sample: steps 0, 10, 20 ...; their utilisation as logged.
  assert.deepEqual(views[0]!.utilization.steps.slice(0, 3), [0, 10, 20]);
  assert.deepEqual(views[0]!.utilization.percent.slice(0, 4), [100, 5, 5, 100]);
});

test('the static report has an efficiency table with the engine\'s figures, escaped', () => {
  const html = renderReportHtml(input(), { nonce: 'n' });
  const table = /<h3>Efficiency<\/h3><table class="mm-efficiency">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[dh]>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]));
  assert.deepEqual(rows, [
    ['Run', 'Steps', 'Steps/s', 'GPU busy (mean)', 'Under 50% busy', 'Peak memory', 'Energy', 'Cost', 'Findings'],
    ['<code>slow</code>', '999', '12.5', '34.5%', '66% of the time', '1,347 MiB', '3.04 Wh', '0.000456 EUR (0.000457 EUR per 1,000 steps)', '<span class="mm-sev-warning">input-bound</span>: GPU busy 34.5% while steps advanced &lt;img src=x onerror=alert(1)&gt;'],
    ['<code>unsampled</code>', '999', '12.5', '–', '–', '–', '–', '–', 'no GPU samples while it ran'],
  ]);
  assert.ok(!html.includes('<img src=x'));
});
