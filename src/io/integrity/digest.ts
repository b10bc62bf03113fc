import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { TensorLayout } from '../../core/integrity/layout';
import type { ManifestEntry, TensorDigest } from '../../core/integrity/manifest';
import { inspectCheckpoint, type CheckpointInspection } from './checkpoint-reader';

/** Read size for streaming hashes: large enough that syscalls vanish next to hashing. */
const CHUNK = 8 << 20;

interface RangeHasher {
  readonly start: number;
  readonly end: number;
  readonly hash: Hash;
  readonly name: string;
}

/** Feeds a file's consecutive chunks to the hashers of the byte ranges each chunk overlaps. */
class RangeFeed {
  private readonly sorted: RangeHasher[];
  private readonly active: RangeHasher[] = [];
  private next = 0;

  constructor(ranges: readonly RangeHasher[]) {
    this.sorted = [...ranges].sort((a, b) => a.start - b.start);
  }

  /** `chunk` holds the file's bytes from offset `chunkStart`; chunks must come in file order. */
  feed(chunk: Buffer, chunkStart: number): void {
    const end = chunkStart + chunk.byteLength;
    while (this.next < this.sorted.length && this.sorted[this.next]!.start < end) this.active.push(this.sorted[this.next++]!);
    for (let i = this.active.length - 1; i >= 0; i--) {
      const r = this.active[i]!;
      const from = Math.max(r.start, chunkStart);
      const to = Math.min(r.end, end);
      if (to > from) r.hash.update(chunk.subarray(from - chunkStart, to - chunkStart));
      if (r.end <= end) this.active.splice(i, 1);
    }
  }
}

/**
 * Streams a file once through SHA-256, feeding each chunk also to the hashers of the byte ranges
 * it overlaps. Reads are double-buffered so the next read runs while this chunk is hashed.
 */
async function hashPass(fh: FileHandle, size: number, ranges: RangeHasher[], signal?: AbortSignal): Promise<string> {
  const whole = createHash('sha256');
  const feed = new RangeFeed(ranges);
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  let pos = 0;
  let turn = 0;
  let pending = fh.read(buffers[0]!, 0, Math.min(CHUNK, size), 0);
  while (pos < size) {
    const { bytesRead, buffer } = await pending;
    if (bytesRead === 0) throw new Error('file shrank while it was being hashed');
    signal?.throwIfAborted();
    const chunkStart = pos;
    pos += bytesRead;
    turn ^= 1;
    if (pos < size) pending = fh.read(buffers[turn]!, 0, Math.min(CHUNK, size - pos), pos);
    const chunk = buffer.subarray(0, bytesRead);
    whole.update(chunk);
    feed.feed(chunk, chunkStart);
  }
  return whole.digest('hex');
}

// Self-contained so it runs from any bundle: hashes the shared slots the main thread posts.
const WHOLE_FILE_HASHER = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha256');
parentPort.on('message', (m) => {
  if (m.done) return parentPort.postMessage({ digest: hash.digest('hex') });
  hash.update(new Uint8Array(m.buffer, m.offset, m.length));
  parentPort.postMessage({ slot: m.slot });
});`;
const SLOTS = 4;
/** Below this size a worker's start-up costs more than it saves. */
const PARALLEL_MIN_BYTES = 64 << 20;

/**
 * Like {@link hashPass}, but the whole-file hash runs on a worker thread over shared buffers
 * while this thread hashes the tensor ranges: both digests for about the cost of one.
 */
async function hashPassParallel(fh: FileHandle, size: number, ranges: RangeHasher[], signal?: AbortSignal): Promise<string> {
  const shared = new SharedArrayBuffer(SLOTS * CHUNK);
  const worker = new Worker(WHOLE_FILE_HASHER, { eval: true });
  const freed: (() => void)[] = [];
  const busy: (Promise<void> | undefined)[] = [];
  let failed: ((e: Error) => void) | undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  failure.catch(() => undefined);
  let digest: ((hex: string) => void) | undefined;
  const done = new Promise<string>((resolve) => (digest = resolve));
  worker.on('message', (m: { slot?: number; digest?: string }) => (m.digest !== undefined ? digest!(m.digest) : freed[m.slot!]?.()));
  worker.on('error', (e) => failed!(e));
  try {
    const feed = new RangeFeed(ranges);
    for (let pos = 0, i = 0; pos < size; i++) {
      const slot = i % SLOTS;
      await Promise.race([busy[slot], failure]);
      signal?.throwIfAborted();
      const view = Buffer.from(shared, slot * CHUNK, CHUNK);
      const { bytesRead } = await fh.read(view, 0, Math.min(CHUNK, size - pos), pos);
      if (bytesRead === 0) throw new Error('file shrank while it was being hashed');
      busy[slot] = new Promise<void>((resolve) => (freed[slot] = resolve));
      worker.postMessage({ slot, buffer: shared, offset: slot * CHUNK, length: bytesRead });
      feed.feed(view.subarray(0, bytesRead), pos);
      pos += bytesRead;
    }
    worker.postMessage({ done: true });
    return await Promise.race([done, failure]);
  } finally {
    await worker.terminate();
  }
}

/** SHA-256 (hex) of a whole file, streamed. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const fh = await open(path, 'r');
  try {
    return await hashPass(fh, (await fh.stat()).size, [], signal);
  } finally {
    await fh.close();
  }
}

async function hashRuns(fh: FileHandle, t: TensorLayout, buf: Buffer): Promise<string> {
  const h = createHash('sha256');
  for (const run of t.runs) {
    for (let done = 0; done < run.length; ) {
      const want = Math.min(buf.byteLength, run.length - done);
      const { bytesRead } = await fh.read(buf, 0, want, run.offset + done);
      if (bytesRead === 0) throw new Error(`tensor '${t.name}' runs past the end of the file`);
      h.update(buf.subarray(0, bytesRead));
      done += bytesRead;
    }
  }
  return h.digest('hex');
}

/**
 * The manifest entry of one checkpoint: whole-file SHA-256 and per-tensor SHA-256 in one
 * sequential pass (strided torch views are gathered separately). `relativePath` is what the
 * manifest records. Pass an inspection to avoid re-reading the metadata.
 */
export async function digestCheckpoint(path: string, relativePath: string, inspection?: CheckpointInspection, signal?: AbortSignal): Promise<ManifestEntry> {
  const info = inspection ?? (await inspectCheckpoint(path));
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const single: RangeHasher[] = [];
    const digests = new Map<string, string>();
    const gathered: TensorLayout[] = [];
    for (const t of info.tensors) {
      if (t.runs.length === 1) single.push({ start: t.runs[0]!.offset, end: t.runs[0]!.offset + t.runs[0]!.length, hash: createHash('sha256'), name: t.name });
      else gathered.push(t);
    }
    const parallel = single.length > 0 && size >= PARALLEL_MIN_BYTES;
    const sha256 = await (parallel ? hashPassParallel : hashPass)(fh, size, single, signal);
    for (const r of single) digests.set(r.name, r.hash.digest('hex'));
    const buf = Buffer.allocUnsafe(1 << 20);
    for (const t of gathered) digests.set(t.name, await hashRuns(fh, t, buf));
    const tensors: TensorDigest[] = info.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape], sha256: digests.get(t.name)! }));
    return { path: relativePath, size, sha256, format: info.format, tensors };
  } finally {
    await fh.close();
  }
}
