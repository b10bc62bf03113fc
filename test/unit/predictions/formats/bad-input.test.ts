import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetMetadata } from 'hyparquet';
import { readPredictionInput } from '../../../../src/io/predictions/input';
import { scratchDir } from '../../helpers/scratch';
import { FIXTURES, jsonlRows, predictions, sagemakerCapture, splitLines, writeParquet } from './helpers';

const dir = scratchDir('formats-bad');
test.after(() => rmSync(dir, { recursive: true, force: true }));
const rows = jsonlRows('tabular_dev');

test('a truncated Parquet file: exit 2 with a message naming the file and the lost footer, no stack trace', async () => {
  const whole = join(dir, 'whole.parquet');
  writeParquet(whole, rows);
  const cut = join(dir, 'cut.parquet');
  const bytes = readFileSync(whole);
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const { code, out, err } = await predictions(cut);
  assert.equal(code, 2);
  assert.match(out, new RegExp(`${cut.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*cut\\.parquet: not a complete Parquet file, its footer \\(which holds the schema\\) cannot be read: .*; truncated\\?`));
  assert.match(err, /no row could be read \(1 unreadable line\(s\)/);
  assert.doesNotMatch(out + err, /\n\s+at /);
});

test('a Parquet row group that cannot be decoded is named with its rows; the other 3,000 rows are kept', async () => {
  const file = join(dir, 'damaged.parquet');
  writeParquet(file, rows);
  const bytes = readFileSync(file);
  const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  // Overwrite the page headers of the second row group's first column with bytes thrift cannot read.
  const at = Number(meta.row_groups[1]!.columns[0]!.meta_data!.data_page_offset);
  bytes.fill(0xff, at, at + 64);
  writeFileSync(file, bytes);
  const { code, out } = await predictions(file, '--json');
  assert.equal(code, 0);
  const doc = JSON.parse(out);
  assert.equal(doc.rows, 3000);
  assert.equal(doc.problemsTotal, 1);
  assert.match(doc.problems[0].message, /damaged\.parquet: row group 1 \(rows 1001-2000\) cannot be decoded \(.+\); its rows are skipped$/);
});

test('a corrupt gzip member: named with the file and line, reading resumes at the next member, every row of the intact members kept once', async () => {
  const file = join(dir, 'corrupt.jsonl.gz');
  const text = readFileSync(join(FIXTURES, 'tabular_dev.jsonl'), 'utf8');
  const members = splitLines(text, 4).map((p) => gzipSync(p));
  // Damage the middle of the second member's deflate data.
  const mid = Math.floor(members[1]!.length / 2);
  members[1]!.fill(0xaa, mid, mid + 200);
  writeFileSync(file, Buffer.concat(members));
  const ids: number[] = [];
  const problems: string[] = [];
  await readPredictionInput([file], 'auto', {
    lines: (ls) => {
      for (const l of ls) {
        try {
          ids.push((JSON.parse(l.text) as { id: number }).id);
        } catch {
          problems.push(`line ${l.line}: unreadable`);
        }
      }
    },
    records: () => assert.fail('no records from a text log'),
    problem: (_line, message) => problems.push(message),
  });
  assert.equal(new Set(ids).size, ids.length, 'no row repeated');
  for (let id = 0; id < 1000; id++) assert.ok(ids.includes(id), `row ${id} of member 1 kept`);
  for (let id = 2000; id < 4000; id++) assert.ok(ids.includes(id), `row ${id} of members 3-4 kept`);
  assert.ok(ids.filter((id) => id >= 1000 && id < 2000).length < 1000, 'the damaged member lost rows');
  const corrupt = problems.filter((p) => /gzip data is corrupt/.test(p));
  assert.equal(corrupt.length, 1);
  assert.match(corrupt[0]!, /^line \d+: .*corrupt\.jsonl\.gz: gzip data is corrupt near byte \d+ \(.+\); reading resumed at the next member \(byte \d+\)$/);
});

test('an envelope with a missing field and a payload that is not base64: each named by file and line, every other row kept', async () => {
  const file = join(dir, 'capture.jsonl');
  const lines = sagemakerCapture(rows, 'id').trimEnd().split('\n');
  const noOutput = JSON.parse(lines[1500]!);
  delete noOutput.captureData.endpointOutput;
  lines[1500] = JSON.stringify(noOutput);
  const badBase64 = JSON.parse(lines[2001]!);
  badBase64.captureData.endpointInput.data = 'eyJ0cyI6!!!notbase64';
  lines[2001] = JSON.stringify(badBase64);
  writeFileSync(file, lines.join('\n') + '\n');
  const { code, out } = await predictions(file);
  assert.equal(code, 0);
  assert.match(out, /capture\.jsonl \[sagemaker-capture\]: 3998 rows/);
  assert.match(out, new RegExp(`\\n  ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: line 1501: captureData\\.endpointOutput is missing; skipped\\n`));
  assert.match(out, new RegExp(`\\n  ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: line 2002: captureData\\.endpointInput\\.data is not valid base64; skipped\\n`));
});

test('KServe: a request whose response never came and an event without id are named by line; the paired rows kept', async () => {
  const file = join(dir, 'events.jsonl');
  const ev = (type: string, id: string | undefined, data: unknown) => JSON.stringify({ specversion: '1.0', ...(id ? { id } : {}), type: `org.kubeflow.serving.inference.${type}`, source: 's', data });
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    lines.push(ev('request', `r${i}`, { instances: [[i, i * 2]] }));
    if (i !== 7) lines.push(ev('response', `r${i}`, { predictions: [i % 2] }));
  }
  lines.push(ev('response', undefined, { predictions: [1] }));
  writeFileSync(file, lines.join('\n') + '\n');
  const { code, out } = await predictions(file, '--json', '--reference-rows', '20', '--window', '20');
  assert.equal(code, 0);
  const doc = JSON.parse(out);
  assert.equal(doc.rows, 59);
  assert.deepEqual(doc.schema.features.map((f: { name: string }) => f.name), ['feature_0', 'feature_1']);
  assert.deepEqual(doc.problems.map((p: { message: string }) => p.message), ['line 120: CloudEvent has no id; skipped', 'line 15: request r7 has no matching response; skipped']);
});
