import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAlive, until, waitForExit } from './helpers';
import { harness, power, retries } from './samplerHarness';

test('dispose kills a child that ignores SIGTERM (SIGKILL after the grace period)', async () => {
  const h = harness({ MODELMON_FAKE_SMI_IGNORE_TERM: '1' }, { killGraceMs: 200 });
  h.sampler.start();
  await until(() => h.snapshots.length >= 2, 'streaming');
  const pid = h.sampler.pid!;
  const t0 = Date.now();
  await h.disposeAndCheck();
  assert.equal(isAlive(pid), false);
  assert.ok(Date.now() - t0 < 3000);
});

test('a crashing nvidia-smi is restarted with backoff and sampling goes on', async () => {
  const h = harness({ MODELMON_FAKE_SMI_MODE: 'crash', MODELMON_FAKE_SMI_LINES: '3' });
  h.sampler.start();
  await until(() => retries(h.statuses).length >= 2 && h.snapshots.length >= 9, 'two restarts');
  const [first, second] = retries(h.statuses);
  assert.deepEqual(first, { state: 'retrying', reason: 'nvidia-smi was killed by SIGSEGV', delayMs: 50, attempt: 1 });
  // Three lines arrived before each crash, so the backoff was reset: healthy runs restart fast.
  assert.deepEqual(second, { state: 'retrying', reason: 'nvidia-smi was killed by SIGSEGV', delayMs: 50, attempt: 1 });
  assert.deepEqual(h.snapshots.slice(0, 5).map(power), [[128.01], [121.91], [109.01], [96.16], [128.01]]);
  await h.disposeAndCheck();
});

test('an nvidia-smi that exits is restarted', async () => {
  const h = harness({ MODELMON_FAKE_SMI_MODE: 'exit', MODELMON_FAKE_SMI_LINES: '2' });
  h.sampler.start();
  await until(() => retries(h.statuses).length >= 1, 'a restart');
  assert.equal(retries(h.statuses)[0]!.reason, 'nvidia-smi exited with code 0');
  await until(() => h.invocations().length >= 4, 'a second probe and stream');
  await h.disposeAndCheck();
});

test('the watchdog notices a silent stream, kills it and restarts', async () => {
  const h = harness({ MODELMON_FAKE_SMI_MODE: 'hang-stream', MODELMON_FAKE_SMI_LINES: '2' }, { watchdogMs: 300 });
  h.sampler.start();
  await until(() => retries(h.statuses).length >= 1, 'the watchdog');
  assert.equal(retries(h.statuses)[0]!.reason, 'nvidia-smi sent no sample for 0.3 s');
  const firstStream = h.invocations()[1]!.pid;
  await waitForExit(firstStream, 3000);
  await until(() => h.statuses.filter((s) => s.state === 'running').length >= 2, 'a new stream');
  await h.disposeAndCheck();
});

test('a stream of nothing but garbage counts as silence', async () => {
  const h = harness({ MODELMON_FAKE_SMI_MODE: 'garbage-only' }, { watchdogMs: 300 });
  h.sampler.start();
  await until(() => retries(h.statuses).length >= 1, 'the watchdog');
  assert.equal(retries(h.statuses)[0]!.reason, 'nvidia-smi sent no sample for 0.3 s');
  await h.disposeAndCheck();
});

test('a hung probe is killed after its timeout and retried with growing delays', async () => {
  const h = harness({ MODELMON_FAKE_SMI_MODE: 'hang' }, { probeTimeoutMs: 200 });
  h.sampler.start();
  await until(() => retries(h.statuses).length >= 3, 'three retries');
  assert.deepEqual(
    retries(h.statuses).slice(0, 3).map((s) => [s.reason, s.delayMs]),
    [
      ['nvidia-smi gave no answer within 0.2 s', 50],
      ['nvidia-smi gave no answer within 0.2 s', 100],
      ['nvidia-smi gave no answer within 0.2 s', 200],
    ],
  );
  assert.equal(h.snapshots.length, 0);
  await h.disposeAndCheck();
});
