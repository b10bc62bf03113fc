import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PredictionLineParser, PredictionMonitor, flattenRecord, type LineProblem } from '../../../src/core/predictions';
import { MAX_RECORD_DEPTH, nestedDeeperThan } from '../../../src/core/predictions/nesting';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const row = (i: number) => JSON.stringify({ ts: 1700000000 + i, id: `r${i}`, x: (i * 7) % 10, prediction: i % 2, label: i % 2 });
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** 60 rows with `bad` inserted as line 11 (inside the 50 rows the schema is inferred from). */
function logWith(bad: string): string {
  const lines = Array.from({ length: 60 }, (_, i) => row(i));
  lines.splice(10, 0, bad);
  return lines.join('\n') + '\n';
}

test('a 5,000-deep object on line 11 is reported at its line; the 60 other rows are kept', () => {
  const m = new PredictionMonitor({ reference: { kind: 'rows', rows: 20 }, window: 20 });
  m.pushText(logWith(deepObject(5000)));
  m.end();
  const r = m.snapshot();
  assert.equal(r.rows, 60);
  assert.deepEqual(r.problems, [{ line: 11, message: 'line 11: JSON record nested deeper than 100 levels; skipped' }]);
  assert.equal(r.quality.unparseableLines, 1);
  assert.deepEqual(r.schema!.columns, ['ts', 'id', 'x', 'prediction', 'label']);
});

test('modelmon predictions names the file and line of the deep row and exits 0 (before: exit 2, "Maximum call stack size exceeded")', async () => {
  const dir = scratchDir('deep-json');
  writeFileSync(join(dir, 'deep.jsonl'), logWith(deepObject(5000)));
  const r = await runCli(['predictions', 'deep.jsonl', '--reference-rows', '20', '--window', '20'], '', dir);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  assert.match(r.out, /^deep\.jsonl: 60 rows \(jsonl\);/);
  assert.ok(r.out.includes('\n  deep.jsonl: line 11: JSON record nested deeper than 100 levels; skipped\n'), r.out);
});

test('depth is checked without recursion: a million levels of objects and 200,000 of arrays are reported at their lines', () => {
  const problems: LineProblem[] = [];
  const lines: number[] = [];
  const p = new PredictionLineParser((_, line) => lines.push(line), (x) => problems.push(x));
  p.pushLine(row(0), 1);
  p.pushLine(deepObject(1_000_000), 2);
  p.pushLine(`{"v":${'['.repeat(200_000)}${']'.repeat(200_000)}}`, 3);
  p.pushLine(row(1), 4);
  assert.deepEqual(lines, [1, 4]);
  assert.deepEqual(problems.map((x) => x.message), [
    'line 2: JSON record nested deeper than 100 levels; skipped',
    'line 3: JSON record nested deeper than 100 levels; skipped',
  ]);
});

test('exactly 100 levels is a row; 101 is not', () => {
  const nest = (depth: number): Record<string, unknown> => JSON.parse(deepObject(depth)) as Record<string, unknown>;
  assert.equal(MAX_RECORD_DEPTH, 100);
  assert.equal(nestedDeeperThan(nest(100)), false);
  assert.equal(nestedDeeperThan(nest(101)), true);
  assert.equal(nestedDeeperThan({ a: [[1, [2]], { b: {} }] }, 4), false);
  assert.equal(nestedDeeperThan({ a: [[1, [2]], { b: {} }] }, 3), true);
  assert.equal(nestedDeeperThan({ a: 1, b: 'x', c: null }, 1), false);
});

test('flattenRecord walks iteratively, in key order, and leaves out what lies past its depth bound', () => {
  const flat = flattenRecord({ a: 1, b: { c: 2, d: { e: 3 }, f: [1, 2] }, g: null, h: { i: 'x' } });
  assert.deepEqual([...flat], [['a', 1], ['b.c', 2], ['b.d.e', 3], ['b.f', [1, 2]], ['g', null], ['h.i', 'x']]);
  const deep = JSON.parse(deepObject(50_000)) as Record<string, unknown>;
  assert.deepEqual([...flattenRecord(deep, '', new Map(), 3)], []);
  assert.deepEqual([...flattenRecord({ a: { b: { c: 1 } }, z: 2 }, '', new Map(), 2)], [['z', 2]]);
});

test('a CSV cell holding a 20,000-deep JSON array stays text; the log is read whole', () => {
  const m = new PredictionMonitor({ reference: { kind: 'rows', rows: 20 }, window: 20 });
  const deepArray = '['.repeat(20_000) + ']'.repeat(20_000);
  const lines = ['ts,x,tags,prediction,label', ...Array.from({ length: 60 }, (_, i) => `${1700000000 + i},${(i * 7) % 10},${i === 10 ? `"${deepArray}"` : `[${i % 3}]`},${i % 2},${i % 2}`)];
  m.pushText(lines.join('\n') + '\n');
  m.end();
  const r = m.snapshot();
  assert.equal(r.rows, 60);
  assert.equal(r.schema!.columns.includes('tags'), true);
});

test('a timestamp of ±1e999 or past the Date range leaves the row without a time instead of throwing', () => {
  const m = new PredictionMonitor({ reference: { kind: 'rows', rows: 20 }, window: 20 });
  const lines = Array.from({ length: 60 }, (_, i) => (i === 5 ? row(i).replace(/"ts":\d+/, '"ts":-1e999') : i === 6 ? row(i).replace(/"ts":\d+/, '"ts":9e15') : row(i)));
  m.pushText(lines.join('\n') + '\n');
  m.end();
  assert.equal(m.snapshot().rows, 60);
});
