import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { main } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: Readable.from([]),
    env: {},
    cwd: process.cwd(),
    signal: new AbortController().signal,
  };
  const code = await main(['predictions', ...argv], io);
  return { code, out, err };
}

test('--json prints one document with rows, schema, windows, alerts and suspicious row indices', async () => {
  const { code, out } = await cli('test/fixtures/predictions/digits_dev.jsonl', '--json');
  assert.equal(code, 0);
  const doc = JSON.parse(out);
  assert.deepEqual(Object.keys(doc).slice(0, 5), ['rows', 'schema', 'windows', 'alerts', 'suspicious']);
  assert.equal(doc.rows, 5000);
  assert.equal(doc.windows.length, 20);
  const drift = doc.alerts.find((a: { kind: string }) => a.kind === 'data_drift');
  assert.deepEqual([drift.index, drift.line, drift.ts], [1674, 1675, '2026-01-01T01:09:45Z']);
  assert.ok(doc.suspicious.includes(4206));
});

test('the summary names the alerts and the drifting features', async () => {
  const { code, out } = await cli('test/fixtures/predictions/tabular_dev.csv');
  assert.equal(code, 0);
  assert.match(out, /^test\/fixtures\/predictions\/tabular_dev\.csv: 4000 rows \(csv\); reference rows 0-999 \(first 1000 rows\); 15 windows of 200 rows\n/);
  assert.match(out, /row 2099 +data_drift +line 2101: data drift/);
  assert.match(out, /drifting now: mean_radius \(\+\d+\.\d+ sd\), mean_texture/);
});

test('--window, --reference-rows and --fail-on-alert', async () => {
  const r = await cli('test/fixtures/predictions/tabular_dev.jsonl', '--window', '100', '--reference-rows', '500', '--json', '--fail-on-alert');
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.out);
  assert.deepEqual([doc.reference.rows, doc.windows[0].rows], [500, 100]);
});

test('--reference-range takes the reference from a time range', async () => {
  const r = await cli('test/fixtures/predictions/tabular_dev.jsonl', '--reference-range', '2026-01-01T00:00:00Z..2026-01-01T16:40:00Z', '--json');
  const doc = JSON.parse(r.out);
  assert.deepEqual([doc.reference.source, doc.reference.rows, doc.reference.end], ['time range', 1000, 1000]);
});

test('unusable arguments exit 2 with a message and the usage', async () => {
  for (const [args, message] of [
    [[], 'no prediction log given'],
    [['a.jsonl', 'b.jsonl'], 'expected one log file, got 2'],
    [['x.jsonl', '--window', '5'], "--window must be an integer >= 20 (got '5')"],
    [['x.jsonl', '--reference-rows', 'many'], "--reference-rows must be an integer >= 20 (got 'many')"],
    [['x.jsonl', '--bogus'], "Unknown option '--bogus'"],
    [['x.jsonl', '--schema', '{"lable":"y"}'], "--schema: unknown key 'lable'"],
    [['x.jsonl', '--reference-range', 'yesterday'], '--reference-range must look like START..END'],
    [['x.jsonl', '--reference-range', '..2026-01-01', '--reference-rows', '50'], '--reference-range cannot be combined'],
  ] as const) {
    const r = await cli(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.ok(r.err.includes(message), `${r.err} lacks ${message}`);
    assert.ok(r.err.includes('usage: modelmon predictions'));
  }
});

test('a missing log: exit 2, a message naming it, no stack trace', async () => {
  const r = await cli('nope.jsonl');
  assert.equal(r.code, 2);
  assert.match(r.err, /^modelmon predictions: prediction log '.*nope\.jsonl' cannot be read: no such file\n$/);
});
