import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertBook, isAlertHistory, type AlertSignal } from '../../../src/core/alerts';

const hot: AlertSignal = { source: 'gpu:0', kind: 'temperature', severity: 'warning', message: 'GPU 0 at 91 C' };
const MIN = 60_000;

test('notifies once per episode', () => {
  const book = new AlertBook({ episodeGapMs: 10 * MIN });
  assert.deepEqual([0, 1, 2, 3].map((m) => book.observe(hot, m * MIN).notify), [true, false, false, false]);
  const [incident] = book.incidents();
  assert.equal(incident!.count, 4);
  assert.equal(incident!.lastSeen, 3 * MIN);
});

test('a quiet gap or a resolution starts a new episode', () => {
  const book = new AlertBook({ episodeGapMs: 10 * MIN });
  book.observe(hot, 0);
  const afterGap = book.observe(hot, 11 * MIN);
  assert.deepEqual([afterGap.newEpisode, afterGap.notify], [true, true]);
  assert.equal(book.resolve('gpu:0', 'temperature', 12 * MIN)?.state, 'resolved');
  const again = book.observe(hot, 13 * MIN);
  assert.deepEqual([again.newEpisode, again.notify, again.incident.id], [true, true, 'incident-3']);
  assert.deepEqual(book.incidents().map((i) => i.state), ['resolved', 'resolved', 'open']);
  assert.deepEqual(book.incidents()[0]!.events.map((e) => [e.kind, e.at]), [['opened', 0], ['resolved', 0]]);
});

test('acknowledged incidents stay quiet until they resolve', () => {
  const book = new AlertBook({ episodeGapMs: 10 * MIN });
  const { incident } = book.observe(hot, 0);
  book.acknowledge(incident.id, MIN);
  assert.equal(book.observe(hot, 2 * MIN).notify, false);
  assert.equal(book.get(incident.id)?.state, 'acknowledged');
});

test('a snooze silences repeats until it ends, then notifies once', () => {
  const book = new AlertBook({ episodeGapMs: 10 * MIN });
  const { incident } = book.observe(hot, 0);
  book.snooze(incident.id, MIN, 5 * MIN);
  assert.equal(book.observe(hot, 4 * MIN).notify, false);
  const after = book.observe(hot, 6 * MIN);
  assert.deepEqual([after.notify, after.incident.state], [true, 'open']);
  assert.equal(book.observe(hot, 7 * MIN).notify, false);
  assert.deepEqual(book.get(incident.id)!.events.map((e) => e.kind), ['opened', 'snoozed', 'unsnoozed']);
});

test('a snooze carries over into a new episode of the same alert', () => {
  const book = new AlertBook({ episodeGapMs: MIN });
  const { incident } = book.observe(hot, 0);
  book.snooze(incident.id, 0, 60 * MIN);
  const next = book.observe(hot, 10 * MIN);
  assert.deepEqual([next.newEpisode, next.notify, next.incident.state], [true, false, 'snoozed']);
});

test('severity escalates, different kinds are separate episodes', () => {
  const book = new AlertBook();
  book.observe(hot, 0);
  book.observe({ ...hot, severity: 'error' }, 1);
  const other = book.observe({ ...hot, kind: 'memory' }, 2);
  assert.equal(other.notify, true);
  assert.deepEqual(book.active().map((i) => [i.kind, i.severity]), [['memory', 'warning'], ['temperature', 'error']]);
});

test('the history round-trips through JSON and rejects corrupt state', () => {
  const book = new AlertBook();
  book.observe(hot, 0);
  const stored = JSON.parse(JSON.stringify(book.toJSON())) as unknown;
  assert.ok(isAlertHistory(stored));
  const restored = new AlertBook({}, stored);
  assert.equal(restored.observe(hot, 1).notify, false);
  assert.equal(restored.observe({ ...hot, source: 'gpu:1' }, 2).incident.id, 'incident-2');
  assert.equal(isAlertHistory({ version: 1, nextId: 1, incidents: [{ id: 3 }] }), false);
  assert.deepEqual(new AlertBook({}, 'garbage').incidents(), []);
});

test('the history is bounded, dropping resolved incidents first', () => {
  const book = new AlertBook({ maxIncidents: 3 });
  book.observe({ ...hot, source: 'open-one' }, 0);
  for (let k = 0; k < 5; k++) {
    book.observe({ ...hot, source: `s${k}` }, k);
    book.resolve(`s${k}`, 'temperature', k);
  }
  assert.deepEqual(book.incidents().map((i) => i.source), ['open-one', 's3', 's4']);
});

test('bad parameters throw with their name', () => {
  assert.throws(() => new AlertBook({ episodeGapMs: 0 }), /episodeGapMs/);
  assert.throws(() => new AlertBook({ maxIncidents: 0 }), /maxIncidents/);
  const book = new AlertBook();
  const { incident } = book.observe(hot, 10);
  assert.throws(() => book.snooze(incident.id, 10, 5), /until/);
});

test('a condition that clears and returns within reopenWithinMs continues its episode without notifying', () => {
  const book = new AlertBook({ episodeGapMs: 60_000, reopenWithinMs: 60_000 });
  const throttle = { source: 'gpu:0', kind: 'throttle', severity: 'warning' as const, message: 'GPU 0 throttled' };
  const first = book.observe(throttle, 0);
  assert.deepEqual([first.newEpisode, first.notify], [true, true]);
  // Each replay cycle of a recording clears the throttle and brings it back.
  for (let cycle = 1; cycle <= 5; cycle++) {
    book.resolve('gpu:0', 'throttle', cycle * 10_000 - 5_000);
    const again = book.observe(throttle, cycle * 10_000);
    assert.deepEqual([again.newEpisode, again.notify, again.incident.id, again.incident.count], [false, false, first.incident.id, cycle + 1]);
  }
  assert.equal(book.incidents().length, 1);
  // Past the window it is a new episode, notified again.
  book.resolve('gpu:0', 'throttle', 60_000);
  const later = book.observe(throttle, 60_000 + 60_001);
  assert.deepEqual([later.newEpisode, later.notify, later.incident.id === first.incident.id], [true, true, false]);
});

test('an acknowledged episode that returns stays acknowledged; the default never reopens', () => {
  const book = new AlertBook({ episodeGapMs: 60_000, reopenWithinMs: 60_000 });
  const hot = { source: 'gpu:0', kind: 'temperature', severity: 'warning' as const, message: 'hot' };
  const { incident } = book.observe(hot, 0);
  book.acknowledge(incident.id, 1);
  book.resolve('gpu:0', 'temperature', 2);
  assert.equal(book.observe(hot, 3).incident.state, 'acknowledged');
  const plain = new AlertBook({ episodeGapMs: 60_000 });
  plain.observe(hot, 0);
  plain.resolve('gpu:0', 'temperature', 1);
  assert.deepEqual([plain.observe(hot, 2).notify, plain.incidents().length], [true, 2]);
});
