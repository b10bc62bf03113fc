import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { scratchDir } from '../../helpers/scratch';
import { FIXTURES, comparable, comparableWithoutLines, gzipMembers, jsonlRows, kserveEvents, predictions, sagemakerCapture, splitLines, writeParquet, writeRotated } from './helpers';

// Each form of the example logs must give the plain JSON Lines' report: rows, windows, alerts,
// drift verdicts, suspicious rows and problems, field for field.

const dir = scratchDir('formats-roundtrip');
test.after(() => rmSync(dir, { recursive: true, force: true }));

for (const name of ['tabular_dev', 'digits_dev']) {
  const idKey = name === 'tabular_dev' ? 'id' : 'request_id';
  const plain = join(FIXTURES, `${name}.jsonl`);
  let expected: Record<string, unknown>;
  test.before(async () => {
    expected = await comparable(plain);
  });

  test(`${name}: Parquet (row groups of 1000, nested struct and list columns) gives the JSON Lines report`, async () => {
    const file = join(dir, `${name}.parquet`);
    writeParquet(file, jsonlRows(name));
    const { out } = await predictions(file, '--json');
    const doc = JSON.parse(out);
    assert.equal(doc.input.format, 'parquet');
    assert.equal(doc.input.files[0].container, 'parquet');
    assert.deepEqual(await comparable(file), expected);
    assert.equal((expected as { rows: number }).rows, name === 'tabular_dev' ? 4000 : 5000);
  });

  test(`${name}: gzip of 4 members, told by its bytes and not its name, gives the JSON Lines report`, async () => {
    const file = join(dir, `${name}.log`);
    writeFileSync(file, gzipMembers(readFileSync(plain, 'utf8'), 4));
    assert.deepEqual(await comparable(file), expected);
  });

  test(`${name}: a logrotate set (name.3.gz .. name.1, name) given as a directory and as a glob gives the JSON Lines report`, async () => {
    const set = join(dir, `${name}-rotated`);
    mkdirSync(set);
    writeRotated(set, 'predictions.log', splitLines(readFileSync(plain, 'utf8'), 4));
    assert.deepEqual(await comparable(set), expected);
    assert.deepEqual(await comparable(join(set, 'predictions.log*')), expected);
    const { out } = await predictions(set, '--json');
    assert.deepEqual(JSON.parse(out).input.files.map((f: { path: string; container: string }) => [f.path.split('/').pop(), f.container]), [
      ['predictions.log.3.gz', 'gzip'],
      ['predictions.log.2.gz', 'gzip'],
      ['predictions.log.1', 'plain'],
      ['predictions.log', 'plain'],
    ]);
  });

  test(`${name}: SageMaker Data Capture lines (JSON and base64 payloads) give the JSON Lines report`, async () => {
    const file = join(dir, `${name}.capture.jsonl`);
    writeFileSync(file, sagemakerCapture(jsonlRows(name), idKey));
    const { out } = await predictions(file, '--json');
    assert.equal(JSON.parse(out).input.format, 'sagemaker-capture');
    assert.deepEqual(await comparable(file, '--format', 'sagemaker-capture'), expected);
    assert.deepEqual(await comparable(file), expected);
  });

  test(`${name}: KServe CloudEvents (request and response joined by id, responses late) give the JSON Lines report`, async () => {
    const file = join(dir, `${name}.cloudevents.jsonl`);
    writeFileSync(file, kserveEvents(jsonlRows(name), idKey));
    const { out } = await predictions(file, '--json');
    const doc = JSON.parse(out);
    assert.equal(doc.input.format, 'kserve-cloudevents');
    // Two events a row, each response after the next request: row i's request is line 2i (row 0: line 1).
    const withLines = JSON.parse(JSON.stringify(expected)) as { alerts: { index: number }[] };
    assert.deepEqual(doc.alerts.map((a: { index: number; line: number }) => a.line), withLines.alerts.map((a) => (a.index === 0 ? 1 : 2 * a.index)));
    assert.deepEqual(await comparableWithoutLines(file), await comparableWithoutLines(plain));
  });
}

test('tabular_dev: zstd (compressed by zstd 1.5 -19, a committed fixture) gives the JSON Lines report', async () => {
  assert.deepEqual(await comparable(join(FIXTURES, 'formats/tabular_dev.jsonl.zst')), await comparable(join(FIXTURES, 'tabular_dev.jsonl')));
});

test('tabular_dev.csv: rotated CSV files, each with its header, read as one log numbered as the single file', async () => {
  const expected = await comparable(join(FIXTURES, 'tabular_dev.csv'));
  const set = join(dir, 'csv-hourly');
  mkdirSync(set);
  // Hourly files named by their hour, written in shuffled order: the names decide.
  const pieces = splitLines(readFileSync(join(FIXTURES, 'tabular_dev.csv'), 'utf8'), 4, true);
  for (const i of [2, 0, 3, 1]) writeFileSync(join(set, `predictions-2026-01-01T0${i}.csv${i % 2 ? '.gz' : ''}`), i % 2 ? gzipSync(pieces[i]!) : pieces[i]!);
  assert.deepEqual(await comparable(set), expected);
  const copy = join(dir, 'one.csv');
  copyFileSync(join(FIXTURES, 'tabular_dev.csv'), copy);
  assert.deepEqual(await comparable(copy, '--format', 'csv'), expected);
});
