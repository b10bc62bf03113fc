import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, judgeMonitor } from '../../../src/core/check';
import { embeddedReportData } from '../helpers/report';
import { buildReportData, downsample, renderReportHtml, type MonitorView } from '../../../src/core/report';

const hostile = '</script><img src=x onerror=alert(1)>&';

function input() {
  const monitor = judgeMonitor(
    { name: `runs ${hostile}`, type: 'training', target: 'runs', severity: {} },
    { findings: [{ kind: 'non-finite', severity: 'error', message: hostile, subject: 'r/train/loss', location: { step: 3 } }], summary: hostile, tables: [] },
    [],
    'error',
    5,
  );
  const steps = Array.from({ length: 2000 }, (_, i) => i);
  const view: MonitorView = {
    type: 'training',
    view: {
      runs: [{ name: 'r', tags: ['train/loss'], lastStep: 1999, lastWallTime: 1 }],
      series: [{ run: 'r', tag: 'train/loss', series: { steps, values: steps.map((s) => (s === 700 ? null : Math.exp(-s / 300))), wallTimes: steps } }],
      findings: [{ run: 'r', tag: 'train/loss', step: 700, kind: 'non-finite', message: hostile, severity: 'error' }],
    },
  };
  return { title: `Report ${hostile}`, generatedAt: '2026-01-01T00:00:00.000Z', result: decide('modelmon.json', 'error', [monitor], '2026-01-01T00:00:00.000Z', 5), views: [view] };
}

test('series are downsampled with their NaN gaps kept', () => {
  const data = buildReportData(input(), { pointsPerSeries: 100, alertsPerLog: 10, suspiciousRowsPerLog: 10, windowsPerLog: 10 });
  const panel = data.panels[0]!;
  assert.equal(panel.panel, 'training');
  const series = panel.panel === 'training' ? panel.state.series[0]!.series : undefined;
  assert.ok(series && series.steps.length <= 101 && series.steps.length >= 90, `kept ${series?.steps.length}`);
  assert.ok(series.values.includes(null) && series.steps[series.values.indexOf(null)] === 700);
  assert.deepEqual([series.steps[0], series.steps.at(-1)], [0, 1999]);
  const small = downsample({ steps: [1, 2], values: [1, 2], wallTimes: [1, 2] }, 100);
  assert.deepEqual(small.steps, [1, 2]);
});

for (const mode of ['svg', 'bundle'] as const) {
  test(`names, messages and titles are escaped in the ${mode} page`, () => {
    const html = renderReportHtml(input(), {
      nonce: 'abc123',
      ...(mode === 'bundle' ? { bundle: { script: 'document.getElementById("modelmon-data");', style: 'body{}' } } : {}),
    });
    assert.ok(!html.includes('<img src=x'), 'no live markup from data');
    const closers = html.match(/<\/script>/g)?.length ?? 0;
    assert.equal(closers, mode === 'bundle' ? 2 : 1, 'only the page\'s own </script> tags');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;&amp;'));
    assert.ok(html.includes(`content="default-src 'none'; style-src 'nonce-abc123'; img-src data:`));
    assert.equal(embeddedReportData(html).title, `Report ${hostile}`);
  });
}
