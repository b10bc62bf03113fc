import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InterruptPolicy } from '../../../src/cli/interrupts';
import { LatestSamplePrinter } from '../../../src/cli/latestSample';

test('samples offered faster than they print: the one printing finishes, then only the newest', async () => {
  const printed: number[] = [];
  let release: () => void = () => undefined;
  const printer = new LatestSamplePrinter<number>(async (n) => {
    printed.push(n);
    if (n === 0) await new Promise<void>((r) => (release = r)); // a reader that is slow to take the first
  });
  for (let n = 0; n < 100_000; n++) printer.offer(n);
  assert.deepEqual(printed, [0]);
  release();
  await printer.idle();
  assert.deepEqual(printed, [0, 99_999]);
  assert.equal(printer.skipped, 99_998);
  printer.offer(7); // idle again: printed straight away
  await printer.idle();
  assert.deepEqual(printed, [0, 99_999, 7]);
});

test('a print that fails does not stop the next', async () => {
  const printed: number[] = [];
  const printer = new LatestSamplePrinter<number>(async (n) => {
    if (n === 1) throw new Error('EPIPE');
    printed.push(n);
  });
  printer.offer(1);
  printer.offer(2);
  await printer.idle();
  assert.deepEqual(printed, [2]);
});

test('signal handlers are installed only while held, and nested holds keep them', () => {
  const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  const policy = new InterruptPolicy(() => undefined);
  const count = () => [process.listenerCount('SIGINT') - before[0]!, process.listenerCount('SIGTERM') - before[1]!];
  assert.deepEqual(count(), [0, 0]);
  const child = policy.hold();
  const follow = policy.hold();
  assert.deepEqual([count(), policy.handling], [[1, 1], true]);
  child();
  child(); // a second release of the same hold changes nothing
  assert.deepEqual([count(), policy.handling], [[1, 1], true]);
  follow();
  assert.deepEqual([count(), policy.handling], [[0, 0], false]);
});
