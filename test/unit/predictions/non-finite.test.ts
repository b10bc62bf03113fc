import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PredictionMonitor } from '../../../src/core/predictions';
import { csvCell } from '../../../src/core/predictions/schema';

const fixture = readFileSync('test/fixtures/predictions/tabular_dev.csv', 'utf8').trimEnd().split('\n');
const header = fixture[0]!.split(',');
const data = fixture.slice(1).map((l) => l.split(','));

/**
 * The tabular fixture's clean phase (rows 0-1999), then the same rows again as rows 2000-3999
 * (with those rows' timestamps and ids) with `column` shifted by +3 reference standard deviations,
 * and one `inf` in `column` at row 10, inside the rows the schema is inferred from.
 */
function shiftedLog(column: string): string {
  const c = header.indexOf(column);
  const ref = data.slice(0, 1000).map((r) => Number(r[c]));
  const mean = ref.reduce((a, b) => a + b, 0) / ref.length;
  const sd = Math.sqrt(ref.reduce((a, b) => a + (b - mean) ** 2, 0) / ref.length);
  const rows = data.slice(0, 2000).map((r) => [...r]);
  for (let i = 2000; i < 4000; i++) {
    const r = [...data[i - 2000]!];
    r[0] = data[i]![0]!;
    r[1] = data[i]![1]!;
    r[c] = String(Number((Number(r[c]) + 3 * sd).toFixed(6)));
    rows.push(r);
  }
  rows[10]![c] = 'inf';
  return [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';
}

test('one `inf` keeps a CSV column numeric: its +3 sd shift from row 2000 is alerted, the infinity counted', () => {
  const m = new PredictionMonitor();
  m.pushText(shiftedLog('mean_smoothness'));
  m.end();
  const r = m.snapshot();
  assert.equal(r.rows, 4000);
  assert.deepEqual(r.schema!.features.find((f) => f.name === 'mean_smoothness'), { name: 'mean_smoothness', kind: 'numeric' });
  // Before: the column was read as text and only "new categories" were reported.
  const drift = r.alerts.filter((a) => a.kind === 'data_drift');
  assert.deepEqual(
    drift.map((a) => [a.index, a.line, a.features]),
    [[2049, 2051, ['mean_smoothness']]],
  );
  assert.match(drift[0]!.message, /^line 2051: data drift over the last 200 rows vs the reference: drift in mean_smoothness \(shift \+\d+\.\d sd\)$/);
  assert.deepEqual(r.quality.nonFinite, { mean_smoothness: 1 });
  assert.equal(r.quality.missing.mean_smoothness, undefined, 'an infinity is not a missing value');
  assert.deepEqual(r.quality.typeChanges, {});
});

test('pandas, numpy and Python spellings of infinity and NaN are numbers; NA markers are missing', () => {
  for (const t of ['inf', 'Inf', 'INF', '+inf', 'Infinity', '+Infinity', 'infinity']) assert.equal(csvCell(t), Infinity, t);
  for (const t of ['-inf', '-Inf', '-Infinity', '-INF']) assert.equal(csvCell(t), -Infinity, t);
  for (const t of ['nan', 'NaN', 'NAN', '-nan', '-NaN', '+nan', '1.#QNAN', '-1.#QNAN', '1.#IND', '-1.#IND']) assert.ok(Number.isNaN(csvCell(t)), t);
  for (const t of ['', 'NA', 'N/A', 'n/a', 'null', 'NULL', 'None', '#N/A', '#N/A N/A', '#NA', '<NA>']) assert.equal(csvCell(t), null, t);
  for (const t of ['info', 'infinite', 'nano', 'inf1']) assert.equal(csvCell(t), t, t);
});

test('infinities within a window: counted per column, one data-quality alert naming the column, the rows kept', () => {
  const lines = ['ts,id,x,z,prediction,label'];
  for (let i = 0; i < 100; i++) {
    const x = i >= 60 && i % 10 === 0 ? (i % 20 ? '-inf' : 'Infinity') : String((i * 7) % 10);
    const z = i === 70 ? 'nan' : String(i % 3);
    lines.push(`${1700000000 + i},r${i},${x},${z},${i % 2},${i % 2}`);
  }
  const m = new PredictionMonitor({ reference: { kind: 'rows', rows: 20 }, window: 20 });
  m.pushText(lines.join('\n') + '\n');
  m.end();
  const r = m.snapshot();
  assert.equal(r.rows, 100);
  assert.deepEqual(r.quality.nonFinite, { x: 4 });
  assert.deepEqual(r.quality.missing, { z: 1 });
  assert.deepEqual(
    r.alerts.filter((a) => a.message.includes('infinite')).map((a) => [a.index, a.features, a.message]),
    [[79, ['x'], "lines 62-81: 2 infinite value(s) of 'x'"]],
  );
});

test('a JSON number too large for a double (1e999) counts as an infinity, not as missing', () => {
  const m = new PredictionMonitor({ reference: { kind: 'rows', rows: 20 }, window: 20 });
  const rows = Array.from({ length: 40 }, (_, i) => (i === 30 ? `{"x":1e999,"prediction":1,"label":1}` : JSON.stringify({ x: i % 5, prediction: i % 2, label: i % 2 })));
  m.pushText(rows.join('\n'));
  m.end();
  const r = m.snapshot();
  assert.equal(r.rows, 40);
  assert.deepEqual(r.quality.nonFinite, { x: 1 });
  assert.deepEqual(r.quality.missing, {});
});

test("Python's json.dumps NaN, Infinity and -Infinity in JSON Lines: the row is kept, NaN missing, the infinities counted", () => {
  const m = new PredictionMonitor({ reference: { kind: 'rows', rows: 20 }, window: 20 });
  const rows = Array.from({ length: 40 }, (_, i) => JSON.stringify({ x: i % 5, note: 'NaN Infinity', prediction: i % 2, label: i % 2 }));
  rows[25] = '{"x": NaN, "note": "say \\"NaN\\" Infinity", "prediction": 1, "label": 1}';
  rows[30] = '{"x": -Infinity, "note": "ok", "prediction": 1, "label": 1}';
  rows[35] = '{"x": Infinity, "note": "ok", "prediction": NaNa, "label": 1}';
  m.pushText(rows.join('\n'));
  m.end();
  const r = m.snapshot();
  assert.equal(r.rows, 39);
  assert.deepEqual(r.quality.nonFinite, { x: 1 });
  assert.deepEqual(r.quality.missing, { x: 1 });
  assert.deepEqual(r.problems.map((p) => p.line), [36]);
  assert.match(r.problems[0]!.message, /^line 36: not valid JSON \(Unexpected token 'I'/);
});
