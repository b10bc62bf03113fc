import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogdirError, LogdirWatcher, readLogdir, type LogdirChange } from '../../../src/io/tfevents/logdir';
import { FIXTURES, concat, fileVersionEvent, record, scalarEvent, scalarFile } from './helpers';
import { scratchDir } from '../helpers/scratch';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = scratchDir('tb');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const EVENTS = 'events.out.tfevents.1700000000.host.1.0';

test('a growing file is tailed: half a record waits, the rest completes it', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, EVENTS);
  writeFileSync(file, scalarFile([['loss', 1, 1]]));
  const watcher = new LogdirWatcher(dir, { useFsWatch: false });
  t.after(() => watcher.dispose());
  await watcher.poll();
  const series = () => watcher.store.get('.')!.tag('loss')!;
  assert.equal(series().totalPoints, 1);
  const next = record(scalarEvent('loss', 2, 0.5));
  appendFileSync(file, next.subarray(0, 20));
  assert.deepEqual(await watcher.poll(), { runsAdded: [], runsRemoved: [], runsChanged: ['.'], corruptions: [] });
  assert.equal(series().totalPoints, 1);
  appendFileSync(file, next.subarray(20));
  await watcher.poll();
  assert.deepEqual(series().points().map((p) => [p.step, p.value]), [[1, 1], [2, 0.5]]);
  assert.deepEqual(watcher.corruptions, []);
  watcher.dispose();
});

test('a truncated file and a replaced file are reread from the start', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, EVENTS);
  const ten = scalarFile(Array.from({ length: 10 }, (_, i) => ['loss', i + 1, i] as [string, number, number]));
  writeFileSync(file, ten);
  const watcher = new LogdirWatcher(dir, { useFsWatch: false });
  t.after(() => watcher.dispose());
  await watcher.poll();
  assert.equal(watcher.store.get('.')!.tag('loss')!.totalPoints, 10);
  // Truncated in place: shorter than what was read.
  truncateSync(file, ten.length - 1);
  const three = scalarFile([['loss', 1, 7], ['loss', 2, 8], ['loss', 3, 9]]);
  writeFileSync(file, three);
  await watcher.poll();
  let run = watcher.store.get('.')!;
  assert.deepEqual(run.tag('loss')!.points().map((p) => p.value), [7, 8, 9]);
  assert.deepEqual(run.restarts, []);
  // Replaced by a new file (new inode) with other content.
  unlinkSync(file);
  writeFileSync(file, scalarFile([['acc', 1, 0.5], ['acc', 2, 0.75], ['acc', 3, 1], ['acc', 4, 1]]));
  await watcher.poll();
  run = watcher.store.get('.')!;
  assert.deepEqual(run.tagList().map((s) => [s.tag, s.totalPoints]), [['acc', 4]]);
  // Rewritten in place with the same length by a new writer: its first record (wall time) differs.
  const same = concat([record(fileVersionEvent(1_800_000_000)), ...[0.25, 0.75, 1, 1].map((v, i) => record(scalarEvent('acc', i + 1, v)))]);
  writeFileSync(file, same);
  await watcher.poll();
  assert.deepEqual(watcher.store.get('.')!.tag('acc')!.points().map((p) => p.value), [0.25, 0.75, 1, 1]);
  assert.deepEqual(watcher.corruptions, []);
  watcher.dispose();
});

test('new runs and files are picked up, files of a run read in name order, vanished runs removed', async (t) => {
  const dir = tempDir(t);
  const watcher = new LogdirWatcher(dir, { useFsWatch: false });
  t.after(() => watcher.dispose());
  assert.deepEqual(await watcher.poll(), { runsAdded: [], runsRemoved: [], runsChanged: [], corruptions: [] });
  mkdirSync(join(dir, 'a'));
  writeFileSync(join(dir, 'a', 'events.out.tfevents.2'), scalarFile([['loss', 5, 0.5]]));
  writeFileSync(join(dir, 'a', 'events.out.tfevents.1'), scalarFile([['loss', 1, 1], ['loss', 9, 0.9]]));
  writeFileSync(join(dir, 'a', 'notes.txt'), 'not an event file');
  assert.deepEqual((await watcher.poll()).runsAdded, ['a']);
  // Name order: file .1 (steps 1, 9) then .2 (step 5 cuts 9 off).
  assert.deepEqual(watcher.store.get('a')!.tag('loss')!.points().map((p) => p.step), [1, 5]);
  assert.deepEqual(watcher.store.get('a')!.files, ['a/events.out.tfevents.1', 'a/events.out.tfevents.2']);
  mkdirSync(join(dir, 'b', 'deep'), { recursive: true });
  writeFileSync(join(dir, 'b', 'deep', EVENTS), scalarFile([['x', 1, 1]]));
  assert.deepEqual((await watcher.poll()).runsAdded, ['b/deep']);
  rmSync(join(dir, 'a'), { recursive: true });
  assert.deepEqual((await watcher.poll()).runsRemoved, ['a']);
  assert.deepEqual(watcher.store.runs.map((r) => r.name), ['b/deep']);
  rmSync(dir, { recursive: true });
  assert.deepEqual((await watcher.poll()).runsRemoved, ['b/deep']);
  assert.deepEqual(watcher.store.runs, []);
  watcher.dispose();
});

test('start() watches by itself: an appended event reaches onChange, dispose() stops it', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, EVENTS);
  writeFileSync(file, scalarFile([['loss', 1, 1]]));
  const changes: LogdirChange[] = [];
  let notify: () => void = () => undefined;
  const watcher = new LogdirWatcher(dir, { pollIntervalMs: 25 }, (c) => {
    changes.push(c);
    notify();
  });
  t.after(() => watcher.dispose());
  await watcher.start();
  const changed = new Promise<void>((resolve) => (notify = resolve));
  appendFileSync(file, record(scalarEvent('loss', 2, NaN)));
  await changed;
  assert.deepEqual(changes, [
    { runsAdded: ['.'], runsRemoved: [], runsChanged: [], corruptions: [] },
    { runsAdded: [], runsRemoved: [], runsChanged: ['.'], corruptions: [] },
  ]);
  assert.equal(watcher.store.get('.')!.tag('loss')!.firstNonFiniteStep, 2);
  watcher.dispose();
});

test('bad input: no event files, empty file, text named like one, random bytes, cut-off record, missing dir', async (t) => {
  const dir = tempDir(t);
  assert.deepEqual((await readLogdir(dir)).store.runs, []);
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'empty', EVENTS), '');
  mkdirSync(join(dir, 'text'));
  writeFileSync(join(dir, 'text', EVENTS), 'hello, I am a README that happens to be named like an event file\n');
  mkdirSync(join(dir, 'random'));
  writeFileSync(join(dir, 'random', EVENTS), Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 251));
  mkdirSync(join(dir, 'cut'));
  const whole = scalarFile([['loss', 1, 1], ['loss', 2, 2]]);
  writeFileSync(join(dir, 'cut', EVENTS), whole.subarray(0, whole.length - 5));
  const { store, corruptions } = await readLogdir(dir);
  assert.deepEqual(store.runs.map((r) => [r.name, r.tags.size]), [['cut', 1], ['empty', 0], ['random', 0], ['text', 0]]);
  assert.equal(store.get('cut')!.tag('loss')!.totalPoints, 1);
  assert.deepEqual(corruptions, [
    { file: `random/${EVENTS}`, offset: 0, message: 'record length checksum mismatch; skipping to the next intact record' },
    { file: `text/${EVENTS}`, offset: 0, message: 'record length checksum mismatch; skipping to the next intact record' },
    { file: `cut/${EVENTS}`, offset: whole.length - 42, message: 'file ends mid-record (37 of 42 bytes present); the writer may still be writing it' },
  ]);
  await assert.rejects(readLogdir(join(dir, 'nope')), (e: unknown) => e instanceof LogdirError && /log directory '.*nope' does not exist/.test(e.message));
});

test('a damaged copy of a real run: corruptions name file and offset, the rest is read', async (t) => {
  const dir = tempDir(t);
  const bytes = Uint8Array.from(readFileSync(`${FIXTURES}/overfit_small_data/events.out.tfevents.1795407815.vm.397.1`));
  bytes[1000]! ^= 0xff;
  const garbage = new Uint8Array(37).fill(0xab);
  mkdirSync(join(dir, 'overfit'));
  writeFileSync(join(dir, 'overfit', EVENTS), concat([garbage, bytes]));
  const { store, corruptions } = await readLogdir(dir);
  assert.deepEqual(corruptions.map((c) => [c.file, c.offset]), [
    [`overfit/${EVENTS}`, 0],
    [`overfit/${EVENTS}`, 37 + 1000], // byte 1000 is the first length byte of a val/loss record
  ]);
  const run = store.get('overfit')!;
  assert.deepEqual(run.tagList().map((s) => [s.tag, s.totalPoints, s.lastValue]), [
    ['train/loss', 400, 4.5094795495970175e-5],
    ['val/accuracy', 400, 0.836888313293457],
    ['val/loss', 399, 0.75254225730896],
  ]);
});

test('a single event file can be given instead of a directory', async () => {
  const { store } = await readLogdir(`${FIXTURES}/diverge_lr5/events.out.tfevents.1795406056.vm.428.4`);
  assert.deepEqual(store.runs.map((r) => [r.name, r.files, r.tags.size]), [['.', ['events.out.tfevents.1795406056.vm.428.4'], 5]]);
});
