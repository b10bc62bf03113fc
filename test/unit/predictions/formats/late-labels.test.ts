import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PredictionMonitor } from '../../../../src/core/predictions';
import { analyzePredictionLog } from '../../../../src/io/predictions';
import { readLabelSet } from '../../../../src/io/predictions/analyzeSet';
import { scratchDir } from '../../helpers/scratch';
import { FIXTURES, jsonlRows, predictions, writeParquet } from './helpers';

const dir = scratchDir('formats-labels');
test.after(() => rmSync(dir, { recursive: true, force: true }));
const rows = jsonlRows('tabular_dev');
const unlabelled = rows.map(({ label: _l, ...r }) => r);
const jsonl = (rs: object[]) => rs.map((r) => JSON.stringify(r)).join('\n') + '\n';

test('labels given as a directory of gzip JSON Lines, Parquet and CSV files join by id: every window scores as with inline labels', async () => {
  const log = join(dir, 'log.jsonl.gz');
  writeFileSync(log, gzipSync(jsonl(unlabelled)));
  const labels = join(dir, 'labels');
  mkdirSync(labels);
  const pairs = rows.map((r) => ({ id: r.id, label: r.label }));
  writeFileSync(join(labels, 'labels-2026-01-01.jsonl.gz'), gzipSync(jsonl(pairs.slice(0, 1500))));
  writeParquet(join(labels, 'labels-2026-01-02.parquet'), pairs.slice(1500, 3000));
  writeFileSync(join(labels, 'labels-2026-01-03.csv'), 'id,label\n' + pairs.slice(3000).map((p) => `${p.id},${p.label}`).join('\n') + '\n');
  const { code, out } = await predictions(log, '--labels', labels, '--schema', '{"label":"label"}', '--json');
  assert.equal(code, 0);
  const joined = JSON.parse(out) as { windows: { labelled: number; performance: unknown }[] };
  const direct = await analyzePredictionLog(join(FIXTURES, 'tabular_dev.jsonl'));
  assert.deepEqual(joined.windows.map((w) => w.labelled), direct.windows.map((w) => w.labelled));
  assert.deepEqual(joined.windows.map((w) => w.performance), direct.windows.map((w) => w.performance));
});

test("a window's accuracy appears when its labels arrive (a Parquet labels file read while the log grows); the estimate stays beside it", async () => {
  // The reference's labels are known (its calibration gives the estimate); the rest come late.
  const known = new Map(rows.slice(0, 1000).map((r) => [String(r.id), String(r.label)]));
  const monitor = new PredictionMonitor({ schema: { label: 'label', id: 'id' }, labels: known });
  monitor.batch(() => unlabelled.slice(0, 1200).forEach((r, i) => monitor.push(r, i + 1)));
  const first = monitor.snapshot().windows[0]!;
  assert.equal(first.labelled, 0, 'window 0 closed before any label came');
  assert.equal(first.performance, undefined);
  assert.equal(typeof first.estimatedAccuracy, 'number');
  // Labels for rows 1000-1399 arrive while rows 1200-1399 are still to come.
  const file = join(dir, 'late.parquet');
  writeParquet(file, rows.slice(1000, 1400).map((r) => ({ id: r.id, label: r.label })), 100);
  const { labels, problems } = await readLabelSet(file, process.cwd(), 'id', 'label');
  assert.deepEqual(problems, []);
  assert.equal(labels.size, 400);
  for (const [id, label] of labels) monitor.addLabel(id, label);
  monitor.batch(() => unlabelled.slice(1200, 1400).forEach((r, i) => monitor.push(r, 1201 + i)));
  const second = monitor.snapshot().windows[1]!;
  const direct = (await analyzePredictionLog(join(FIXTURES, 'tabular_dev.jsonl'))).windows[1]!;
  assert.equal(second.labelled, 200);
  assert.deepEqual(second.performance, direct.performance);
  assert.equal(second.estimatedAccuracy, direct.estimatedAccuracy);
});

test("a closed window's realised accuracy is updated when its labels arrive after it closed; its estimate and report stay as they closed", async () => {
  const known = new Map(rows.slice(0, 1000).map((r) => [String(r.id), String(r.label)]));
  const monitor = new PredictionMonitor({ schema: { label: 'label', id: 'id' }, labels: known });
  monitor.batch(() => unlabelled.slice(0, 1400).forEach((r, i) => monitor.push(r, i + 1)));
  const before = monitor.snapshot().windows.slice(0, 2);
  assert.deepEqual(before.map((w) => w.labelled), [0, 0]);
  assert.deepEqual(monitor.lateLabelAccuracy(), []);
  // Labels of window 0 (rows 1000-1199) arrive once both windows have closed; half of window 1's.
  for (const r of rows.slice(1000, 1300)) monitor.addLabel(String(r.id), String(r.label));
  const direct = (await analyzePredictionLog(join(FIXTURES, 'tabular_dev.jsonl'))).windows;
  const accuracy = (w: (typeof direct)[number]) => (w.performance && 'accuracy' in w.performance ? w.performance.accuracy : NaN);
  const halfCorrect = rows.slice(1200, 1300).filter((r) => String(r.prediction) === String(r.label)).length;
  assert.deepEqual(monitor.lateLabelAccuracy(), [
    { window: 0, start: 1000, end: 1200, labelledAtClose: 0, labelledLate: 200, accuracy: accuracy(direct[0]!) },
    { window: 1, start: 1200, end: 1400, labelledAtClose: 0, labelledLate: 100, accuracy: halfCorrect / 100 },
  ]);
  assert.deepEqual(monitor.snapshot().windows.slice(0, 2), before);
});
