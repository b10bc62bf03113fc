import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../../../src/cli/main';
import type { CliIO } from '../../../../src/cli/io';
import { scratchDir } from '../../helpers/scratch';
import { jsonlRows } from './helpers';

const dir = scratchDir('formats-config');
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('modelmon.json: a glob of hourly files in an envelope of its own, read through a field mapping (dotted paths and JSON pointers)', async () => {
  mkdirSync(join(dir, 'logs'));
  const rows = jsonlRows('tabular_dev').slice(0, 2000);
  const roles = new Set(['ts', 'id', 'score', 'prediction', 'label', 'segment']);
  const envelope = (r: Record<string, unknown>) =>
    JSON.stringify({
      req: { meta: { rid: r.id, at: r.ts }, body: Object.fromEntries(Object.entries(r).filter(([k]) => !roles.has(k))) },
      resp: { outputs: [{ label: r.prediction }] },
      truth: r.label,
      seg: r.segment,
    });
  writeFileSync(join(dir, 'logs', 'custom-2026-01-01T00.jsonl'), rows.slice(0, 1000).map(envelope).join('\n') + '\n');
  writeFileSync(join(dir, 'logs', 'custom-2026-01-01T01.jsonl'), rows.slice(1000).map(envelope).join('\n') + '\n');
  const config = {
    predictions: [
      {
        name: 'custom',
        log: 'logs/custom-*.jsonl',
        fieldMapping: { features: 'req.body', prediction: '/resp/outputs/0/label', label: 'truth', id: 'req.meta.rid', timestamp: 'req.meta.at', segment: 'seg' },
      },
    ],
  };
  writeFileSync(join(dir, 'modelmon.json'), JSON.stringify(config));
  let out = '';
  const io: CliIO = { out: (t) => void (out += t), err: () => {}, stdin: Readable.from([]), env: {}, cwd: dir, signal: new AbortController().signal };
  const code = await main(['check', '--config', join(dir, 'modelmon.json'), '--json'], io);
  assert.equal(code, 0);
  const monitor = (JSON.parse(out) as { monitors: { name: string; summary: string }[] }).monitors[0]!;
  assert.equal(monitor.summary, '2000 rows; 5 windows; drift in 0 of 31 features in rows 1800–1999; no alerts; latest accuracy 0.99 (reference 0.984)');
});

test('modelmon.json: an unknown format is refused at its key', async () => {
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ predictions: [{ log: 'x.jsonl', format: 'avro' }] }));
  let err = '';
  const io: CliIO = { out: () => {}, err: (t) => void (err += t), stdin: Readable.from([]), env: {}, cwd: dir, signal: new AbortController().signal };
  const code = await main(['check', '--config', join(dir, 'bad.json')], io);
  assert.equal(code, 2);
  assert.match(err, /predictions\[0\]\.format.*avro/);
});
