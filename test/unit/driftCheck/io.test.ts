import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPredictionRecords } from '../../../src/io/driftCheck';

const FIX = 'test/fixtures/predictions';

test('readPredictionRecords reads a CSV and a JSONL log into the same rows', async () => {
  const csv = await readPredictionRecords(`${FIX}/tabular_dev.csv`);
  const jsonl = await readPredictionRecords(`${FIX}/tabular_dev.jsonl`);
  assert.deepEqual([csv.format, csv.rows.length, jsonl.format, jsonl.rows.length], ['csv', 4000, 'jsonl', 4000]);
  assert.equal(csv.rows[2500]?.get('mean_radius'), 23.7919);
  assert.deepEqual(jsonl.rows[2500], csv.rows[2500]);
});

test('readPredictionRecords stops at maxRows', async () => {
  const head = await readPredictionRecords(`${FIX}/tabular_dev.csv`, undefined, 10);
  assert.equal(head.rows.length, 10);
  assert.equal(head.rows[9]?.get('id'), 9);
});
