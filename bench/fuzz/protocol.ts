/** What the fuzz runner and its worker threads tell each other. */

/** Why an input failed: an exception, a broken invariant, too slow, too much memory, a hang or a dead worker. */
export type FailureKind = 'exception' | 'invariant' | 'slow' | 'memory' | 'hang' | 'crash';

export interface Limits {
  /** An input that takes longer than this fails as 'slow'. */
  readonly slowMs: number;
  /** The watchdog kills a worker whose input has run this long ('hang'). */
  readonly hangMs: number;
  /** Heap growth allowed per input: memoryFactor x input bytes + memoryFloorBytes. */
  readonly memoryFactor: number;
  readonly memoryFloorBytes: number;
  /** The worker's old-generation cap; past it the worker dies ('crash', out of memory). */
  readonly heapCapMb: number;
}

export const DEFAULT_LIMITS: Limits = {
  slowMs: 1000,
  hangMs: 10_000,
  memoryFactor: 16,
  memoryFloorBytes: 32 << 20,
  heapCapMb: 1024,
};

export interface WorkerJob {
  readonly target: string;
  readonly seed: number;
  /** First input index to run, and the index to stop before. */
  readonly from: number;
  readonly until: number;
  /** Epoch milliseconds after which no new input starts. */
  readonly deadline: number;
  readonly root: string;
  readonly scratch: string;
  readonly limits: Limits;
  /** Run this one input instead of generated ones. */
  readonly replay?: Uint8Array;
  /** [index running, 1 while an input runs] and [its start time, epoch ms]. */
  readonly progress: SharedArrayBuffer;
}

export interface FailureReport {
  readonly kind: FailureKind;
  readonly index: number;
  readonly message: string;
  readonly input: Uint8Array;
}

export interface WorkerStats {
  readonly iterations: number;
  readonly busyMs: number;
  readonly slowestMs: number;
  readonly largestGrowthBytes: number;
  /** Largest growth over input bytes, for inputs over 64 KiB (smaller ones are dominated by constants). */
  readonly largestGrowthRatio: number;
  /** Outcome of the one replayed input (replay jobs only). */
  readonly replayMs?: number;
  readonly replayGrowthBytes?: number;
}

export type WorkerMessage = { readonly type: 'failure'; readonly failure: FailureReport } | { readonly type: 'done'; readonly stats: WorkerStats };
