import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { AttributionSums, attributedFeature, attributionDrift, buildAttributionReference, validateAttributionPattern } from '../../../src/core/attribution';
import { loadConfig } from '../../../src/core/config';
import { PredictionMonitor, type PredictionReport } from '../../../src/core/predictions';
import { flattenRecord, inferPredictionSchema, validateSchemaOverride } from '../../../src/core/predictions/schema';
import { decide, judgeMonitor } from '../../../src/core/check';
import { observePredictions } from '../../../src/core/check/predictions';
import { samplesOf } from '../../../src/core/fleet/families';
import { analyzeLog } from '../../../src/host/predictions/engine';
import type { MonitorSettings } from '../../../src/host/settings';
import { withLinearShap } from '../helpers/attributionLog';
import { captureIO } from '../helpers/cli';
import { reportPredictionViews } from '../helpers/report';
import { scratchDir } from '../helpers/scratch';

const truth = JSON.parse(readFileSync('test/fixtures/predictions/tabular_dev.truth.json', 'utf8')) as { onset: number };
const tabular = readFileSync('test/fixtures/predictions/tabular_dev.jsonl', 'utf8').split('\n').filter((l) => l.trim() !== '');
const clean = tabular.slice(0, truth.onset);
/** The row from which a retrained model (worst_area's weight x3) serves. */
const UPDATE = 1500;

function monitorReport(lines: readonly string[]): PredictionReport {
  const m = new PredictionMonitor();
  m.pushText(lines.join('\n') + '\n');
  m.end();
  return m.snapshot();
}

test('attribution columns: shap_<feature>, an object of them, or a configured pattern; never monitored as features', () => {
  assert.equal(attributedFeature('shap_worst_area', 'shap_<feature>'), 'worst_area');
  assert.equal(attributedFeature('shap.features.mean_intensity', 'shap.<feature>'), 'features.mean_intensity');
  assert.equal(attributedFeature('shap_', 'shap_<feature>'), undefined);
  assert.equal(attributedFeature('worst_area', 'shap_<feature>'), undefined);
  assert.equal(attributedFeature('ig_worst_area_attr', 'ig_<feature>_attr'), 'worst_area');
  assert.equal(validateAttributionPattern('shap'), 'must contain <feature> exactly once (got "shap"), e.g. "shap_<feature>"');
  assert.match(validateAttributionPattern('<feature>')!, /needs a prefix or suffix/);
  assert.equal(validateAttributionPattern('explanation.<feature>'), undefined);
  assert.deepEqual(validateSchemaOverride({ attributions: 'x' }), [`'attributions' must contain <feature> exactly once (got "x"), e.g. "shap_<feature>"`]);

  const object = inferPredictionSchema([flattenRecord({ a: 1, b: 2, shap: { a: 0.5, b: -0.1 }, prediction: 1 })], 'jsonl');
  assert.deepEqual(object.features.map((f) => f.name), ['a', 'b']);
  assert.deepEqual(object.attributions, [{ column: 'shap.a', feature: 'a' }, { column: 'shap.b', feature: 'b' }]);
  const csv = inferPredictionSchema([new Map<string, number>([['a', 1], ['shap_a', 0.5], ['prediction', 1]])], 'csv');
  assert.deepEqual([csv.features.map((f) => f.name), csv.attributions], [['a'], [{ column: 'shap_a', feature: 'a' }]]);
  const configured = inferPredictionSchema([flattenRecord({ a: 1, why: { a: 0.5 }, shap_a: 3 })], 'jsonl', { attributions: 'why.<feature>' });
  assert.deepEqual(configured.attributions, [{ column: 'why.a', feature: 'a' }]);
  assert.deepEqual(configured.features.map((f) => f.name), ['a', 'shap_a'], 'a configured pattern replaces the defaults');
  assert.ok(configured.overridden.includes('attributions'));
  assert.equal(inferPredictionSchema([flattenRecord({ a: 1, prediction: 1 })], 'jsonl').attributions, undefined);
  // Named like attributions but holding no numbers: neither attributions nor features.
  const odd = inferPredictionSchema([flattenRecord({ a: 1, shap: { input: [0.1, 0.2], note: 'n/a' }, prediction: 1 })], 'jsonl');
  assert.deepEqual([odd.features.map((f) => f.name), odd.attributions, odd.other], [['a'], undefined, ['shap.input', 'shap.note']]);
});

test('the reference ranks features by mean |attribution|; a window is compared by a Welch z per feature, corrected over the features', () => {
  // Feature a: |values| 1, 3 (mean 2, population sd 1); b: 2, 2 (mean 2, sd 0) -> tie, schema order; c: 0.5 each.
  const rows: Float64Array[] = [];
  for (let i = 0; i < 20; i++) rows.push(Float64Array.of(i % 2 ? 3 : -1, 2, i === 0 ? NaN : -0.5));
  const ref = buildAttributionReference(['a', 'b', 'c'], rows)!;
  assert.deepEqual([...ref.mean], [2, 2, 0.5]);
  assert.deepEqual([...ref.sd], [1, 0, 0]);
  assert.deepEqual([...ref.count], [20, 20, 19]);
  assert.deepEqual([...ref.rank], [1, 2, 3]);
  assert.equal(buildAttributionReference(['a'], rows.slice(0, 19)), undefined, 'fewer than 20 rows compare nothing');

  // Window: a = 1 on 20 rows (mean 1, sd 0), b = 2, c = 4 (mean 4, sample sd 0 except one 6).
  const window: Float64Array[] = [];
  for (let i = 0; i < 20; i++) window.push(Float64Array.of(1, 2, i === 0 ? 6 : 4));
  const d = attributionDrift(ref, AttributionSums.of(3, window), 1e-3, 'bonferroni')!;
  const byName = new Map(d.features.map((f) => [f.feature, f]));
  // a: (1 - 2) / sqrt(0/20 + 1/20) = -sqrt(20).
  assert.equal(byName.get('a')!.z, -1 / Math.sqrt(1 / 20));
  // c: window mean 4.1, sample variance (0.9^2*19... ) computed as (sum sq - n mean^2)/(n-1).
  const cMean = (6 + 19 * 4) / 20;
  const cVar = (36 + 19 * 16 - 20 * cMean * cMean) / 19;
  assert.equal(byName.get('c')!.current, cMean);
  assert.ok(Math.abs(byName.get('c')!.z - (cMean - 0.5) / Math.sqrt(cVar / 20)) < 1e-9);
  assert.deepEqual(d.features.map((f) => [f.feature, f.referenceRank, f.rank, f.moved]), [['c', 3, 1, true], ['b', 2, 2, false], ['a', 1, 3, true]]);
  assert.deepEqual(d.moved, ['c', 'a']);
  // b did not change: z 0, p 1 after correction.
  assert.deepEqual([byName.get('b')!.z, byName.get('b')!.pValue], [0, 1]);
  assert.equal(attributionDrift(ref, AttributionSums.of(3, window.slice(0, 19)), 1e-3, 'bonferroni'), undefined);
});

test('a retrained model that leans on worst_area: attribution_drift within 300 rows naming it, rank 10 -> 1; nothing else, nothing before', () => {
  const log = withLinearShap(clean, { update: { from: UPDATE, factors: { worst_area: 3 } } });
  const report = monitorReport(log.lines);
  assert.equal(report.schema!.attributions!.length, 30);
  assert.equal(report.schema!.features.length, 30, 'the shap object adds no feature');
  assert.deepEqual(report.alerts.map((a) => a.kind), ['attribution_drift']);
  const alert = report.alerts[0]!;
  assert.ok(alert.index >= UPDATE && alert.index < UPDATE + 300, `raised at row ${alert.index}`);
  assert.deepEqual([alert.index, alert.line, alert.features], [1599, 1600, ['worst_area']]);
  assert.equal(alert.message, 'line 1600: attribution drift over the last 200 rows: the model leans on other features than in the reference: worst_area: attribution rank 10 -> 1 (mean |attribution| 0.775 -> 1.52)');
  // The windows' verdict is the alert's: no feature moved before the update, worst_area since.
  assert.deepEqual(report.windows.map((w) => [w.start, w.attribution!.moved]), [[1000, []], [1200, []], [1400, ['worst_area']], [1600, ['worst_area']], [1800, ['worst_area']]]);
  const episode = report.episodes.find((e) => e.kind === 'attribution_drift')!;
  assert.deepEqual([episode.start, episode.end, episode.features], [1599, null, ['worst_area']]);
  // The same rows served by the first model throughout raise nothing.
  assert.deepEqual(monitorReport(withLinearShap(clean).lines).alerts, []);
});

test('the tabular log\'s own drift moves the attributions of the same model: mean_radius 13 -> 5 after the onset, nothing before', () => {
  const report = monitorReport(withLinearShap(tabular).lines);
  const alerts = report.alerts.filter((a) => a.kind === 'attribution_drift');
  // Its z hovers near the bar as the ramp settles, so the episode may end and open again; the first opens here.
  assert.deepEqual([alerts[0]!.index, alerts[0]!.features], [2724, ['mean_radius']]);
  assert.ok(alerts.every((a) => a.features[0] === 'mean_radius'));
  assert.match(alerts[0]!.message, /mean_radius: attribution rank 13 -> 5 \(mean \|attribution\| 0\.654 -> 1\.01\)$/);
  assert.ok(report.alerts.every((a) => a.index >= truth.onset), 'no alert of any kind before the onset');
});

test('unreadable attributions are skipped, not fatal; too few reference rows leave a note', () => {
  const lines = withLinearShap(clean.slice(0, 1400)).lines.map((l, i) => {
    const r = JSON.parse(l) as { shap: Record<string, unknown> };
    if (i % 7 === 0) r.shap.worst_area = 'n/a';
    if (i % 11 === 0) delete r.shap.mean_radius;
    return JSON.stringify(r);
  });
  const report = monitorReport(lines);
  assert.deepEqual(report.alerts, []);
  assert.ok(report.windows.every((w) => w.attribution && w.attribution.rows === 200));
  assert.deepEqual(report.quality.typeChanges, {}, 'attributions are not features: their text is no data-quality finding');

  // Attributions only on the first 10 rows: nothing to compare, said once.
  const sparse = clean.slice(0, 1400).map((l, i) => (i < 10 ? JSON.stringify({ ...(JSON.parse(l) as object), shap_mean_radius: 0.1 }) : l));
  const few = monitorReport(sparse);
  assert.deepEqual(few.alerts, []);
  assert.ok(few.notes.some((n) => n.startsWith('attributions: fewer than 20 reference rows carry shap_mean_radius')), few.notes.join('\n'));
  assert.ok(few.windows.every((w) => w.attribution === undefined));
});

test('modelmon.json: attributions is a column pattern, checked where it is written; severity can be set per kind', () => {
  const bad = loadConfig('{"predictions": [{"log": "p.jsonl",\n "attributions": "shap"}]}', 'modelmon.json');
  assert.equal(bad.config, undefined);
  assert.deepEqual(bad.problems.map((p) => [p.line, p.message]), [[2, 'predictions[0].attributions: must contain <feature> exactly once (got "shap"), e.g. "shap_<feature>"']]);
  const good = loadConfig('{"predictions": [{"log": "p.jsonl", "attributions": "why.<feature>", "severity": {"attribution_drift": "error"}}]}', 'modelmon.json');
  assert.deepEqual(good.problems, []);
  assert.equal(good.config!.predictions[0]!.schema.attributions, 'why.<feature>');
  assert.equal(good.config!.predictions[0]!.severity.attribution_drift, 'error');
});

test('the attribution_drift alert is the same in predictions --json, the dashboard and tree, check --json, the HTML report and /metrics', async () => {
  const dir = scratchDir('attribution-views');
  writeFileSync(join(dir, 'log.jsonl'), withLinearShap(clean, { update: { from: UPDATE, factors: { worst_area: 3 } } }).lines.join('\n') + '\n');
  writeFileSync(join(dir, 'modelmon.json'), JSON.stringify({ predictions: [{ name: 'shap', log: 'log.jsonl', window: 200 }] }));
  const run = async (args: string[]) => {
    const io = captureIO({ cwd: dir });
    const code = await main(args, io);
    return { code, out: io.stdout() };
  };
  const cliReport = JSON.parse((await run(['predictions', 'log.jsonl', '--json'])).out) as PredictionReport;
  const told = cliReport.alerts.map((a) => ({ kind: a.kind, index: a.index, line: a.line, features: a.features, message: a.message }));
  assert.deepEqual(told.map((a) => [a.kind, a.features]), [['attribution_drift', ['worst_area']]]);
  const text = (await run(['predictions', 'log.jsonl'])).out;
  assert.match(text, /; attributions of 30 features \(shap\.mean_radius, \.\.\.\); task classification\n/);
  assert.match(text, /\nleaned on most, latest window \(mean \|attribution\|, rank from the reference's\): worst_area 10 -> 1 \(moved\), worst_concave_points 1 -> 2, /);

  const editor = await analyzeLog(join(dir, 'log.jsonl'), { referenceRows: 1000, window: 200, alertPValue: 0.001 } as MonitorSettings, new AbortController().signal);
  assert.deepEqual(editor.report!.alerts.map((a) => ({ kind: a.kind, index: a.index, line: a.line, features: a.features, message: a.message })), told);
  assert.equal(editor.drifted, true, 'the tree shows the log drifted');

  const check = await run(['check', '--json']);
  assert.equal(check.code, 0, 'a warning does not fail the default check');
  const monitor = (JSON.parse(check.out) as { monitors: { findings: { kind: string; severity: string; subject: string; location?: { line: number } }[] }[] }).monitors[0]!;
  assert.deepEqual(monitor.findings.filter((f) => f.kind === 'attribution_drift').map((f) => [f.severity, f.subject, f.location?.line]), [['warning', 'worst_area', told[0]!.line]]);

  assert.equal((await run(['report', '--html', join(dir, 'report.html')])).code, 0);
  const view = reportPredictionViews(join(dir, 'report.html'))[0]!;
  assert.deepEqual(view.alerts.map((a) => ({ kind: a.kind, index: a.index, line: a.line, features: a.features, message: a.message })), told);
  assert.deepEqual(view.attributions, editor.report!.attributions);

  // modelmon watch's /metrics: the finding by kind, and the ranking the alert rests on.
  const observed = observePredictions({ log: 'log.jsonl', report: cliReport });
  const result = decide('modelmon.json', 'error', [judgeMonitor({ name: 'shap', type: 'predictions', target: 'log.jsonl', severity: {} }, observed.observation, [], 'error', 0)], '2026-12-03T00:00:00.000Z', 0);
  const samples = samplesOf({ version: '0', result, views: [{ type: 'predictions', view: observed.view }] });
  const value = (name: string, labels: Record<string, string>) => samples.find((x) => x.family.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;
  assert.equal(value('modelmon_findings', { monitor: 'shap', kind: 'attribution_drift', severity: 'warning' }), 1);
  assert.equal(value('modelmon_feature_attribution_rank', { monitor: 'shap', feature: 'worst_area' }), 1);
  assert.equal(value('modelmon_feature_attribution_rank', { monitor: 'shap', feature: 'worst_concave_points' }), 2);
});
