import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { decide, judgeMonitor } from '../../../src/core/check';
import { observePredictions } from '../../../src/core/check/predictions';
import { renderReportHtml } from '../../../src/core/report';
import { PredictionMonitor } from '../../../src/core/predictions';
import { describeEstimate } from '../../../src/core/estimation/estimator';
import { main } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';

// One estimate, computed once in core, reads the same in the CLI's JSON and text, the dashboard's
// view (table and chart keys) and the HTML report.
const LOG = 'test/fixtures/predictions/tabular_dev.jsonl';

async function cli(...argv: string[]): Promise<string> {
  let out = '';
  const io: CliIO = { out: (t) => void (out += t), err: () => undefined, stdin: Readable.from([]), env: {}, cwd: process.cwd(), signal: new AbortController().signal };
  await main(['predictions', ...argv], io);
  return out;
}

const m = new PredictionMonitor();
m.pushText(readFileSync(LOG, 'utf8'));
m.end();
const report = m.snapshot();
const latest = report.windows[report.windows.length - 1]!;

test('the latest window carries CBPE estimates beside realised values', () => {
  assert.deepEqual(latest.estimatedPerformance, {
    method: 'cbpe',
    average: 'binary',
    rows: 200,
    labelled: 200,
    metrics: [
      { metric: 'precision', estimated: 0.949, realised: 1, samplingError: 0.0104 },
      { metric: 'recall', estimated: 0.9807, realised: 0.9922, samplingError: 0.0093 },
      { metric: 'f1', estimated: 0.9646, realised: 0.9961, samplingError: 0.0139 },
      { metric: 'roc_auc', estimated: 0.9894, realised: 1, samplingError: 0.0003 },
    ],
  });
});

test('CLI: --json holds the same estimate; the summary prints it', async () => {
  const doc = JSON.parse(await cli(LOG, '--json'));
  assert.deepEqual(doc.windows.at(-1).estimatedPerformance, latest.estimatedPerformance);
  assert.deepEqual(doc.reference.estimation, report.reference.estimation);
  const text = await cli(LOG);
  const line = `estimated without labels, latest window: ${describeEstimate(latest.estimatedPerformance!)}`;
  assert.equal(line, 'estimated without labels, latest window: CBPE (binary): precision 0.949 ±0.031 (realised 1.000), recall 0.981 ±0.028 (realised 0.992), F1 0.965 ±0.042 (realised 0.996), ROC AUC 0.989 ±0.001 (realised 1.000)');
  assert.ok(text.includes(line + '\n'), text);
});

test('dashboard view: a table of the latest window and estimate/realised pairs on the chart', () => {
  const { view } = observePredictions({ log: LOG, report });
  assert.deepEqual(view.estimates, {
    method: 'CBPE (binary)',
    start: 3800,
    end: 4000,
    rows: 200,
    labelled: 200,
    metrics: [
      { metric: 'precision', label: 'precision', estimated: 0.949, realised: 1, samplingError: 0.0104 },
      { metric: 'recall', label: 'recall', estimated: 0.9807, realised: 0.9922, samplingError: 0.0093 },
      { metric: 'f1', label: 'F1', estimated: 0.9646, realised: 0.9961, samplingError: 0.0139 },
      { metric: 'roc_auc', label: 'ROC AUC', estimated: 0.9894, realised: 1, samplingError: 0.0003 },
    ],
    basis: 'positive class 1: raw probability for the score (1000 labelled reference rows)',
  });
  const w = view.windows.at(-1)!.metrics;
  assert.deepEqual([w.estimatedF1, w.f1, w.estimatedRocAuc, w.rocAuc], [0.9646, 0.9961, 0.9894, 1]);
});

test('HTML report: the same table', () => {
  const { observation, view } = observePredictions({ log: LOG, report });
  const monitor = judgeMonitor({ name: 'tabular', type: 'predictions', target: LOG, severity: {} }, observation, [], 'error', 5);
  const html = renderReportHtml({ title: 'r', generatedAt: '2026-01-01T00:00:00.000Z', result: decide('modelmon.json', 'error', [monitor], '2026-01-01T00:00:00.000Z', 5), views: [{ type: 'predictions', view }] }, { nonce: 'n' });
  assert.match(html, /<h3>Estimated performance: CBPE \(binary\), rows 3,800–3,999, 200 of 200 labelled<\/h3><table class="mm-estimates">/);
  assert.ok(html.includes('<tr><td>F1</td><td>0.9646</td><td>±0.0417</td><td>0.9961</td><td>−0.0315</td></tr>'), html.slice(html.indexOf('mm-estimates'), html.indexOf('mm-estimates') + 600));
});
