import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { scratchDir } from '../../helpers/scratch';
import { roundtripCases } from './roundtrip-cases';
import { FIXTURES, comparable, predictions, splitLines } from './helpers';

// Each form of the example logs must give the plain JSON Lines' report: rows, windows, alerts,
// drift verdicts, suspicious rows and problems, field for field.

const dir = scratchDir('formats-roundtrip');
test.after(() => rmSync(dir, { recursive: true, force: true }));

roundtripCases('tabular_dev', dir);

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
