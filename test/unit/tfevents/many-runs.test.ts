import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateRunDir, syntheticValue } from '../../../bench/tfevents-gen';
import { LogdirWatcher, MAX_EMULATED_WATCH_RUNS, readLogdir } from '../../../src/io/tfevents/logdir';
import { scratchDir } from '../helpers/scratch';

test('60 runs of 5 tags x 200 steps: every point exact, 8.52 bytes a stored point after the first read', async () => {
  const dir = scratchDir('many-runs');
  try {
    const { events } = generateRunDir(dir, { runs: 60, tags: 5, steps: 200 });
    assert.equal(events, 60_000);
    const { store, corruptions } = await readLogdir(dir);
    assert.deepEqual(corruptions, []);
    const runs = store.runs;
    assert.equal(runs.length, 60);
    assert.equal(runs[59]!.name, 'run_0059');
    let points = 0;
    let bytes = 0;
    for (const run of runs) {
      for (const series of run.tags.values()) {
        points += series.size;
        bytes += series.storageBytes;
      }
    }
    assert.equal(points, 60_000);
    // Steps 1..200 are a progression (no array), values float32, wall times int32 offsets from a
    // float64 base per 16 points (13 blocks); trimmed from 256 slots.
    assert.equal(bytes / points, (200 * 8 + 13 * 8) / 200);
    const s = store.get('run_0042')!.tag('train/metric_03')!;
    assert.deepEqual([s.firstStep, s.lastStep, s.lastValue], [1, 200, Math.fround(syntheticValue(42, 3, 200, 200))]);
    assert.equal(s.wallTimeAt(99), 1.7e9 + 42 * 1000 + 100 * 0.05);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a first scan reports progress run by run, ending at the run count', async () => {
  const dir = scratchDir('progress');
  const watcher = new LogdirWatcher(dir, { useFsWatch: false });
  try {
    generateRunDir(dir, { runs: 12, tags: 2, steps: 10 });
    const seen: [number, number][] = [];
    watcher.onProgress = (done, total) => seen.push([done, total]);
    const change = await watcher.poll();
    assert.equal(change.runsAdded.length, 12);
    assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => [i + 1, 12]));
  } finally {
    watcher.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('past 100 runs Linux polls instead of emulating a recursive watch; an unchanged poll reads no file', async () => {
  const dir = scratchDir('watch-many');
  const small = new LogdirWatcher(join(dir, 'small'), { pollIntervalMs: 60_000 });
  const big = new LogdirWatcher(join(dir, 'big'), { pollIntervalMs: 60_000 });
  try {
    generateRunDir(join(dir, 'small'), { runs: 3, tags: 1, steps: 2 });
    generateRunDir(join(dir, 'big'), { runs: MAX_EMULATED_WATCH_RUNS + 1, tags: 1, steps: 2 });
    await small.start();
    await big.start();
    assert.equal(small.watching, true);
    assert.equal(big.watching, process.platform !== 'linux');
    const again = await big.poll();
    assert.deepEqual(again, { runsAdded: [], runsRemoved: [], runsChanged: [], corruptions: [] });
    // A new run directory is found by the next poll although its parent's listing was cached.
    generateRunDir(join(dir, 'big', 'later'), { runs: 1, tags: 1, steps: 2 });
    const later = await big.poll();
    assert.deepEqual(later.runsAdded, ['later/run_0000']);
  } finally {
    small.dispose();
    big.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
