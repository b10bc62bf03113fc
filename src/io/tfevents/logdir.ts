import { statSync, watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { Corruption } from '../../core/tfevents/record-framer';
import { ProtoError } from '../../core/tfevents/protobuf';
import { RunData, RunStore } from '../../core/tfevents/run-store';
import type { SeriesLimits } from '../../core/tfevents/tag-series';
import { EventFileTail, type TailOptions } from './event-file-tail';
import { readRunsInWorker, readThreads, type ReadThreads, type ThreadRunPiece } from './read-threads';

const RUN_CONCURRENCY = 4;
/**
 * Runs read at once by each thread of a threaded first read: the threads already overlap one
 * another's I/O and workers read with blocking calls; two in flight on this thread measured no
 * faster (1,000 runs: 4.6-5.0 s against 4.4-4.9 s) and held 3 MiB more.
 */
const THREADED_RUN_CONCURRENCY = 1;

/** The index of the next run to read, shared by the threads of a first read (Atomics.add). */
type RunClaims = Int32Array;

/** A run to read: its name, its event files in order, and their tails. */
type PendingRun = [string, string[], Map<string, EventFileTail>];
const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/** Runs up to which an emulated recursive watch (Linux) is worth its per-directory watches. */
export const MAX_EMULATED_WATCH_RUNS = 100;
const NATIVE_RECURSIVE_WATCH = process.platform === 'darwin' || process.platform === 'win32';

/** A damaged stretch of an event file; `file` is relative to the log root. */
export interface FileCorruption extends Corruption {
  file: string;
  /** A valid record whose oversized parts were skipped on purpose (bounded decoding), not damage. */
  partial?: true;
}

export interface LogdirOptions extends TailOptions, SeriesLimits {
  /** Poll interval of a LogdirWatcher in ms (default 1000); fs.watch events trigger earlier polls. */
  pollIntervalMs?: number;
  /**
   * Use a recursive fs.watch for prompt updates (default true; polling continues as a fallback).
   * Linux has no recursive watcher: Node emulates one with an inotify watch per directory and
   * file, set up synchronously, so there it is used only up to {@link MAX_EMULATED_WATCH_RUNS} runs.
   */
  useFsWatch?: boolean;
  /** Directory levels searched below the root (default 32). */
  maxDepth?: number;
  /**
   * Worker threads for a first read of many runs (see read-threads.ts): `0` reads on this thread
   * only; default one per core up to 4, from 64 runs on, where the worker script is bundled.
   */
  threads?: number;
  /** The worker script (default `tfevents-worker.js` beside the bundle); for tests that build it. */
  workerScript?: string;
}

/** What one poll changed. */
export interface LogdirChange {
  runsAdded: string[];
  runsRemoved: string[];
  runsChanged: string[];
  corruptions: FileCorruption[];
}

/** Raised for a log root that cannot be read at all (missing, not a directory, no permission). */
export class LogdirError extends Error {
  override readonly name = 'LogdirError';
}

/** A directory's listing as last read, reused while the directory's mtime and ctime stay put. */
interface Listing {
  mtimeMs: number;
  ctimeMs: number;
  files: string[];
  subdirs: string[];
}

/**
 * Event files found under a root: run name ('.' for the root itself) to file paths in name order.
 * With `listings` (kept by a watcher between polls), a directory whose mtime did not move since
 * it was last read is not read again: an unchanged tree of 1,000 runs costs a stat per directory.
 */
export async function discoverEventFiles(root: string, maxDepth = 32, listings?: Map<string, Listing>): Promise<Map<string, string[]>> {
  const runs = new Map<string, string[]>();
  const info = await statOrThrow(root);
  if (info.isFile()) {
    // A single event file given directly: its directory is the root, the file its only content.
    runs.set('.', [root]);
    return runs;
  }
  if (!info.isDirectory()) throw new LogdirError(`log directory '${root}' is not a directory or event file`);
  const seen = new Set<string>();
  const walk = async (dir: string, depth: number): Promise<void> => {
    const listing = await listDirectory(dir, listings);
    if (!listing) return; // vanished or unreadable subdirectory: skip it, the next poll tries again
    seen.add(dir);
    const { files, subdirs } = listing;
    if (files.length) {
      const rel = relative(root, dir).split(sep).join('/') || '.';
      runs.set(rel, files.sort().map((f) => join(dir, f)));
    }
    if (depth < maxDepth) for (const d of subdirs.sort()) await walk(join(dir, d), depth + 1);
  };
  await walk(root, 0);
  if (listings) for (const dir of listings.keys()) if (!seen.has(dir)) listings.delete(dir);
  return runs;
}

async function listDirectory(dir: string, listings: Map<string, Listing> | undefined): Promise<Listing | undefined> {
  let info;
  if (listings) {
    info = statSync(dir, { throwIfNoEntry: false });
    if (!info?.isDirectory()) return undefined;
    const known = listings.get(dir);
    if (known && known.mtimeMs === info.mtimeMs && known.ctimeMs === info.ctimeMs) return known;
  }
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const files: string[] = [];
  const subdirs: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) subdirs.push(e.name);
    else if (e.name.includes('tfevents') && (e.isFile() || (e.isSymbolicLink() && (await isRegularFile(join(dir, e.name)))))) files.push(e.name);
  }
  const listing = { mtimeMs: info?.mtimeMs ?? 0, ctimeMs: info?.ctimeMs ?? 0, files, subdirs };
  listings?.set(dir, listing);
  return listing;
}

/** False for a dangling link or one to a FIFO, whose open would wait for a writer forever. */
async function isRegularFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

async function statOrThrow(root: string) {
  try {
    return await stat(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : `cannot be read (${code})`;
    throw new LogdirError(`log directory '${root}' ${why}`);
  }
}

/**
 * Watches a TensorBoard log directory: finds event files (any name containing 'tfevents'),
 * reads each run's files in name order, tails the ones that grow, picks up new runs and files,
 * drops runs whose files vanish, and rereads a run when one of its files was truncated or
 * replaced. Owns its timer and fs.watch handle; call {@link dispose} to release them.
 */
export class LogdirWatcher {
  readonly store: RunStore;
  /** Every corruption seen so far, in the order found. */
  readonly corruptions: FileCorruption[] = [];
  private readonly tails = new Map<string, Map<string, EventFileTail>>();
  private readonly listings = new Map<string, Listing>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private fsWatcher: FSWatcher | undefined;
  private running: Promise<LogdirChange> | undefined;
  private again = false;
  private disposed = false;
  private polledOnce = false;
  /** Called after each poll that changed something, the first one included. */
  onChange: ((change: LogdirChange) => void) | undefined;
  /** Called as a poll finishes each run: `done` of `total` runs read (a long first scan shows progress). */
  onProgress: ((done: number, total: number) => void) | undefined;

  constructor(
    readonly root: string,
    private readonly options: LogdirOptions = {},
    onChange?: (change: LogdirChange) => void,
  ) {
    this.store = new RunStore(options);
    this.onChange = onChange;
  }

  /** Reads everything present, then keeps watching until disposed. */
  async start(): Promise<LogdirChange> {
    const first = await this.poll();
    if (this.disposed) return first;
    if ((this.options.useFsWatch ?? true) && (NATIVE_RECURSIVE_WATCH || this.tails.size <= MAX_EMULATED_WATCH_RUNS)) {
      try {
        const info = await stat(this.root);
        const target = info.isFile() ? dirname(this.root) : this.root;
        this.fsWatcher = watch(target, { recursive: true, persistent: false }, () => this.pollSoon());
        this.fsWatcher.on('error', () => {
          this.fsWatcher?.close();
          this.fsWatcher = undefined;
        });
      } catch {
        this.fsWatcher = undefined; // no fs.watch here: the timer alone keeps us current
      }
    }
    this.schedule();
    return first;
  }

  /** One pass: discover files, read appended bytes. A call during a pass gets that pass and queues one more. */
  poll(): Promise<LogdirChange> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pollOnce().finally(() => {
      this.running = undefined;
      if (this.again && !this.disposed) {
        this.again = false;
        void this.poll().catch(() => undefined);
      }
    });
    return this.running;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.timer = undefined;
    this.debounce = undefined;
    this.fsWatcher?.close();
    this.fsWatcher = undefined;
  }

  /** The record left unfinished at the end of each file, for one-shot reads. */
  unfinishedRecords(): FileCorruption[] {
    const out: FileCorruption[] = [];
    for (const tails of this.tails.values()) {
      for (const tail of tails.values()) {
        const c = tail.finish();
        if (c) out.push({ file: this.relativeFile(tail.path), ...c });
      }
    }
    return out;
  }

  private schedule(): void {
    if (this.disposed) return;
    this.timer = setTimeout(() => {
      void this.poll()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.options.pollIntervalMs ?? 1000);
  }

  /** Whether a recursive fs.watch backs the timer (see {@link LogdirOptions.useFsWatch}). */
  get watching(): boolean {
    return this.fsWatcher !== undefined;
  }

  /**
   * Asks for a poll soon, as an outside watcher (the editor's) saw a change. fs.watch fires
   * several events per append; one poll 10 ms later covers them all.
   */
  pollSoon(): void {
    if (this.disposed || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.poll().catch(() => undefined);
    }, 10);
  }

  private relativeFile(path: string): string {
    const rel = relative(this.root, path).split(sep).join('/');
    return rel === '' || rel.startsWith('..') ? basename(path) : rel;
  }

  private async pollOnce(): Promise<LogdirChange> {
    const change: LogdirChange = { runsAdded: [], runsRemoved: [], runsChanged: [], corruptions: [] };
    let found: Map<string, string[]>;
    try {
      found = await discoverEventFiles(this.root, this.options.maxDepth, this.listings);
    } catch (error) {
      // A root that vanished while watched empties the store; on the first poll it is the caller's error.
      if (!(error instanceof LogdirError) || !this.polledOnce) throw error;
      found = new Map();
    }
    const first = !this.polledOnce;
    this.polledOnce = true;
    if (this.disposed) return change;
    for (const name of [...this.tails.keys()]) {
      if (!found.has(name)) {
        this.tails.delete(name);
        this.store.removeRun(name);
        change.runsRemoved.push(name);
      }
    }
    const pending: PendingRun[] = [];
    for (const [name, files] of found) {
      let tails = this.tails.get(name);
      if (!tails) {
        tails = new Map();
        this.tails.set(name, tails);
        change.runsAdded.push(name);
      } else {
        const known = [...tails.keys()];
        const vanished = known.some((f) => !files.includes(f));
        const newest = known[known.length - 1];
        const outOfOrder = newest !== undefined && files.some((f) => !tails!.has(f) && f < newest);
        if (vanished || outOfOrder) tails = this.resetRun(name);
      }
      pending.push([name, files, tails]);
    }
    const progress = { done: 0, total: pending.length };
    const threads = first ? readThreads(this.options, pending.length) : undefined;
    if (threads) await this.readInThreads(pending, change, threads, progress);
    else await this.readPending(pending, change, first, progress);
    change.runsChanged.sort();
    change.corruptions.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.offset - b.offset));
    this.corruptions.push(...change.corruptions);
    if (this.onChange && (change.runsAdded.length || change.runsRemoved.length || change.runsChanged.length || change.corruptions.length)) {
      this.onChange(change);
    }
    return change;
  }

  /**
   * Reads the pending runs on this thread. Runs are independent: a few are read at once so one
   * run's I/O waits overlap another's decoding; each reader has one file open at a time and one
   * read buffer for all its files.
   */
  private async readPending(
    pending: PendingRun[],
    change: LogdirChange,
    first: boolean,
    progress: { done: number; total: number },
    onRunRead?: (name: string) => void,
    concurrency = RUN_CONCURRENCY,
    claim?: RunClaims,
  ): Promise<void> {
    const added = new Set(change.runsAdded);
    let local = 0;
    // Threads of one read share a counter, so a thread that runs ahead takes more runs.
    const next = claim ? () => Atomics.add(claim, 0, 1) : () => local++;
    const reader = async () => {
      const scratch = new Uint8Array(this.options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
      for (let k = next(); k < pending.length; k = next()) {
        const [name, files, tails] = pending[k]!;
        const changed = await this.readRun(name, files, tails, change, scratch);
        // A first read takes whole files, so the series will mostly not grow much past it; run
        // by run, so the copies never add up to a second store.
        if (first) this.store.get(name)?.trim();
        if (changed && !added.has(name)) change.runsChanged.push(name);
        onRunRead?.(name);
        this.onProgress?.(++progress.done, progress.total);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, reader));
  }

  /**
   * A first read of many runs, split over worker threads: each reads whole runs (framing, CRCs,
   * decoding, storing) into its own store, then transfers the runs' columns and the files' read
   * positions back, and this watcher adopts them as if it had read them itself; later polls
   * continue from there on this thread. A thread that fails leaves its runs to this thread.
   */
  private async readInThreads(pending: PendingRun[], change: LogdirChange, threads: ReadThreads, progress: { done: number; total: number }): Promise<void> {
    // Every thread takes the next unread run from one shared counter: the threads finish together
    // however their shares of the directory differ in size or their I/O in speed.
    const claim: RunClaims = new Int32Array(new SharedArrayBuffer(4));
    const { signal, ...options } = this.options;
    const received = new Set<string>();
    // Each run is adopted as it arrives, so no thread holds a second copy of what it has read.
    const adopt = (piece: ThreadRunPiece) => {
      received.add(piece.run.name);
      this.store.adopt(RunData.revive(piece.run));
      const tails = this.tails.get(piece.run.name)!;
      for (const [file, copy] of piece.tails) tails.set(file, EventFileTail.revive(copy, signal));
      change.corruptions.push(...piece.corruptions);
      this.onProgress?.(++progress.done, progress.total);
    };
    const readHere = new Set<string>();
    const runs = pending.map(([name, files]) => [name, files] as [string, string[]]);
    // This thread reads too: one worker fewer, and one heap fewer.
    const outcomes = await Promise.all([
      this.readPending(pending, change, true, progress, (name) => readHere.add(name), THREADED_RUN_CONCURRENCY, claim).then(() => true),
      ...Array.from({ length: threads.count - 1 }, () => readRunsInWorker(threads.script, { root: this.root, options, runs, claim }, signal, adopt)),
    ]);
    signal?.throwIfAborted();
    // A thread that failed leaves the runs it took and did not send to this thread.
    if (outcomes.every(Boolean)) return;
    const left = pending.filter(([name]) => !received.has(name) && !readHere.has(name));
    if (left.length) await this.readPending(left, change, true, progress);
  }

  /**
   * For a worker thread (read-worker.ts): reads these runs whole, as a first poll would, and hands
   * over each run as soon as it is read (then forgets it: the receiver owns its columns).
   */
  async readForThread(runs: readonly [string, string[]][], claim: RunClaims, send: (piece: ThreadRunPiece) => void): Promise<void> {
    const change: LogdirChange = { runsAdded: [], runsRemoved: [], runsChanged: [], corruptions: [] };
    const pending: PendingRun[] = runs.map(([name, files]) => {
      const tails = new Map<string, EventFileTail>();
      this.tails.set(name, tails);
      return [name, files, tails];
    });
    const readOne = (name: string) => {
      // Corruptions are sorted by file and offset when the poll ends: order here does not matter.
      const corruptions = change.corruptions.splice(0);
      send({ run: this.store.run(name), tails: [...this.tails.get(name)!], corruptions });
      this.store.removeRun(name);
      this.tails.delete(name);
    };
    await this.readPending(pending, change, true, { done: 0, total: runs.length }, readOne, THREADED_RUN_CONCURRENCY, claim);
  }

  private resetRun(name: string): Map<string, EventFileTail> {
    const tails = new Map<string, EventFileTail>();
    this.tails.set(name, tails);
    this.store.removeRun(name);
    return tails;
  }

  /** Reads each file of a run in name order; a replaced file restarts the whole run once. */
  private async readRun(name: string, files: string[], tails: Map<string, EventFileTail>, change: LogdirChange, scratch: Uint8Array): Promise<boolean> {
    let changed = false;
    for (let attempt = 0; attempt < 2; attempt++) {
      let replaced = false;
      for (const file of files) {
        let tail = tails.get(file);
        // A synchronous stat first: an unchanged file (most of a big log dir, most polls) costs no open and no await.
        if (tail && tail.isUnchanged(statSync(file, { throwIfNoEntry: false }))) continue;
        if (!tail) {
          tail = new EventFileTail(file, this.options);
          tails.set(file, tail);
          changed = true;
        }
        const rel = this.relativeFile(file);
        let status;
        const run = this.store.run(name);
        try {
          status = await tail.pollRanges(
            (buf, start, end, offset) => {
              try {
                const skipped = run.addRecordAt(buf, start, end);
                // Indexed, not for-of: the iterator of the usual empty list was 20 MB of garbage a 500k-event read.
                for (let k = 0; k < skipped.length; k++) change.corruptions.push({ file: rel, offset, message: `record partly read: ${skipped[k]}`, partial: true });
              } catch (error) {
                if (!(error instanceof ProtoError)) throw error;
                change.corruptions.push({ file: rel, offset, message: `record is not a valid Event (${error.message})` });
              }
            },
            (c) => change.corruptions.push({ file: rel, ...c }),
            scratch,
          );
          this.store.version++;
        } catch (error) {
          if (this.options.signal?.aborted) throw error;
          const code = (error as NodeJS.ErrnoException).code ?? String(error);
          change.corruptions.push({ file: rel, offset: tail.bytesRead, message: `cannot read file (${code})` });
          continue;
        }
        if (status === 'replaced') {
          replaced = true;
          break;
        }
        if (status === 'grew') changed = true;
      }
      if (!replaced) break;
      tails = this.resetRun(name);
      changed = true;
    }
    const run = this.store.run(name);
    if (changed || run.files.length !== files.length) run.files = files.map((f) => this.relativeFile(f));
    return changed;
  }
}

/** Everything in a log directory, read once. */
export interface LogdirContents {
  store: RunStore;
  /** Corruptions found, including records left unfinished at the end of a file. */
  corruptions: FileCorruption[];
}

/** Reads a log directory (or a single event file) once. Throws LogdirError if the root is unusable. */
export async function readLogdir(root: string, options: LogdirOptions = {}): Promise<LogdirContents> {
  const watcher = new LogdirWatcher(root, { ...options, useFsWatch: false });
  await watcher.poll();
  return { store: watcher.store, corruptions: [...watcher.corruptions, ...watcher.unfinishedRecords()] };
}
