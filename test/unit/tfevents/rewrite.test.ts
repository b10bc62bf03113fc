import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogdirWatcher } from '../../../src/io/tfevents/logdir';
import { scratchDir } from '../helpers/scratch';
import { scalarFile } from './helpers';

const EVENTS = 'events.out.tfevents.1700000000.host.1.0';

/** 400 steps of 'loss' (about 16 KB): the first 64 bytes hold only the file_version record. */
const run = (scale: number) => scalarFile(Array.from({ length: 400 }, (_, i) => ['loss', i + 1, (i + 1) * scale] as [string, number, number]));

for (const [what, restoreMtime] of [
  ['with a new mtime', false],
  ['with its old mtime restored (only ctime moves)', true],
] as const) {
  test(`--follow rereads a file rewritten in place at the same size and first 64 bytes, ${what}`, async (t) => {
    const dir = scratchDir('tb-rewrite');
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, EVENTS);
    const first = run(1);
    writeFileSync(file, first);
    const watcher = new LogdirWatcher(dir, { useFsWatch: false });
    t.after(() => watcher.dispose());
    await watcher.poll();
    const loss = () => watcher.store.get('.')!.tag('loss')!;
    assert.equal(loss().lastValue, 400);
    const before = statSync(file);
    // Same length, same first 64 bytes, every value different (a rerun with another learning rate).
    const second = run(2);
    assert.equal(second.length, first.length);
    assert.deepEqual(second.subarray(0, 64), first.subarray(0, 64));
    writeFileSync(file, second);
    if (restoreMtime) utimesSync(file, before.atime, before.mtime);
    assert.equal(statSync(file).size, before.size);
    const change = await watcher.poll();
    assert.deepEqual(change.runsChanged, ['.']);
    assert.equal(loss().totalPoints, 400);
    assert.equal(loss().lastValue, 800);
    assert.deepEqual(loss().points().slice(0, 2).map((p) => [p.step, p.value]), [[1, 2], [2, 4]]);
    assert.deepEqual(watcher.corruptions, []);
    // Nothing changed since: the next poll reads nothing and changes nothing.
    assert.deepEqual(await watcher.poll(), { runsAdded: [], runsRemoved: [], runsChanged: [], corruptions: [] });
  });
}

test('a file only touched (same bytes, new mtime) is not reread: its points stay as they were', async (t) => {
  const dir = scratchDir('tb-touch');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, EVENTS);
  writeFileSync(file, run(1));
  const watcher = new LogdirWatcher(dir, { useFsWatch: false });
  t.after(() => watcher.dispose());
  await watcher.poll();
  const version = watcher.store.get('.')!.tag('loss')!.version;
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  assert.deepEqual(await watcher.poll(), { runsAdded: [], runsRemoved: [], runsChanged: [], corruptions: [] });
  assert.equal(watcher.store.get('.')!.tag('loss')!.version, version);
});
