import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CsvRecordAssembler,
  LineSplitter,
  PredictionMonitor,
  splitCsvRecord,
  type LineProblem,
  type LogLine,
} from '../../../src/core/predictions';

function split(chunks: string[], max?: number): { lines: LogLine[]; problems: LineProblem[] } {
  const lines: LogLine[] = [];
  const problems: LineProblem[] = [];
  const s = new LineSplitter((l) => lines.push(l), (p) => problems.push(p), max);
  for (const c of chunks) s.push(c);
  s.end();
  return { lines, problems };
}

test('LineSplitter keeps a partial last line until its newline arrives', () => {
  const lines: LogLine[] = [];
  const s = new LineSplitter((l) => lines.push(l), () => {});
  s.push('{"a":1}\n{"a"');
  assert.deepEqual(lines, [{ text: '{"a":1}', line: 1 }]);
  s.push(':2}\r\n\n{"a":3}');
  assert.deepEqual(lines.map((l) => l.text), ['{"a":1}', '{"a":2}', '']);
  s.end();
  assert.deepEqual(lines[3], { text: '{"a":3}', line: 4 });
});

test('LineSplitter skips a huge line with a message naming it and keeps the lines around it', () => {
  const { lines, problems } = split(['ok1\n', 'x'.repeat(40), 'y'.repeat(40), '\nok2\n'], 50);
  assert.deepEqual(lines, [{ text: 'ok1', line: 1 }, { text: 'ok2', line: 3 }]);
  assert.deepEqual(problems, [{ line: 2, message: 'line 2 is longer than 50 characters (80); skipped' }]);
});

test('splitCsvRecord reads quotes, escaped quotes and empty fields', () => {
  assert.deepEqual(splitCsvRecord('a,"b,c","say ""hi""",,'), ['a', 'b,c', 'say "hi"', '', '']);
  assert.deepEqual(splitCsvRecord('1;2', ';'), ['1', '2']);
  assert.equal(splitCsvRecord('a,"open'), undefined);
});

test('CsvRecordAssembler joins a quoted field that spans lines', () => {
  const records: unknown[] = [];
  const problems: LineProblem[] = [];
  const a = new CsvRecordAssembler(',', (r) => records.push(r), (p) => problems.push(p));
  a.push({ text: '1,"two', line: 2 });
  a.push({ text: 'lines",3', line: 3 });
  a.push({ text: '4,"never closed', line: 4 });
  a.end();
  assert.deepEqual(records, [{ fields: ['1', 'two\nlines', '3'], line: 2 }]);
  assert.deepEqual(problems, [{ line: 4, message: 'line 4: quoted CSV field is not closed at the end of the file; record skipped' }]);
});

function run(text: string, options = {}) {
  const m = new PredictionMonitor({ reference: { kind: 'rows', rows: 20 }, window: 20, ...options });
  m.pushText(text);
  m.end();
  return m.snapshot();
}

const row = (i: number, extra = {}) => JSON.stringify({ ts: 1700000000 + i, id: `r${i}`, x: (i * 7) % 10, color: i % 2 ? 'red' : 'blue', prediction: i % 2, score: 0.9, label: i % 2, ...extra });

test('malformed lines are reported with their line numbers and no valid row is lost', () => {
  const lines = Array.from({ length: 60 }, (_, i) => row(i));
  lines.splice(10, 0, '{"ts": 1, "x": ');
  lines.splice(30, 0, '[1,2,3]');
  lines.splice(40, 0, 'not json at all');
  const r = run(lines.join('\n') + '\n');
  assert.equal(r.rows, 60);
  assert.deepEqual(r.problems.map((p) => p.line), [11, 31, 41]);
  assert.match(r.problems[0]!.message, /^line 11: not valid JSON \(/);
  assert.equal(r.problems[1]!.message, 'line 31: expected a JSON object, found an array; skipped');
  assert.equal(r.quality.unparseableLines, 3);
  // One alert for the episode of bad lines, raised at the first one, pointing at its line.
  const q = r.alerts.filter((a) => a.kind === 'data_quality');
  assert.equal(q.length, 1);
  assert.deepEqual({ ...q[0]!, message: undefined }, { kind: 'data_quality', index: 10, line: 11, ts: null, features: [], message: undefined, severity: 'warning' });
  assert.match(q[0]!.message, /^line 11: not valid JSON \(/);
});

test('a header-only CSV: schema from the header, no rows, a clear note', () => {
  const r = run('ts,id,x,prediction,label\n');
  assert.equal(r.rows, 0);
  assert.equal(r.schema, null);
  assert.deepEqual(r.notes, ['no valid data rows were read', 'no rows yet: the schema is inferred from the first rows']);
});

test('an empty file gives an empty report with a note, not an error', () => {
  const r = run('');
  assert.equal(r.rows, 0);
  assert.deepEqual(r.alerts, []);
  assert.ok(r.notes.includes('no valid data rows were read'));
});

test('mixed types: text in a numeric column is a type change, the row stays', () => {
  const lines = Array.from({ length: 80 }, (_, i) => row(i, i === 50 ? { x: 'oops' } : {}));
  const r = run(lines.join('\n'));
  assert.equal(r.rows, 80);
  assert.deepEqual(r.quality.typeChanges, { x: 1 });
  const a = r.alerts.find((x) => x.kind === 'data_quality' && x.features[0] === 'x' && /wrong type/.test(x.message))!;
  assert.equal(a.message, "lines 41-60: 1 value(s) of 'x' have the wrong type");
});

test('CSV with CRLF, quoted fields and a short row', () => {
  const header = 'ts,id,note,x,prediction,label';
  const body = Array.from({ length: 45 }, (_, i) => `${1700000000 + i},r${i},"a, ""quoted"" note",${(i * 3) % 7},${i % 2},${i % 2}`);
  body.splice(25, 0, '1700000100,bad,row');
  const r = run([header, ...body].join('\r\n') + '\r\n');
  assert.equal(r.rows, 45);
  assert.equal(r.schema!.format, 'csv');
  assert.deepEqual(r.problems, [{ line: 27, message: 'line 27: expected 6 CSV fields, found 3; skipped' }]);
  assert.equal(r.schema!.features.find((f) => f.name === 'x')!.kind, 'numeric');
});

test('a huge line in the log is skipped with its line number', () => {
  const lines = Array.from({ length: 30 }, (_, i) => row(i));
  lines.splice(5, 0, JSON.stringify({ blob: 'z'.repeat(5000) }));
  const r = run(lines.join('\n'), { maxLineChars: 1000 });
  assert.equal(r.rows, 30);
  assert.deepEqual(r.problems, [{ line: 6, message: 'line 6 is longer than 1000 characters (5011); skipped' }]);
});

test('new categories, duplicate ids, a column that appears and one that disappears', () => {
  const lines = Array.from({ length: 100 }, (_, i) => {
    const extra: Record<string, unknown> = {};
    if (i >= 60) extra.color = 'green';
    if (i === 70) extra.id = 'r3';
    if (i >= 80) extra.extra_col = 1;
    if (i >= 60) extra.x = null;
    return row(i, extra);
  });
  const r = run(lines.join('\n'));
  assert.deepEqual(r.quality.newCategories, { color: ['green'] });
  assert.equal(r.quality.duplicateIds, 1);
  assert.deepEqual(r.quality.appearedColumns, ['extra_col']);
  assert.deepEqual(r.quality.disappearedColumns, ['x']);
  const kinds = r.alerts.filter((a) => a.kind === 'data_quality').map((a) => a.message);
  assert.ok(kinds.includes("line 81: new column 'extra_col' appeared (not in the first 50 rows)"));
  assert.ok(kinds.includes("lines 61-80: column 'x' disappeared (missing on every row)"));
  assert.ok(kinds.includes("lines 61-80: new categories in 'color': green"));
  assert.ok(kinds.includes('lines 61-80: 1 duplicate id(s)'));
});

test('the fixture logs copied for tests are the real ones', () => {
  assert.equal(readFileSync('test/fixtures/predictions/digits_dev.jsonl', 'utf8').split('\n').filter(Boolean).length, 5000);
  assert.equal(readFileSync('test/fixtures/predictions/tabular_dev.csv', 'utf8').split('\n').filter(Boolean).length, 4001);
});

test('binary data is reported as such, line by line, and text rows around it still count', () => {
  const lines = Array.from({ length: 30 }, (_, i) => row(i));
  lines.splice(3, 0, 'PK\u0003\u0004\u0000\u0000garbage');
  const r = run(lines.join('\n'));
  assert.equal(r.rows, 30);
  assert.deepEqual(r.problems, [{ line: 4, message: 'line 4: holds binary data (NUL bytes), not log text; skipped' }]);
});

test('CSV: quoted JSON arrays are vectors and class probabilities, as in JSON Lines', () => {
  const jsonl = readFileSync('test/fixtures/predictions/digits_dev.jsonl', 'utf8').split('\n').filter(Boolean).slice(0, 1300);
  const q = (v: unknown) => `"${JSON.stringify(v).replace(/"/g, '""')}"`;
  const csv = ['ts,request_id,mean_intensity,input,prediction,probabilities,label'];
  for (const l of jsonl) {
    const o = JSON.parse(l);
    csv.push([o.ts, o.request_id, o.features.mean_intensity, q(o.input), o.prediction, q(o.probabilities), o.label ?? ''].join(','));
  }
  const r = run(csv.join('\n'), { reference: { kind: 'rows', rows: 1000 }, window: 100 });
  assert.equal(r.rows, 1300);
  assert.deepEqual(r.schema!.features.map((f) => `${f.name}:${f.kind}`), ['mean_intensity:numeric', 'input:vector']);
  assert.equal(r.schema!.probabilities, 'probabilities');
  assert.equal(r.windows.length, 3);
  assert.ok(r.windows.every((w) => w.multivariate[0]!.feature === 'input' && w.meanConfidence! > 0.9));
});

test('timestamps and class values read on the fast paths equal the general ones', async () => {
  const { parseTimestamp, classText } = await import('../../../src/core/predictions/row');
  for (const ts of ['2026-01-01T00:00:00Z', '1999-12-28T23:59:59Z', '2024-02-29T12:00:00Z', '2026-01-31T01:02:03.456Z', '2026-13-01T00:00:00Z', '2026-01-01T00:00:00+02:00', '2026-01-01 00:00:00Z', '2026-1-01T00:00:00Z']) {
    const expected = Date.parse(ts);
    assert.equal(parseTimestamp(ts), Number.isFinite(expected) ? expected : undefined, ts);
  }
  assert.equal(classText('clinic_a'), 'clinic_a');
  assert.equal(classText(' clinic_a '), 'clinic_a');
  assert.equal(classText('\u00a0x'), 'x');
  assert.equal(classText('1.0'), '1');
  assert.equal(classText(''), undefined);
});
