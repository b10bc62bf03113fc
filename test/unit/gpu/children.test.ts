import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { liveChildCount, runCaptured, spawnSupervised } from '../../../src/io/childProcess';
import { GpuSampler, type GpuSamplerStatus } from '../../../src/io/gpu';
import { isAlive, until } from './helpers';
import { fastProducer, forkingWrapper, killLeftovers, liveGroupMembers, waitForGroupGone, wrapperRuns } from './processGroups';
import { scratchDir } from '../helpers/scratch';

const posix = process.platform !== 'win32';
const dir = scratchDir('gpu-children');
const hanging = forkingWrapper(dir, 'hang-smi', 'hang');
const streamHang = forkingWrapper(dir, 'stream-hang-smi', 'answer');
after(() => {
  killLeftovers(hanging.log);
  killLeftovers(streamHang.log);
});

/** Asserts that every wrapper run logged so far left no running process behind. */
async function assertAllGone(log: string, runs: number): Promise<void> {
  const all = wrapperRuns(log);
  assert.equal(all.length, runs);
  for (const { shell, sleep } of all) {
    await waitForGroupGone(shell);
    assert.equal(isAlive(sleep) && liveGroupMembers(shell).includes(sleep), false);
  }
}

test('a run to completion of a wrapper that forks sleep ends at its limit, its whole group killed', { skip: !posix }, async () => {
  const before = liveChildCount();
  const t0 = Date.now();
  const r = await runCaptured(hanging.path, ['--query-gpu=index'], { timeoutMs: 400 });
  const ms = Date.now() - t0;
  assert.deepEqual([r.timedOut, r.code, r.signal, r.stdout, r.spawnError], [true, null, 'SIGKILL', '', null]);
  // The pipes stay open only as long as sleep lives: settling on exit needs no wait for them.
  assert.ok(ms >= 400 && ms < 1500, `settled after ${ms} ms`);
  await assertAllGone(hanging.log, 1);
  assert.equal(liveChildCount(), before);
});

test('aborting a supervised child kills its group and settles on the exit', { skip: !posix }, async () => {
  const aborter = new AbortController();
  const child = spawnSupervised(hanging.path, [], { signal: aborter.signal });
  await until(() => wrapperRuns(hanging.log).length === 2, 'the wrapper to fork');
  assert.equal(liveGroupMembers(child.pid!).length, 2); // the shell and its sleep
  aborter.abort();
  assert.deepEqual(await child.exited, { code: null, signal: 'SIGKILL', spawnError: null });
  assert.equal(child.running, false);
  await assertAllGone(hanging.log, 2);
});

test('stop() sends SIGTERM to the group: the shell and its sleep end together', { skip: !posix }, async () => {
  const child = spawnSupervised(hanging.path, []);
  await until(() => wrapperRuns(hanging.log).length === 3, 'the wrapper to fork');
  const exit = await child.stop(2000);
  assert.deepEqual(exit, { code: null, signal: 'SIGTERM', spawnError: null });
  await assertAllGone(hanging.log, 3);
});

test('a program that cannot start settles with its spawn error and counts as no child', async () => {
  const before = liveChildCount();
  const r = await runCaptured(`${dir}/no-such-smi`, [], { timeoutMs: 1000 });
  assert.equal(r.spawnError?.code, 'ENOENT');
  assert.deepEqual([r.code, r.signal, r.timedOut], [null, null, false]);
  assert.equal(liveChildCount(), before);
});

test('the sampler: a forking wrapper that hangs the probe is cut off at the probe limit and retried, nothing left', { skip: !posix }, async () => {
  const sampler = new GpuSampler({ intervalMs: 250, executable: hanging.path, probeTimeoutMs: 300, backoffInitialMs: 50, backoffMaxMs: 100, computeAppsIntervalMs: 0 });
  const statuses: GpuSamplerStatus[] = [];
  sampler.on((e) => void (e.type === 'status' && statuses.push(e.status)));
  const runsBefore = wrapperRuns(hanging.log).length;
  sampler.start();
  await until(() => statuses.filter((s) => s.state === 'retrying').length >= 2, 'two retries', 5000);
  assert.deepEqual(statuses.find((s) => s.state === 'retrying'), { state: 'retrying', reason: 'nvidia-smi gave no answer within 0.3 s', delayMs: 50, attempt: 1 });
  await sampler.dispose();
  await assertAllGone(hanging.log, wrapperRuns(hanging.log).length);
  assert.ok(wrapperRuns(hanging.log).length - runsBefore >= 2);
});

test("the sampler's dispose kills a forking stream wrapper's whole group", { skip: !posix }, async () => {
  const sampler = new GpuSampler({ intervalMs: 250, executable: streamHang.path, killGraceMs: 300, computeAppsIntervalMs: 0 });
  const statuses: GpuSamplerStatus[] = [];
  let snapshots = 0;
  sampler.on((e) => {
    if (e.type === 'status') statuses.push(e.status);
    if (e.type === 'snapshot') snapshots++;
  });
  sampler.start();
  await until(() => wrapperRuns(streamHang.log).length === 1, 'the stream to fork');
  const running = statuses.find((s) => s.state === 'running');
  assert.equal(running?.state === 'running' && running.pid, wrapperRuns(streamHang.log)[0]!.shell);
  assert.equal(snapshots, 1); // the probe's
  const t0 = Date.now();
  await sampler.dispose();
  assert.ok(Date.now() - t0 < 1500, `dispose took ${Date.now() - t0} ms`);
  await assertAllGone(streamHang.log, 1);
  assert.equal(sampler.pid, undefined);
});

test('the watchdog restarts a silent forking stream and leaves none of its group', { skip: !posix }, async () => {
  const sampler = new GpuSampler({ intervalMs: 250, executable: streamHang.path, watchdogMs: 300, killGraceMs: 200, backoffInitialMs: 50, computeAppsIntervalMs: 0 });
  const reasons: string[] = [];
  sampler.on((e) => void (e.type === 'status' && e.status.state === 'retrying' && reasons.push(e.status.reason)));
  sampler.start();
  await until(() => wrapperRuns(streamHang.log).length >= 3, 'a restarted stream');
  assert.equal(reasons[0], 'nvidia-smi sent no sample for 0.3 s');
  const [first] = wrapperRuns(streamHang.log).slice(1);
  await waitForGroupGone(first!.shell);
  await sampler.dispose();
  await assertAllGone(streamHang.log, wrapperRuns(streamHang.log).length);
});

test('a line longer than the bound is dropped, counted and told once; sampling goes on', { skip: !posix }, async () => {
  const smi = fastProducer(dir, 'long-line-smi', { ms: 0, final: 321, longLine: 100_000 });
  const sampler = new GpuSampler({ intervalMs: 250, executable: smi, computeAppsIntervalMs: 0 });
  const notices: string[] = [];
  const powers: (number | null)[] = [];
  sampler.on((e) => {
    if (e.type === 'notice') notices.push(e.message);
    if (e.type === 'snapshot') powers.push(e.snapshot.gpus[0]!.powerW);
  });
  sampler.start();
  await until(() => powers.includes(321), 'the line after the long one');
  assert.equal(sampler.droppedLongLines, 1);
  assert.deepEqual(notices, ['dropping nvidia-smi output lines longer than 8192 characters']);
  await sampler.dispose();
});

test('a stream faster than its listener: one snapshot per read, the newest, and the last one kept', { skip: !posix }, async () => {
  const smi = fastProducer(dir, 'fast-smi', { ms: 1500, final: 4242 });
  const sampler = new GpuSampler({ intervalMs: 250, executable: smi, computeAppsIntervalMs: 0 });
  const powers: (number | null)[] = [];
  sampler.on((e) => void (e.type === 'snapshot' && powers.push(e.snapshot.gpus[0]!.powerW)));
  sampler.start();
  await until(() => powers.at(-1) === 4242, 'the final line', 10_000);
  await sampler.dispose();
  // About 150 lines fit in one 64 KiB read, so far fewer snapshots arrive than lines were written.
  const lines = powers.length;
  assert.ok(lines > 10, `${lines} snapshots`);
  assert.equal(powers.at(-1), 4242);
});
