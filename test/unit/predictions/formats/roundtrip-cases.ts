import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, comparable, comparableWithoutLines, gzipMembers, jsonlRows, kserveEvents, predictions, sagemakerCapture, splitLines, writeParquet, writeRotated } from './helpers';

// Each form of an example log must give the plain JSON Lines' report: rows, windows, alerts,
// drift verdicts, suspicious rows and problems, field for field. One test file a log, so that
// each file stays well inside the runner's per-file timeout on a loaded 2-core machine.

/**
 * The round-trip tests of the example log `name` (tabular_dev or digits_dev), writing under `dir`:
 * its file forms (Parquet, gzip, a logrotate set), its captured envelopes (SageMaker, KServe), or both.
 */
export function roundtripCases(name: 'tabular_dev' | 'digits_dev', dir: string, part: 'files' | 'envelopes' | 'all' = 'all'): void {
  const files = part !== 'envelopes';
  const envelopes = part !== 'files';
  const idKey = name === 'tabular_dev' ? 'id' : 'request_id';
  const plain = join(FIXTURES, `${name}.jsonl`);
  let expected: Record<string, unknown>;
  test.before(async () => {
    expected = await comparable(plain);
  });

  if (files) test(`${name}: Parquet (row groups of 1000, nested struct and list columns) gives the JSON Lines report`, async () => {
    const file = join(dir, `${name}.parquet`);
    writeParquet(file, jsonlRows(name));
    const { out } = await predictions(file, '--json');
    const doc = JSON.parse(out);
    assert.equal(doc.input.format, 'parquet');
    assert.equal(doc.input.files[0].container, 'parquet');
    assert.deepEqual(await comparable(file), expected);
    assert.equal((expected as { rows: number }).rows, name === 'tabular_dev' ? 4000 : 5000);
  });

  if (files) test(`${name}: gzip of 4 members, told by its bytes and not its name, gives the JSON Lines report`, async () => {
    const file = join(dir, `${name}.log`);
    writeFileSync(file, gzipMembers(readFileSync(plain, 'utf8'), 4));
    assert.deepEqual(await comparable(file), expected);
  });

  if (files) test(`${name}: a logrotate set (name.3.gz .. name.1, name) given as a directory and as a glob gives the JSON Lines report`, async () => {
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

  if (envelopes) test(`${name}: SageMaker Data Capture lines (JSON and base64 payloads) give the JSON Lines report`, async () => {
    const file = join(dir, `${name}.capture.jsonl`);
    writeFileSync(file, sagemakerCapture(jsonlRows(name), idKey));
    const { out } = await predictions(file, '--json');
    assert.equal(JSON.parse(out).input.format, 'sagemaker-capture');
    assert.deepEqual(await comparable(file, '--format', 'sagemaker-capture'), expected);
    assert.deepEqual(await comparable(file), expected);
  });

  if (envelopes) test(`${name}: KServe CloudEvents (request and response joined by id, responses late) give the JSON Lines report`, async () => {
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
