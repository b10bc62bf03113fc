import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineSplitter, type LogLine } from '../../../src/core/predictions';
import { LineSplitter as GpuLineSplitter } from '../../../src/core/gpu/lines';
import type { PredictionReport } from '../../../src/core/predictions';
import { PredictionLogWatcher, analyzePredictionLog } from '../../../src/io/predictions';
import { LogTextDecoder, sniffEncoding } from '../../../src/io/predictions/logText';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';

const dir = scratchDir('encodings');
after(() => rmSync(dir, { recursive: true, force: true }));

const rows = Array.from({ length: 60 }, (_, i) => JSON.stringify({ ts: 1700000000 + i, id: `r${i}`, x: (i * 7) % 10, city: i % 2 ? 'Zürich' : '東京', prediction: i % 2, label: i % 2 }));
const text = rows.join('\n') + '\n';
const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();

const variants: Record<string, Buffer> = {
  'utf8-bom.jsonl': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
  'utf16le-bom.jsonl': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
  'utf16be-bom.jsonl': Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)]),
  'utf16le.jsonl': Buffer.from(text, 'utf16le'),
  'utf16be.jsonl': utf16be(text),
  'cr-only.jsonl': Buffer.from(text.replace(/\n/g, '\r')),
  'crlf.jsonl': Buffer.from(text.replace(/\n/g, '\r\n')),
};

for (const [name, bytes] of Object.entries(variants)) {
  test(`${name}: all 60 rows read, row 1 included, text intact`, async () => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const r = await analyzePredictionLog(path, { referenceRows: 20, window: 20 });
    assert.equal(r.rows, 60);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.schema!.columns, ['ts', 'id', 'x', 'city', 'prediction', 'label']);
    assert.deepEqual(r.quality.newCategories, {}, 'Zürich and 東京 decode the same in every row');
  });
}

test('a UTF-16 CSV with a byte-order mark: header and rows read', async () => {
  const csv = ['ts,x,prediction,label', ...Array.from({ length: 30 }, (_, i) => `${1700000000 + i},${i % 4},${i % 2},${i % 2}`)].join('\r\n') + '\r\n';
  const path = join(dir, 'utf16.csv');
  writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]));
  const r = await analyzePredictionLog(path, { referenceRows: 20, window: 20 });
  assert.equal(r.rows, 30);
  assert.equal(r.schema!.format, 'csv');
  assert.deepEqual(r.schema!.columns, ['ts', 'x', 'prediction', 'label']);
});

test('LogTextDecoder: fed one byte at a time, every encoding gives back the exact text', () => {
  for (const [name, bytes] of Object.entries(variants)) {
    if (name.startsWith('c')) continue;
    const d = new LogTextDecoder();
    let out = '';
    for (let i = 0; i < bytes.length; i++) out += d.write(bytes.subarray(i, i + 1)).join('');
    out += d.end().join('');
    assert.equal(out, text, name);
  }
  assert.deepEqual(sniffEncoding(Buffer.from('{"a')), { encoding: 'utf8', bom: 0 });
  assert.deepEqual(sniffEncoding(Buffer.from([0xff, 0xfe, 0x7b, 0])), { encoding: 'utf16le', bom: 2 });
  // A file shorter than the sniffed head is still decoded at its end.
  const short = new LogTextDecoder();
  assert.deepEqual([...short.write(Buffer.from('ab')), ...short.end()], ['ab']);
});

test('the watcher tails a UTF-16 log appended in pieces that split characters', async () => {
  const path = join(dir, 'live-utf16.jsonl');
  const bytes = variants['utf16le-bom.jsonl']!;
  const cut = 2 + 2 * rows.slice(0, 55).join('\n').length + 3; // mid character, mid line 56
  writeFileSync(path, bytes.subarray(0, cut));
  let last: PredictionReport | undefined;
  const w = new PredictionLogWatcher(path, { pollMs: 25, throttleMs: 0, referenceRows: 20, window: 20 }, (r) => (last = r));
  try {
    await w.start();
    assert.equal(w.snapshot()!.rows, 55);
    appendFileSync(path, bytes.subarray(cut));
    const t0 = Date.now();
    while (last?.rows !== 60 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    assert.equal(last!.rows, 60);
    assert.deepEqual(last!.problems, []);
  } finally {
    w.dispose();
  }
});

test('a non-empty log with no readable row exits 2 and says why, naming the file', async () => {
  writeFileSync(join(dir, 'binary.jsonl'), Buffer.from([0x7b, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x7d, 0x0a]));
  const r = await runCli(['predictions', 'binary.jsonl'], '', dir);
  assert.equal(r.code, 2);
  assert.equal(r.err, 'modelmon predictions: binary.jsonl: no row could be read (2 unreadable line(s); first line 1: holds binary data (NUL bytes), not log text; skipped)\n');
  assert.match(r.out, /^binary\.jsonl: 0 rows;/);
  assert.ok(r.out.includes('note: no valid data rows were read: 2 line(s) could not be read (first line 1: holds binary data (NUL bytes), not log text; skipped)\n'), r.out);
});

test('LineSplitter: lone CR, CRLF split across chunks and a trailing CR end lines once each', () => {
  const lines: LogLine[] = [];
  const s = new LineSplitter((l) => lines.push(l), () => {});
  for (const chunk of ['a\rb\r', '\nc\r\n', 'd\r', '\r', 'e\n\rf', '']) s.push(chunk);
  s.end();
  assert.deepEqual(lines.map((l) => [l.line, l.text]), [[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, ''], [6, 'e'], [7, ''], [8, 'f']]);
  // The GPU reader's wrapper is unchanged for nvidia-smi's \n output.
  const gpu = new GpuLineSplitter();
  assert.deepEqual(gpu.push('0, 45\n1, '), ['0, 45']);
  assert.deepEqual(gpu.push('50\r\n'), ['1, 50']);
});
