import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import type { FailureKind, WorkerJob, WorkerMessage, WorkerStats } from './protocol';
import { inputRandom } from './random';
import { InvariantBroken } from './target';
import { TARGETS } from './targets';

function heapBytes(): number {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

/** `Name: message at src/file.ts:line`, from the first frame in the project's sources (source maps on). */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `non-Error thrown: ${String(e).slice(0, 200)}`;
  const frames = (e.stack ?? '').split('\n').slice(1);
  const own = frames.find((f) => /[/(](src|bench)\//.test(f) && !f.includes('bench/fuzz/')) ?? frames[0] ?? '';
  const where = /((?:src|bench)\/[^\s:()]+:\d+)/.exec(own)?.[1] ?? own.trim().replace(/^at /, '');
  return `${e.name}: ${e.message.slice(0, 300)}${where ? ` at ${where}` : ''}`;
}

function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

/** Runs a job's inputs one by one, timing each and measuring its heap growth; reports failures as they happen. */
export async function runJob(job: WorkerJob): Promise<void> {
  // A stack overflow's first ten frames are all the recursion: keep every frame to find where it began.
  Error.stackTraceLimit = Infinity;
  const make = TARGETS[job.target];
  if (!make) throw new Error(`unknown fuzz target '${job.target}'`);
  const target = make();
  await target.prepare({ root: job.root, scratch: job.scratch });
  const index = new Int32Array(job.progress, 0, 2);
  const startedAt = new Float64Array(job.progress, 8, 1);
  const { limits } = job;
  let iterations = 0;
  let busyMs = 0;
  let slowestMs = 0;
  let largestGrowthBytes = 0;
  let largestGrowthRatio = 0;
  let replayMs: number | undefined;
  let replayGrowthBytes: number | undefined;
  const fail = (kind: FailureKind, i: number, message: string, input: Uint8Array) => post({ type: 'failure', failure: { kind, index: i, message, input } });
  for (let i = job.from; i < job.until && (job.replay || Date.now() < job.deadline); i++) {
    const input = job.replay ?? target.generate(inputRandom(job.seed, i));
    index[0] = i;
    startedAt[0] = Date.now();
    Atomics.store(index, 1, 1);
    const before = heapBytes();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    try {
      await target.run(input);
    } catch (e) {
      fail(e instanceof InvariantBroken ? 'invariant' : 'exception', i, describeError(e), input);
    }
    const wallMs = performance.now() - t0;
    // CPU time, not wall time, decides 'slow': a busy shared machine must not fail a fast parser.
    const cpu = process.cpuUsage(cpu0);
    const ms = Math.min(wallMs, (cpu.user + cpu.system) / 1000);
    const growth = heapBytes() - before;
    Atomics.store(index, 1, 0);
    iterations++;
    busyMs += ms;
    slowestMs = Math.max(slowestMs, ms);
    largestGrowthBytes = Math.max(largestGrowthBytes, growth);
    if (input.length >= 64 << 10) largestGrowthRatio = Math.max(largestGrowthRatio, growth / input.length);
    if (job.replay) {
      replayMs = ms;
      replayGrowthBytes = growth;
    }
    if (ms > limits.slowMs) fail('slow', i, `took ${ms.toFixed(0)} ms of CPU (limit ${limits.slowMs} ms)`, input);
    const allowance = target.memoryAllowanceBytes ?? 0;
    const allowed = limits.memoryFactor * input.length + limits.memoryFloorBytes + allowance;
    if (growth > allowed) {
      const extra = allowance ? ` + ${allowance / 2 ** 20} MiB documented` : '';
      fail('memory', i, `heap grew ${(growth / 2 ** 20).toFixed(1)} MiB (limit ${limits.memoryFactor} x input + ${limits.memoryFloorBytes / 2 ** 20} MiB${extra} = ${(allowed / 2 ** 20).toFixed(1)} MiB)`, input);
    }
    if (job.replay) break;
  }
  await target.dispose?.();
  const stats: WorkerStats = { iterations, busyMs, slowestMs, largestGrowthBytes, largestGrowthRatio, ...(replayMs !== undefined ? { replayMs, replayGrowthBytes: replayGrowthBytes ?? 0 } : {}) };
  post({ type: 'done', stats });
}
