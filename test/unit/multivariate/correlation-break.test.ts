import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import type { PredictionReport } from '../../../src/core/predictions';
import { seededRandom, shuffledIndices } from '../../../src/core/random';
import { scratchDir } from '../helpers/scratch';
import { captureIO } from '../helpers/cli';
import { analyzeLog } from '../../../src/host/predictions/engine';
import type { MonitorSettings } from '../../../src/host/settings';
import { reportPredictionViews } from '../helpers/report';

// The clean phase of the tabular fixture: its truth puts the onset of drift at row 2000.
const truth = JSON.parse(readFileSync('test/fixtures/predictions/tabular_dev.truth.json', 'utf8')) as { onset: number };
const clean = readFileSync('test/fixtures/predictions/tabular_dev.jsonl', 'utf8').split('\n').slice(0, truth.onset).map((l) => JSON.parse(l) as Record<string, unknown>);
/** The row from which the pairing of these columns is broken. */
const ONSET = 1400;
const PERMUTED = ['mean_radius', 'mean_perimeter', 'mean_area'];

/** The clean rows with each permuted column's values shuffled (its own seeded order) among rows ONSET..end. */
function brokenPairingLog(): Record<string, unknown>[] {
  const rows = clean.map((r) => ({ ...r }));
  const random = seededRandom(17);
  const tail = rows.slice(ONSET);
  for (const c of PERMUTED) {
    const values = tail.map((r) => r[c]);
    const order = shuffledIndices(values.length, random);
    tail.forEach((r, i) => (r[c] = values[order[i]!]));
  }
  return rows;
}

async function predictionsJson(rows: readonly Record<string, unknown>[]): Promise<PredictionReport> {
  const file = join(scratchDir('multivariate'), 'log.jsonl');
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  let out = '';
  const io: CliIO = { out: (t) => void (out += t), err: () => undefined, stdin: Readable.from([]), env: {}, cwd: process.cwd(), signal: new AbortController().signal };
  const code = await main(['predictions', file, '--json'], io);
  assert.equal(code, 0);
  return JSON.parse(out) as PredictionReport;
}

const pearson = (a: number[], b: number[]) => {
  const m = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [m(a), m(b)];
  let sab = 0, saa = 0, sbb = 0;
  a.forEach((_, i) => ((sab += (a[i]! - ma) * (b[i]! - mb)), (saa += (a[i]! - ma) ** 2), (sbb += (b[i]! - mb) ** 2)));
  return sab / Math.sqrt(saa * sbb);
};

test('the test log: strongly correlated columns, each keeping exactly its values from the onset on', () => {
  const log = brokenPairingLog();
  const col = (rows: Record<string, unknown>[], c: string) => rows.map((r) => r[c] as number);
  const reference = clean.slice(0, 1000);
  for (let i = 0; i < PERMUTED.length; i++) {
    for (let j = i + 1; j < PERMUTED.length; j++) assert.ok(pearson(col(reference, PERMUTED[i]!), col(reference, PERMUTED[j]!)) > 0.98);
  }
  for (const c of PERMUTED) {
    const before = col(clean.slice(ONSET), c).sort((a, b) => a - b);
    const after = col(log.slice(ONSET), c).sort((a, b) => a - b);
    assert.deepEqual(after, before, `${c} keeps its values`);
    assert.notDeepEqual(col(log.slice(ONSET), c), col(clean.slice(ONSET), c));
    assert.ok(Math.abs(pearson(col(log.slice(ONSET), 'mean_radius'), col(log.slice(ONSET), 'mean_area'))) < 0.15);
  }
  assert.deepEqual(log.slice(0, ONSET), clean.slice(0, ONSET));
});

test('a broken pairing raises multivariate_drift within 300 rows, naming the permuted columns first; nothing else, nothing before', async () => {
  const report = await predictionsJson(brokenPairingLog());
  assert.deepEqual(report.alerts.map((a) => a.kind), ['multivariate_drift']);
  const alert = report.alerts[0]!;
  assert.ok(alert.index >= ONSET && alert.index < ONSET + 300, `raised at row ${alert.index}`);
  // 99 rows after the onset, with half of the 200-row window permuted.
  assert.deepEqual([alert.index, alert.line], [1499, 1500]);
  assert.deepEqual(alert.features.slice(0, 3).sort(), [...PERMUTED].sort());
  assert.match(alert.message, /^line \d+: multivariate drift over the last 200 rows: mean PCA reconstruction error [\d.]+ is above the reference band/);
  // The explanation the alert carries is the domain classifier's, refined one window after it opened.
  const e = alert.explanation!;
  assert.equal(e.method, 'domain-classifier');
  assert.ok(e.separated && e.auc > 0.8, `AUC ${e.auc}`);
  assert.deepEqual([e.auc, e.aucThreshold, e.start, e.end], [0.8889, 0.55, 1500, 1700]);
  assert.deepEqual(e.features.slice(0, 3).map((f) => [f.feature, f.importance]), [['mean_area', 0.1193], ['mean_perimeter', 0.0958], ['mean_radius', 0.0739]]);
  assert.deepEqual(e.features.slice(0, 3).map((f) => f.feature).sort(), [...PERMUTED].sort());
  // No column drifts by its own test in any window: every column keeps its distribution.
  for (const w of report.windows) assert.deepEqual(w.verdicts.filter((v) => v.drifted).map((v) => v.feature), [], `window ${w.start}-${w.end}`);
  // The windows' multivariate verdict is the alert's decision: stable before, drifted since the alert.
  const verdicts = report.windows.map((w) => [w.start, w.multivariateDrift!.drifted, w.multivariateDrift!.since]);
  assert.deepEqual(verdicts, [[1000, false, null], [1200, false, null], [1400, true, alert.index], [1600, true, alert.index], [1800, true, alert.index]]);
  const episode = report.episodes.find((x) => x.kind === 'multivariate_drift')!;
  assert.equal(episode.start, alert.index);
  assert.deepEqual(episode.explanation, e);
  assert.equal(report.reference.multivariate!.components, 3);
});

test('the same rows without the permutation raise no alert of any kind', async () => {
  const report = await predictionsJson(clean);
  assert.deepEqual(report.alerts, []);
  assert.ok(report.windows.every((w) => w.multivariateDrift && !w.multivariateDrift.drifted));
});

test('the multivariate_drift alert is the same in predictions --json, the dashboard and tree, check --json and the HTML report', async () => {
  const dir = scratchDir('multivariate-views');
  writeFileSync(join(dir, 'log.jsonl'), brokenPairingLog().map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(dir, 'modelmon.json'), JSON.stringify({ predictions: [{ name: 'pairs', log: 'log.jsonl', window: 200 }] }));
  const run = async (args: string[]) => {
    const io = captureIO({ cwd: dir });
    const code = await main(args, io);
    return { code, out: io.stdout() };
  };
  const cliReport = JSON.parse((await run(['predictions', 'log.jsonl', '--json'])).out) as PredictionReport;
  const told = cliReport.alerts.map((a) => ({ kind: a.kind, index: a.index, line: a.line, features: a.features }));
  assert.equal(told.length, 1);
  assert.equal(told[0]!.kind, 'multivariate_drift');

  // The editor: the dashboard's alerts and the tree's drift flag.
  const editor = await analyzeLog(join(dir, 'log.jsonl'), { referenceRows: 1000, window: 200, alertPValue: 0.001 } as MonitorSettings, new AbortController().signal);
  assert.deepEqual(editor.report!.alerts.map((a) => ({ kind: a.kind, index: a.index, line: a.line, features: a.features })), told);
  assert.equal(editor.drifted, true);

  // check --json: one finding of the kind, on the alert's line, naming its first features.
  const check = await run(['check', '--json']);
  assert.equal(check.code, 0, 'a warning does not fail the default check');
  const monitor = (JSON.parse(check.out) as { monitors: { findings: { kind: string; severity: string; subject: string; location?: { line: number } }[] }[] }).monitors[0]!;
  const findings = monitor.findings.filter((f) => f.kind === 'multivariate_drift');
  assert.deepEqual(findings.map((f) => [f.severity, f.subject, f.location?.line]), [['warning', told[0]!.features.slice(0, 3).join(', '), told[0]!.line]]);

  // The HTML report embeds the same alert.
  assert.equal((await run(['report', '--html', join(dir, 'report.html')])).code, 0);
  const view = reportPredictionViews(join(dir, 'report.html'))[0]!;
  assert.deepEqual(view.alerts.map((a) => ({ kind: a.kind, index: a.index, line: a.line, features: a.features })), told);
});
