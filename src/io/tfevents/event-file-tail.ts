import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { TfRecordFramer, type Corruption, type FramerOptions, type RecordRangeSink, type RecordSink } from '../../core/tfevents/record-framer';

export type TailStatus = 'unchanged' | 'grew' | 'replaced' | 'gone';

export interface TailOptions extends FramerOptions {
  /** Bytes read per call to read() (default 1 MiB). */
  chunkBytes?: number;
  /** Stops a read between two chunks (Ctrl-C during a long first read): poll() throws the signal's reason. */
  signal?: AbortSignal;
  /**
   * Read with blocking calls (default false): for a worker thread that does nothing else while it
   * reads, where each call's round trip through libuv's pool left the thread idle about a sixth
   * of a 1,000-run read. A tail revived on another thread reads asynchronously again.
   */
  blockingReads?: boolean;
}

/** The few file calls a tail makes, asynchronous or blocking behind the same shape. */
interface TailFile {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}
interface TailFs {
  stat(path: string): Promise<Stats>;
  open(path: string): Promise<TailFile>;
}

const ASYNC_FS: TailFs = { stat: (path) => stat(path), open: (path) => open(path, 'r') };

const BLOCKING_FS: TailFs = {
  stat: async (path) => statSync(path),
  open: async (path) => {
    const fd = openSync(path, 'r');
    return {
      read: async (buffer, offset, length, position) => ({ bytesRead: readSync(fd, buffer, offset, length, position) }),
      close: async () => closeSync(fd),
    };
  },
};

/** Bytes compared at each end of what was read, to tell a rewrite in place from an append. */
const PROBE_BYTES = 4096;

/**
 * Reads one event file incrementally: each {@link poll} frames the bytes appended since the
 * last one, keeping a record that is still being written for the next poll. A file that shrank,
 * got a new inode, or whose first or last read 4 KiB changed once its mtime or ctime moved is
 * reported as 'replaced' (ctime catches a rewrite at the same size whose mtime was restored); the
 * caller rebuilds its run from scratch (see LogdirWatcher).
 */
export class EventFileTail {
  /**
   * Gives `copy`, a structured clone of an instance (as a worker thread posts it), its class back,
   * with the classes of what it holds. `signal` (never cloned) is set again.
   */
  static revive(copy: object, signal: AbortSignal | undefined): EventFileTail {
    const tail = Object.setPrototypeOf(copy, EventFileTail.prototype) as EventFileTail;
    TfRecordFramer.revive(tail.framer);
    (tail as unknown as { signal: AbortSignal | undefined }).signal = signal;
    (tail as unknown as { blocking: boolean }).blocking = false;
    return tail;
  }

  private readonly framer: TfRecordFramer;
  private readonly chunkBytes: number;
  private readonly signal: AbortSignal | undefined;
  private readonly blocking: boolean;
  private readOffset = 0;
  private identity: { dev: number; ino: number } | undefined;
  /** The file's first bytes and the last bytes read so far, up to PROBE_BYTES each. */
  private head = new Uint8Array(0);
  private readonly tail = new Uint8Array(PROBE_BYTES);
  private tailLength = 0;
  private mtimeMs = -1;
  private ctimeMs = -1;

  constructor(
    readonly path: string,
    options: TailOptions = {},
  ) {
    this.framer = new TfRecordFramer(options);
    this.chunkBytes = options.chunkBytes ?? 1024 * 1024;
    this.signal = options.signal;
    this.blocking = options.blockingReads ?? false;
  }

  /** Bytes of the file consumed so far (framed records, skipped garbage and a pending partial record). */
  get bytesRead(): number {
    return this.readOffset;
  }

  /** True when `info` (a fresh stat of the file) shows nothing new since the last poll. */
  isUnchanged(info: { ino: number; dev: number; size: number; mtimeMs: number; ctimeMs: number } | undefined): boolean {
    return (
      info !== undefined &&
      this.identity !== undefined &&
      info.ino === this.identity.ino &&
      info.dev === this.identity.dev &&
      info.size === this.readOffset &&
      info.mtimeMs === this.mtimeMs &&
      info.ctimeMs === this.ctimeMs
    );
  }

  /** Reads what was appended; records and corruptions go to the sinks. */
  poll(onRecord: RecordSink, onCorruption: (c: Corruption) => void): Promise<TailStatus> {
    return this.pollRanges((buf, start, end, offset) => onRecord(buf.subarray(start, end), offset), onCorruption);
  }

  /**
   * As {@link poll}, with payloads as byte ranges. `scratch`, when given, is the read buffer (a
   * reader of many files shares a few instead of allocating one per file and poll).
   */
  async pollRanges(onRecord: RecordRangeSink, onCorruption: (c: Corruption) => void, scratch?: Uint8Array): Promise<TailStatus> {
    const fs = this.blocking ? BLOCKING_FS : ASYNC_FS;
    let info;
    try {
      info = await fs.stat(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw error;
    }
    if (this.identity && (info.ino !== this.identity.ino || info.dev !== this.identity.dev || info.size < this.readOffset)) {
      return 'replaced';
    }
    const touched = info.mtimeMs !== this.mtimeMs || info.ctimeMs !== this.ctimeMs;
    if (info.size === this.readOffset && !touched) return 'unchanged';
    const handle = await fs.open(this.path);
    try {
      // Same inode and not shorter, yet rewritten in place? Compare both ends of what was read.
      if (this.head.length > 0 && touched && (await this.rewritten(handle))) return 'replaced';
      this.identity = { dev: info.dev, ino: info.ino };
      this.mtimeMs = info.mtimeMs;
      this.ctimeMs = info.ctimeMs;
      const start = this.readOffset;
      const size = info.size;
      const want = Math.max(1, Math.min(this.chunkBytes, size - start));
      const buffer = scratch && scratch.length >= want ? scratch.subarray(0, want) : new Uint8Array(want);
      while (this.readOffset < size) {
        this.signal?.throwIfAborted();
        const want = Math.min(buffer.length, size - this.readOffset);
        const { bytesRead } = await handle.read(buffer, 0, want, this.readOffset);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        if (this.readOffset < PROBE_BYTES) this.rememberHead(chunk);
        this.rememberTail(chunk);
        this.readOffset += bytesRead;
        this.framer.pushRanges(chunk, onRecord, onCorruption);
      }
      return this.readOffset > start ? 'grew' : 'unchanged';
    } finally {
      await handle.close();
    }
  }

  /** For a one-shot read: the record left unfinished at the end of the file, if any. */
  finish(): Corruption | undefined {
    return this.framer.finish();
  }

  /** True when the bytes at either end of what was read differ from the file's now. */
  private async rewritten(handle: TailFile): Promise<boolean> {
    const now = new Uint8Array(Math.max(this.head.length, this.tailLength));
    const head = now.subarray(0, this.head.length);
    if ((await handle.read(head, 0, head.length, 0)).bytesRead !== head.length || !sameBytes(head, this.head)) return true;
    const tail = now.subarray(0, this.tailLength);
    const { bytesRead } = await handle.read(tail, 0, tail.length, this.readOffset - this.tailLength);
    return bytesRead !== tail.length || !sameBytes(tail, this.tail.subarray(0, this.tailLength));
  }

  /** Keeps the last PROBE_BYTES bytes read, across chunks. */
  private rememberTail(chunk: Uint8Array): void {
    if (chunk.length >= PROBE_BYTES) {
      this.tail.set(chunk.subarray(chunk.length - PROBE_BYTES));
      this.tailLength = PROBE_BYTES;
      return;
    }
    const keep = Math.min(this.tailLength, PROBE_BYTES - chunk.length);
    this.tail.copyWithin(0, this.tailLength - keep, this.tailLength);
    this.tail.set(chunk, keep);
    this.tailLength = keep + chunk.length;
  }

  private rememberHead(chunk: Uint8Array): void {
    const take = Math.min(PROBE_BYTES - this.readOffset, chunk.length);
    const head = new Uint8Array(this.readOffset + take);
    head.set(this.head.subarray(0, this.readOffset));
    head.set(chunk.subarray(0, take), this.readOffset);
    this.head = head;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
