// One drift verdict everywhere: the example logs' verdicts and drifted-feature counts are identical
// in the dashboard's data, the HTML report's data, `modelmon predictions --json` and `modelmon check --json`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { analyzeLog } from '../../../src/host/predictions/engine';
import type { MonitorSettings } from '../../../src/host/settings';
import type { PredictionReport } from '../../../src/core/predictions';
import type { PredictionReportView } from '../../../src/protocol';
import { reportPredictionViews } from '../helpers/report';
import { captureIO } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
const LOGS = { tabular: 'predictions/tabular_dev.csv', digits: 'predictions/digits_dev.jsonl' } as const;

/** One feature's verdict as every surface must tell it. */
interface Told {
  readonly feature: string;
  readonly drifted: boolean;
  readonly pValue: string;
  readonly since: string;
}

const p3 = (p: number | null) => (p === null ? '–' : p < 0.001 ? '< 0.001' : p.toFixed(3));

function fromView(view: PredictionReportView): Told[] {
  return view.features.map((f) => ({ feature: f.feature, drifted: f.drifted, pValue: p3(f.pValue), since: f.detectedAt == null ? '' : String(f.detectedAt) }));
}

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const io = captureIO({ cwd: EXAMPLES });
  const code = await main(args, io);
  return { code, out: io.stdout() };
}

// The editor's defaults equal examples/modelmon.json: reference 1000 rows, windows of 500.
const settings = { referenceRows: 1000, window: 500, alertPValue: 0.001 } as MonitorSettings;

test('the drift verdicts and drifted-feature counts of the example logs agree in the dashboard, the HTML report, predictions --json and check --json', async () => {
  const check = await cli(['check', '--json']);
  assert.equal(check.code, 1);
  const monitors = (JSON.parse(check.out) as { monitors: { name: string; driftedFeatures: string[]; summary: string; tables: { caption: string; rows: string[][] }[] }[] }).monitors;
  const out = join(scratchDir('verdicts'), 'report.html');
  assert.equal((await cli(['report', '--html', out, '--svg'])).code, 0);
  const reportViews = reportPredictionViews(out);

  const expected = {
    tabular: { drifted: ['mean_radius', 'mean_texture', 'worst_area', 'segment'], total: 31, rows: '3500–3999', since: '2239' },
    // The vector `input` is one feature of five, judged by its domain classifier (AUC 0.523 <= 0.55
    // in the last window: 5% adversarial rows among clean ones); the drift episode has closed.
    digits: { drifted: [] as string[], total: 5, rows: '4500–4999', since: '' },
  };
  for (const [name, log] of Object.entries(LOGS) as [keyof typeof LOGS, string][]) {
    const want = expected[name];
    const dashboard = (await analyzeLog(join(EXAMPLES, log), settings, new AbortController().signal)).report!;
    const told = fromView(dashboard);
    assert.deepEqual(told.filter((t) => t.drifted).map((t) => t.feature), want.drifted, `${name}: dashboard`);
    assert.equal(told.length, want.total);
    assert.ok(told.filter((t) => t.drifted).every((t) => t.since === want.since), `${name}: drifting since row ${want.since}`);
    assert.ok(told.filter((t) => !t.drifted).every((t) => t.since === ''), `${name}: a stable feature has no "since"`);
    assert.equal(`${dashboard.driftScope?.start}–${(dashboard.driftScope?.end ?? 0) - 1}`, want.rows);
    assert.match(dashboard.driftScope?.rule ?? '', /^family-wise p < 0\.001/);

    const inReport = reportViews.find((r) => r.log === log);
    assert.ok(inReport, `${name}: the report embeds the log`);
    assert.deepEqual(fromView(inReport), told, `${name}: HTML report data`);
    assert.deepEqual(inReport.driftScope, dashboard.driftScope);

    const predictions = await cli(['predictions', log, '--reference-rows', '1000', '--window', '500', '--json']);
    const latest = (JSON.parse(predictions.out) as PredictionReport).windows.at(-1)!;
    assert.deepEqual(
      latest.verdicts.map((v) => ({ feature: v.feature, drifted: v.drifted, pValue: p3(v.pValue), since: v.since === null ? '' : String(v.since) })),
      told,
      `${name}: predictions --json`,
    );

    const monitor = monitors.find((m) => m.name === name)!;
    assert.deepEqual(monitor.driftedFeatures, want.drifted, `${name}: check --json`);
    assert.match(monitor.summary, new RegExp(`drift in ${want.drifted.length} of ${want.total} features in rows ${want.rows}`));
    const table = monitor.tables[0]!;
    assert.match(table.caption, new RegExp(`rows ${want.rows} against reference rows 0–999; drifted: family-wise p < 0\\.001`));
    assert.deepEqual(
      table.rows.map((r) => ({ feature: r[0]!, drifted: r[4]!.startsWith('yes'), pValue: r[3]!, since: r[5]! })),
      told,
      `${name}: check --json table`,
    );
  }
});

test('a feature named by the open drift alert is drifted, never stable: the tabular segment mix', async () => {
  const view = (await analyzeLog(join(EXAMPLES, LOGS.tabular), settings, new AbortController().signal)).report!;
  const segment = view.features.find((f) => f.feature === 'segment')!;
  assert.equal(segment.kind, 'segment');
  assert.equal(segment.drifted, true);
  assert.equal(segment.statistic, 'chi2');
  assert.ok(segment.pValue !== null && segment.pValue < 0.001, `segment p ${segment.pValue}`);
  assert.equal(segment.threshold, 0.001);
  const alert = view.alerts.find((a) => a.kind === 'data_drift')!;
  assert.deepEqual([...alert.features].sort(), view.features.filter((f) => f.drifted).map((f) => f.feature).sort());
  // A column whose own test gives p = 0.040 is stable at the family-wise 0.001 the table states.
  const digits = (await analyzeLog(join(EXAMPLES, LOGS.digits), settings, new AbortController().signal)).report!;
  const ink = digits.features.find((f) => f.feature === 'features.ink_fraction')!;
  assert.equal(ink.columnTest?.pValue !== null && ink.columnTest!.pValue! < 0.05, true);
  assert.equal(ink.drifted, false);
  assert.equal(ink.detectedAt, null);
  assert.ok(ink.pValue !== null && ink.pValue > 0.001);
});

test('each suspicious-input alert counts exactly the listed suspicious rows of the range it names (digits)', async () => {
  const view = (await analyzeLog(join(EXAMPLES, LOGS.digits), settings, new AbortController().signal)).report!;
  const alerts = view.alerts.filter((a) => a.kind === 'anomaly');
  assert.deepEqual(alerts.map((a) => a.index), [2115, 4347]);
  for (const a of alerts) {
    const m = /: (\d+) suspicious inputs in the last 500 rows \(rows (\d+)–(\d+); about 2\.5 expected\)$/.exec(a.message);
    assert.ok(m, a.message);
    const [count, from, to] = [Number(m[1]), Number(m[2]), Number(m[3])];
    assert.equal(to, a.index);
    assert.equal(to - from + 1, 500);
    assert.equal(view.suspicious.filter((s) => s.index >= from && s.index <= to).length, count, a.message);
  }
  assert.deepEqual(alerts.map((a) => /: (\d+) suspicious/.exec(a.message)![1]), ['28', '15']);
  assert.equal(view.suspicious.length, 834);
  assert.equal(view.suspiciousTotal, 834);
});
