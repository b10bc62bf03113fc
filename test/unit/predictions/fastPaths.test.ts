import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PredictionMonitor, type PredictionReport } from '../../../src/core/predictions';
import { csvCell } from '../../../src/core/predictions/schema';

const FIXTURES = 'test/fixtures/predictions';

function lineByLine(text: string): PredictionReport {
  const m = new PredictionMonitor();
  text.split('\n').forEach((l, i) => m.pushLine(l.replace(/\r$/, ''), i + 1));
  m.end();
  return m.snapshot();
}

function chunked(text: string, size: number): PredictionReport {
  const m = new PredictionMonitor();
  for (let at = 0; at < text.length; at += size) m.pushText(text.slice(at, at + size));
  m.end();
  return m.snapshot();
}

test('plain decimals read on the fast path equal Number()', () => {
  const cases = ['0', '-0', '+0', '0.0', '-0.0', '1.', '.5', '-.5', '+.5', '12.36256', '0.00264', '999999999999999', '9999999999999999', '0.1', '0.3', '123456789.123456', '00012.5000', '1.7976931348623157'];
  for (const c of cases) assert.ok(Object.is(csvCell(c), Number(c)), c);
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (let k = 0; k < 20000; k++) {
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');
    const text = `${next() < 0.3 ? '-' : ''}${digits(1 + Math.floor(next() * 8))}.${digits(Math.floor(next() * 10))}`;
    assert.ok(Object.is(csvCell(text), Number(text)), text);
  }
  for (const c of ['.', '-', '1.2.3', '0x10', 'na', '1e5', ' 1']) assert.deepEqual(csvCell(c), c === '-' || c === 'na' ? null : c === '1e5' ? 1e5 : c === ' 1' ? 1 : c);
});

test('chunked text (rows monitored in batches) gives the report of line-by-line feeding', () => {
  for (const name of ['tabular_dev.jsonl', 'tabular_dev.csv', 'digits_dev.jsonl']) {
    const text = readFileSync(`${FIXTURES}/${name}`, 'utf8');
    const reference = lineByLine(text);
    for (const size of [997, 65536]) assert.deepEqual(chunked(text, size), reference, `${name} in chunks of ${size}`);
  }
});

test('JSON rows whose key order changes, or whose numbers are text, decode as by name', () => {
  const rows: string[] = [];
  for (let i = 0; i < 1400; i++) {
    const a = i % 97 === 0 ? '"7.5"' : i % 89 === 0 ? 'null' : String((i * 37) % 101 / 10);
    const b = String((i * 13) % 53);
    const label = i % 2;
    if (i % 50 === 0) rows.push(`{"b": ${b}, "id": ${i}, "a": ${a}, "prediction": ${label}, "label": ${label}}`);
    else if (i % 71 === 0) rows.push(`{"id": ${i}, "a": ${a}, "extra": 1, "b": ${b}, "prediction": ${label}, "label": ${label}}`);
    else if (i % 83 === 0) rows.push(`{"id": ${i}, "a": "x", "b": ${b}, "prediction": ${label}, "label": ${label}}`);
    else rows.push(`{"id": ${i}, "a": ${a}, "b": ${b}, "prediction": ${label}, "label": ${label}}`);
  }
  const text = rows.join('\n') + '\n';
  const byLine = lineByLine(text);
  assert.deepEqual(chunked(text, 4096), byLine);
  // The by-name reading is what push() of parsed objects in another key order gives.
  const m = new PredictionMonitor();
  rows.forEach((r, i) => {
    const o = JSON.parse(r) as Record<string, unknown>;
    const reordered: Record<string, unknown> = {};
    // Every other row reversed: the key order never settles, so rows are read column by column by name.
    for (const k of i % 2 ? Object.keys(o).reverse() : Object.keys(o)) reordered[k] = o[k];
    m.push(reordered, i + 1);
  });
  m.end();
  const pushed = m.snapshot();
  assert.deepEqual(pushed.quality, byLine.quality);
  assert.deepEqual(pushed.windows, byLine.windows);
  assert.deepEqual(pushed.alerts, byLine.alerts);
});
