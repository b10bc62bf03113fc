import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PredictionReport } from '../../../src/core/predictions';
import { PredictionLogWatcher } from '../../../src/io/predictions';
import { rotateLog } from '../helpers/logrotate';
import { scratchDir } from '../helpers/scratch';

const dir = scratchDir('watch-rotation');
test.after(() => rmSync(dir, { recursive: true, force: true }));

const ts = (id: number): string => new Date(Date.UTC(2026, 0, 1) + id * 1000).toISOString();
const row = (id: number): string => JSON.stringify({ ts: ts(id), id, x: Math.sin(id), prediction: id % 3 }) + '\n';

test('the log watcher follows a log across rename-and-create and copy-and-truncate rotations, rows appended throughout: every row once, in order', async () => {
  const path = join(dir, 'predictions.jsonl');
  // History rotated away before watching began is not read.
  writeFileSync(`${path}.1`, row(-2) + row(-1));
  writeFileSync(path, '');
  let last: PredictionReport | undefined;
  const errors: Error[] = [];
  const w = new PredictionLogWatcher(path, { pollMs: 7, throttleMs: 0, window: 100, referenceRows: 100, schema: { id: 'id' } }, (r) => (last = r), (e) => errors.push(e));
  const rows = 3000;
  let rotations = 0;
  try {
    await w.start();
    for (let id = 0; id < rows; id++) {
      const text = row(id);
      // Some rows arrive in two writes, so a poll may see half a row.
      if (id % 41 === 0) {
        appendFileSync(path, text.slice(0, 20));
        await sleep(2);
        appendFileSync(path, text.slice(20));
      } else appendFileSync(path, text);
      if (id % 250 === 249) {
        // Alternate logrotate's two styles.
        rotateLog(path, rotations++ % 2 === 0 ? 'rename' : 'copytruncate');
      }
      // Bursts of rows between pauses, so polls land before, between and after rotations.
      if (id % 37 === 0) await sleep(3);
    }
    const t0 = Date.now();
    while (last?.rows !== rows && Date.now() - t0 < 5000) await sleep(20);
    await sleep(50); // a repeated row would arrive after the count reached `rows`
    const r = w.snapshot()!;
    assert.deepEqual(errors, []);
    assert.equal(rotations, 12);
    assert.equal(r.rows, rows);
    assert.equal(r.problemsTotal, 0);
    assert.equal(r.quality.duplicateIds, 0);
    assert.doesNotMatch(r.notes.join('\n'), /truncated or replaced/);
    // Windows of 100 rows: each starts and ends at the timestamps of its row indices, and the last
    // ends at the last row, so no row came early, late, twice or not at all.
    assert.ok(r.windows.length > 0);
    for (const win of r.windows) {
      assert.equal(win.rows, win.end - win.start);
      assert.equal(win.startTs, ts(win.start));
      assert.equal(win.endTs, ts(win.end - 1));
    }
    assert.equal(r.windows.at(-1)!.end, rows);
    assert.equal(r.windows.at(-1)!.endTs, ts(rows - 1));
  } finally {
    w.dispose();
  }
});

test('a rotated CSV log: the header each new file repeats is read once, so no header becomes a row', async () => {
  const path = join(dir, 'predictions.csv');
  const header = 'ts,id,x,prediction\n';
  const csvRow = (id: number) => `${ts(id)},${id},${Math.sin(id)},${id % 3}\n`;
  writeFileSync(path, header);
  let last: PredictionReport | undefined;
  const errors: Error[] = [];
  const w = new PredictionLogWatcher(path, { pollMs: 7, throttleMs: 0, window: 100, referenceRows: 100, schema: { id: 'id' } }, (r) => (last = r), (e) => errors.push(e));
  const rows = 1200;
  try {
    await w.start();
    for (let id = 0; id < rows; id++) {
      appendFileSync(path, csvRow(id));
      if (id % 300 === 299 && id < rows - 1) {
        rotateLog(path, id % 600 === 299 ? 'rename' : 'copytruncate', header);
      }
      if (id % 37 === 0) await sleep(3);
    }
    const t0 = Date.now();
    while (last?.rows !== rows && Date.now() - t0 < 5000) await sleep(20);
    await sleep(50);
    const r = w.snapshot()!;
    assert.deepEqual(errors, []);
    assert.equal(r.rows, rows);
    assert.equal(r.problemsTotal, 0);
    assert.equal(r.schema!.features.find((f) => f.name === 'x')?.kind, 'numeric');
    assert.equal(r.windows.at(-1)!.endTs, ts(rows - 1));
  } finally {
    w.dispose();
  }
});
