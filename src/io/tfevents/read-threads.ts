import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type * as WorkerThreads from 'node:worker_threads';
import type { RunData } from '../../core/tfevents/run-store';
import type { EventFileTail } from './event-file-tail';
import type { FileCorruption, LogdirOptions } from './logdir';

/**
 * A first read of a large log directory on worker threads. Decoding is the reader's cost (CRCs,
 * framing, the scalar scan and the series each take a fifth or so), and runs are independent, so
 * whole runs are read on each thread and the finished columns come back by transfer, not copy:
 * two processes reading the halves of 1,000 runs took 3.1-4.0 s here where one took 6.3-8.5 s.
 */

/** Fewer runs than this are read on the calling thread: a worker's start-up would cost more than it saves. */
export const THREAD_MIN_RUNS = 64;
const MAX_THREADS = 4;

export interface ReadThreads {
  readonly script: string;
  readonly count: number;
}

/** What a worker is asked to read: whole runs, with the watcher's options (less its signal). */
export interface ThreadReadRequest {
  readonly root: string;
  readonly options: Omit<LogdirOptions, 'signal'>;
  /** Every run of the read; the thread reads those whose index it claims from `claim`. */
  readonly runs: readonly [string, string[]][];
  /** The shared index of the next unclaimed run (an Int32Array over a SharedArrayBuffer). */
  readonly claim: Int32Array;
}

/** One run a worker has read, as structured clones that the adopting watcher revives. */
export interface ThreadRunPiece {
  readonly run: RunData;
  readonly tails: [string, EventFileTail][];
  /** Corruptions found since the previous piece (any of the worker's runs). */
  readonly corruptions: FileCorruption[];
}

/** How many threads a first read of `runs` runs gets, and the worker script; undefined: read on this thread. */
export function readThreads(options: LogdirOptions, runs: number): ReadThreads | undefined {
  const count = options.threads ?? Math.min(MAX_THREADS, availableParallelism());
  if (count < 2 || runs < THREAD_MIN_RUNS) return undefined;
  // Beside the bundle that runs this (dist/extension.js, dist/cli-main.js); sources have none.
  const script = options.workerScript ?? join(__dirname, 'tfevents-worker.js');
  return existsSync(script) ? { script, count } : undefined;
}

let loadedWorkerThreads: typeof WorkerThreads | undefined;

/**
 * Node's worker_threads, loaded on the first worker: most reads are of fewer runs than start one,
 * and loading the module costs 3 ms of every `modelmon tb`'s start-up.
 */
function workerThreads(): typeof WorkerThreads {
  return (loadedWorkerThreads ??= require('node:worker_threads') as typeof WorkerThreads);
}

/**
 * Reads `request.runs` on a new worker thread, handing each run to `onRun` as it arrives.
 * Resolves true when the thread read them all; false when it failed or the signal aborted (the
 * caller then reads the runs it did not get, or stops).
 */
export function readRunsInWorker(script: string, request: ThreadReadRequest, signal: AbortSignal | undefined, onRun: (piece: ThreadRunPiece) => void): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    // A small young generation: the thread allocates little that lives (its runs leave as they are
    // read), and a default-sized one added about 40 MB to the peak RSS of a 1,000-run read.
    const worker = new (workerThreads().Worker)(script, { workerData: request, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      void worker.terminate();
      resolve(ok);
    };
    const abort = () => finish(false);
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (m: { kind: 'run'; piece: ThreadRunPiece } | { kind: 'done' }) => {
      if (settled) return;
      if (m.kind === 'run') onRun(m.piece);
      else finish(true);
    });
    worker.on('error', () => finish(false));
    worker.on('exit', () => finish(false));
  });
}

/**
 * The ArrayBuffers a result can hand over without a copy: those its typed arrays own whole (a
 * view into a larger buffer would send all of that buffer), and bare ones (packed histograms).
 */
export function transferables(root: unknown): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length) {
    const x = stack.pop();
    if (x === null || typeof x !== 'object' || seen.has(x)) continue;
    seen.add(x);
    if (ArrayBuffer.isView(x)) {
      const buffer = x.buffer;
      if (buffer instanceof ArrayBuffer && x.byteOffset === 0 && x.byteLength === buffer.byteLength && buffer.byteLength > 0) out.add(buffer);
    } else if (x instanceof ArrayBuffer) {
      if (x.byteLength > 0) out.add(x);
    } else if (x instanceof Map) {
      for (const [k, v] of x) stack.push(k, v);
    } else if (x instanceof Set) {
      for (const v of x) stack.push(v);
    } else {
      for (const v of Object.values(x)) stack.push(v);
    }
  }
  return [...out];
}
