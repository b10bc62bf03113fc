import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PredictionLogWatcher, analyzePredictionLog, readLabelsFile, readTextChunks } from '../../../src/io/predictions';
import type { PredictionReport } from '../../../src/core/predictions';

const FIX = 'test/fixtures/predictions';
const tmp = () => mkdtempSync(join(tmpdir(), 'modelmon-pred-'));

test('analyzePredictionLog: a separate reference file gives the same alerts as the log\'s own first rows', async () => {
  const dir = tmp();
  try {
    const lines = readFileSync(join(FIX, 'tabular_dev.jsonl'), 'utf8').split('\n').filter(Boolean);
    writeFileSync(join(dir, 'ref.jsonl'), lines.slice(0, 1000).join('\n') + '\n');
    writeFileSync(join(dir, 'live.jsonl'), lines.slice(1000).join('\n') + '\n');
    const own = await analyzePredictionLog(join(FIX, 'tabular_dev.jsonl'));
    const ext = await analyzePredictionLog(join(dir, 'live.jsonl'), { referenceFile: join(dir, 'ref.jsonl') });
    assert.equal(ext.rows, 3000);
    assert.equal(ext.reference.source, 'reference file');
    assert.deepEqual(ext.alerts.map((a) => [a.kind, a.index + 1000, a.features]), own.alerts.map((a) => [a.kind, a.index, a.features]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyzePredictionLog: --reference-rows of a reference file stops reading it early', async () => {
  const ext = await analyzePredictionLog(join(FIX, 'tabular_dev.csv'), { referenceFile: join(FIX, 'tabular_dev.jsonl'), referenceRows: 500 });
  assert.equal(ext.reference.rows, 500);
  assert.equal(ext.rows, 4000);
});

test('late labels from a separate file are joined by id', async () => {
  const dir = tmp();
  try {
    const lines = readFileSync(join(FIX, 'tabular_dev.jsonl'), 'utf8').split('\n').filter(Boolean);
    const labels: string[] = [];
    const log = lines.map((l) => {
      const o = JSON.parse(l);
      labels.push(JSON.stringify({ id: o.id, label: o.label }));
      delete o.label;
      return JSON.stringify(o);
    });
    writeFileSync(join(dir, 'log.jsonl'), log.join('\n'));
    writeFileSync(join(dir, 'labels.jsonl'), labels.join('\n') + '\n{"id": 5}\n');
    const read = await readLabelsFile(join(dir, 'labels.jsonl'), 'id', 'label');
    assert.equal(read.labels.size, 4000);
    assert.deepEqual(read.problems, [`${join(dir, 'labels.jsonl')}:4001: needs both 'id' and 'label'`]);
    const joined = await analyzePredictionLog(join(dir, 'log.jsonl'), { schema: { label: 'label', labelsFile: 'labels.jsonl' } });
    const direct = await analyzePredictionLog(join(FIX, 'tabular_dev.jsonl'));
    assert.deepEqual(joined.windows.map((w) => w.performance), direct.windows.map((w) => w.performance));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file is a clear error naming it', async () => {
  await assert.rejects(analyzePredictionLog('no/such/log.jsonl'), { message: "prediction log 'no/such/log.jsonl' cannot be read: no such file" });
});

function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => (check() ? resolve() : Date.now() - t0 > ms ? reject(new Error('timed out')) : setTimeout(tick, 20));
    tick();
  });
}

test('PredictionLogWatcher tails a growing log, keeps a partial line, restarts after truncation', async () => {
  const dir = tmp();
  const path = join(dir, 'live.jsonl');
  const lines = readFileSync(join(FIX, 'tabular_dev.jsonl'), 'utf8').split('\n').filter(Boolean);
  writeFileSync(path, lines.slice(0, 1500).join('\n') + '\n' + lines[1500]!.slice(0, 40));
  let last: PredictionReport | undefined;
  const w = new PredictionLogWatcher(path, { pollMs: 25, throttleMs: 0 }, (r) => (last = r));
  try {
    await w.start();
    assert.equal(w.snapshot()!.rows, 1500);
    appendFileSync(path, lines[1500]!.slice(40) + '\n' + lines.slice(1501, 2600).join('\n') + '\n');
    await waitFor(() => last?.rows === 2600);
    assert.equal(last!.problemsTotal, 0);
    assert.equal(last!.alerts.find((a) => a.kind === 'data_drift')!.index, 2099);
    writeFileSync(path, lines.slice(0, 300).join('\n') + '\n');
    await waitFor(() => last?.rows === 300);
    assert.match(last!.notes.join('\n'), /truncated or replaced 1 time/);
    assert.deepEqual(last!.alerts, []);
  } finally {
    w.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PredictionLogWatcher tails a labels file: late labels score the rows still in the window', async () => {
  const dir = tmp();
  const lines = readFileSync(join(FIX, 'tabular_dev.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const logLine = (o: Record<string, unknown>) => JSON.stringify({ ...o, label: undefined });
  const labelLine = (o: Record<string, unknown>) => JSON.stringify({ id: o.id, label: o.label });
  writeFileSync(join(dir, 'log.jsonl'), lines.slice(0, 1300).map(logLine).join('\n') + '\n');
  writeFileSync(join(dir, 'labels.jsonl'), lines.slice(0, 1000).map(labelLine).join('\n') + '\n');
  let last: PredictionReport | undefined;
  const w = new PredictionLogWatcher(join(dir, 'log.jsonl'), { pollMs: 25, throttleMs: 0, schema: { labelsFile: 'labels.jsonl' } }, (r) => (last = r));
  try {
    await w.start();
    await waitFor(() => w.snapshot()!.rows === 1300);
    assert.equal(w.snapshot()!.windows[0]!.labelled, 0, 'the first window closed before any of its labels came');
    appendFileSync(join(dir, 'labels.jsonl'), lines.slice(1000, 1400).map(labelLine).join('\n') + '\n');
    await new Promise((r) => setTimeout(r, 150));
    appendFileSync(join(dir, 'log.jsonl'), lines.slice(1300, 1400).map(logLine).join('\n') + '\n');
    await waitFor(() => last?.rows === 1400);
    const direct = await analyzePredictionLog(join(FIX, 'tabular_dev.jsonl'));
    assert.equal(last!.windows[1]!.labelled, 200);
    assert.deepEqual(last!.windows[1]!.performance, direct.windows[1]!.performance);
  } finally {
    w.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readTextChunks: ASCII chunks and a multi-byte character split across chunks read back exactly', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'mixed.jsonl');
    // The first 1 MiB read is ASCII; the 2-byte 'é' straddles the end of the second (byte 2 MiB).
    const text = 'a'.repeat(1 << 20) + '\n' + 'b'.repeat((1 << 20) - 2) + 'é\nzürich ✓\n' + 'c'.repeat(10);
    writeFileSync(path, text);
    let read = '';
    for await (const chunk of readTextChunks(path)) read += chunk;
    assert.equal(read, text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
