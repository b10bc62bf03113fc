import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumberColumn, StepColumn, WallTimeColumn } from '../../../src/core/tfevents/columns';
import { seededRandom } from '../../../src/core/random';
import { TfRecordFramer } from '../../../src/core/tfevents/record-framer';
import { RunStore } from '../../../src/core/tfevents/run-store';
import { TagSeries } from '../../../src/core/tfevents/tag-series';
import { concat, record, scalarEvent } from './helpers';

test('a value column stays float32 while values are float32-exact and widens, exactly, on the first that is not', () => {
  const c = new NumberColumn('f32', 4);
  c.set(0, 0.5);
  c.set(1, Math.fround(0.1));
  c.set(2, NaN);
  c.set(3, -0);
  assert.equal(c.bytes, 16);
  assert.equal(c.wide, false);
  assert.ok(Number.isNaN(c.at(2)));
  assert.ok(Object.is(c.at(3), -0));
  c.set(1, 0.1);
  assert.equal(c.wide, true);
  assert.equal(c.bytes, 32);
  assert.deepEqual([c.at(0), c.at(1), c.at(3)], [0.5, 0.1, -0]);
});

test('a step column widens from uint32 for negative, fractional, -0 and 2^32 steps', () => {
  for (const odd of [-1, 2.5, -0, 2 ** 32]) {
    const c = new NumberColumn('u32', 2);
    c.set(0, 7);
    c.set(1, odd);
    assert.equal(c.wide, true, String(odd));
    assert.ok(Object.is(c.at(1), odd));
    assert.equal(c.at(0), 7);
  }
});

test('steps in arithmetic progression take no array; the first step off it materialises one', () => {
  const c = new StepColumn(8);
  for (let i = 0; i < 5; i++) c.append(i, 10 + 5 * i);
  assert.equal(c.bytes, 0);
  assert.deepEqual([c.at(0), c.at(4)], [10, 30]);
  assert.equal(c.lowerBound(21, 5), 3);
  assert.equal(c.lowerBound(5, 5), 0);
  assert.equal(c.lowerBound(31, 5), 5);
  c.append(5, 36);
  assert.equal(c.bytes, 8 * 4);
  assert.deepEqual(Array.from(c.toFloat64(6)), [10, 15, 20, 25, 30, 36]);
});

test('a series of 1,000 float32 values at regular steps costs 8.5 bytes a point; irregular steps 12.5', () => {
  const regular = new TagSeries('loss', 'scalar', '');
  const irregular = new TagSeries('loss', 'scalar', '');
  for (let i = 1; i <= 1000; i++) {
    regular.add(i, 1.7e9 + i * 0.05, Math.fround(1 / i));
    irregular.add(i * i, 1.7e9 + i * 0.05, Math.fround(1 / i));
  }
  regular.trim();
  irregular.trim();
  // 1,000 of 1,024 slots in use is under an eighth spare: trim keeps them.
  // Values 4, wall times 4 + 8 a block of 16, steps 0 (a progression) or 4.
  assert.equal(regular.storageBytes, 1024 * 8.5);
  assert.equal(irregular.storageBytes, 1024 * 12.5);
  assert.equal(regular.valueAt(999), Math.fround(1 / 1000));
  assert.equal(irregular.stepAt(999), 1_000_000);
  assert.equal(regular.wallTimeAt(999), 1.7e9 + 1000 * 0.05);
});

test('a double value that float32 cannot hold is kept exactly', () => {
  const s = new TagSeries('lr', 'scalar', '');
  s.add(1, 1, 0.5);
  s.add(2, 2, 0.1);
  s.add(3, 3, 1e-300);
  assert.deepEqual(s.points().map((p) => p.value), [0.5, 0.1, 1e-300]);
});

test('trim releases spare capacity: 100 points in 256 slots shrink to 100', () => {
  const s = new TagSeries('loss', 'scalar', '');
  for (let i = 1; i <= 100; i++) s.add(i, i, i);
  assert.equal(s.storageBytes, 256 * 8.5);
  s.trim();
  // 100 points: 100 values, 100 wall-time offsets and 7 block bases.
  assert.equal(s.storageBytes, 100 * 8 + 7 * 8);
  s.add(101, 101, 101);
  assert.deepEqual([s.size, s.lastStep, s.lastValue], [101, 101, 101]);
});

test('a cut timeline keeps its progression and the steps after the cut are exact', () => {
  const s = new TagSeries('loss', 'scalar', '');
  for (let i = 1; i <= 10; i++) s.add(i, i, i);
  assert.equal(s.add(5, 50, -5), true);
  for (let i = 6; i <= 8; i++) s.add(i, i * 10, -i);
  assert.deepEqual(s.points().map((p) => [p.step, p.value]), [[1, 1], [2, 2], [3, 3], [4, 4], [5, -5], [6, -6], [7, -7], [8, -8]]);
  assert.equal(s.totalPoints, 8);
});

test('the tags of a run are found when writers change their order between steps', () => {
  const store = new RunStore();
  const order = [['a', 'b', 'c'], ['c', 'b', 'a'], ['b', 'a', 'c']];
  for (let step = 1; step <= 3; step++) {
    for (const tag of order[step - 1]!) store.addRecord('r', scalarEvent(tag, step, step * 10 + tag.charCodeAt(0) - 96));
  }
  const run = store.get('r')!;
  assert.deepEqual(run.tagList().map((s) => [s.tag, s.points().map((p) => p.value)]), [
    ['a', [11, 21, 31]],
    ['b', [12, 22, 32]],
    ['c', [13, 23, 33]],
  ]);
});

test('framing by byte ranges hands over the same payloads and offsets as framing by views', () => {
  const payloads = [scalarEvent('x', 1, 1), scalarEvent('yy', 2, 2), scalarEvent('zzz', 3, 3)];
  const file = concat(payloads.map(record));
  const byView: [number[], number][] = [];
  const byRange: [number[], number][] = [];
  const a = new TfRecordFramer();
  const b = new TfRecordFramer();
  // Seven-byte chunks: every record is carried across pushes at least once.
  for (let i = 0; i < file.length; i += 7) {
    const chunk = file.subarray(i, i + 7);
    a.push(chunk, (p, offset) => byView.push([Array.from(p), offset]), () => assert.fail('corruption'));
    b.pushRanges(chunk, (buf, start, end, offset) => byRange.push([Array.from(buf.subarray(start, end)), offset]), () => assert.fail('corruption'));
  }
  assert.deepEqual(byRange, byView);
  assert.deepEqual(byView.map(([p]) => p), payloads.map((p) => Array.from(p)));
});

test('wall times are kept exactly in 4.5 bytes a point: real clocks, pauses, resumes and compaction', () => {
  const random = seededRandom(3);
  // time.time() doubles from 2004 to 2038, at uneven intervals, and a 20-minute pause.
  const times: number[] = [];
  let t = 1_733_160_000 + random();
  for (let i = 0; i < 5000; i++) {
    t += i === 2000 ? 1200 + random() : random() * 0.5;
    times.push(t);
  }
  const column = new WallTimeColumn(64);
  let capacity = 64;
  for (let i = 0; i < 2000; i++) {
    if (i === capacity) column.resize((capacity *= 4), i);
    column.set(i, times[i]!);
  }
  assert.equal(column.widened, false);
  assert.equal(column.bytes, capacity * 4 + (capacity / 16) * 8);
  for (let i = 0; i < 2000; i++) assert.equal(column.at(i), times[i], `point ${i}`);
  // Kept compact through a rewrite in place (downsampling), every other point from slot 0.
  const keep = Uint8Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? 1 : 0));
  column.retain(keep, 2000);
  for (let i = 0; i < 1000; i++) assert.equal(column.at(i), times[2 * i], `kept ${i}`);
  assert.equal(column.widened, false);
});

test('a wall time the compact form cannot hold widens the column to float64, every earlier one exact', () => {
  for (const odd of [0.1, -0, NaN, 2 ** 31 + 0.5 ** 21, 1_733_160_000 + 600, Infinity]) {
    const column = new WallTimeColumn(32);
    const times = [1_733_160_000.25, 1_733_160_000.5, 1_733_160_001.125];
    times.forEach((w, i) => column.set(i, w));
    column.set(3, odd);
    column.set(4, 1_733_160_002);
    assert.equal(column.widened, true, `${odd}`);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => column.at(i)), [...times, odd, 1_733_160_002], `${odd}`);
    assert.equal(column.bytes, 32 * 8);
  }
  // At a block's first slot a new base is taken, so a far wall time there stays compact.
  const column = new WallTimeColumn(32);
  for (let i = 0; i < 16; i++) column.set(i, 1_733_160_000 + i);
  column.set(16, 1_733_170_000);
  assert.equal(column.widened, false);
  assert.equal(column.at(16), 1_733_170_000);
});

test('downsampling that brings wall times over 512 s apart into one block widens midway and keeps every kept time exact', () => {
  // A point every 30 s: 16 consecutive points span 450 s, within reach of their block's base;
  // keeping every third point triples a block's span to 1,350 s.
  const times = Array.from({ length: 64 }, (_, i) => 1_733_160_000 + i * 30 + i / 1024);
  const column = new WallTimeColumn(64);
  times.forEach((w, i) => column.set(i, w));
  assert.equal(column.widened, false);
  const keep = Uint8Array.from({ length: 64 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  column.retain(keep, 64);
  assert.equal(column.widened, true);
  const kept = times.filter((_, i) => i % 3 === 0);
  assert.deepEqual(kept.map((_, i) => column.at(i)), kept);
});
