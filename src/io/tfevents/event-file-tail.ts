import { open, stat } from 'node:fs/promises';
import { TfRecordFramer, type Corruption, type FramerOptions, type RecordSink } from '../../core/tfevents/record-framer';

export type TailStatus = 'unchanged' | 'grew' | 'replaced' | 'gone';

export interface TailOptions extends FramerOptions {
  /** Bytes read per call to read() (default 1 MiB). */
  chunkBytes?: number;
  /** Stops a read between two chunks (Ctrl-C during a long first read): poll() throws the signal's reason. */
  signal?: AbortSignal;
}

const HEAD_BYTES = 64;

/**
 * Reads one event file incrementally: each {@link poll} frames the bytes appended since the
 * last one, keeping a record that is still being written for the next poll. A file that shrank,
 * got a new inode, or whose first bytes changed is reported as 'replaced'; the caller rebuilds
 * its run from scratch (see LogdirWatcher).
 */
export class EventFileTail {
  private readonly framer: TfRecordFramer;
  private readonly chunkBytes: number;
  private readonly signal: AbortSignal | undefined;
  private readOffset = 0;
  private identity: { dev: number; ino: number } | undefined;
  private head = new Uint8Array(0);
  private mtimeMs = -1;

  constructor(
    readonly path: string,
    options: TailOptions = {},
  ) {
    this.framer = new TfRecordFramer(options);
    this.chunkBytes = options.chunkBytes ?? 1024 * 1024;
    this.signal = options.signal;
  }

  /** Bytes of the file consumed so far (framed records, skipped garbage and a pending partial record). */
  get bytesRead(): number {
    return this.readOffset;
  }

  /** Reads what was appended; records and corruptions go to the sinks. */
  async poll(onRecord: RecordSink, onCorruption: (c: Corruption) => void): Promise<TailStatus> {
    let info;
    try {
      info = await stat(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw error;
    }
    if (this.identity && (info.ino !== this.identity.ino || info.dev !== this.identity.dev || info.size < this.readOffset)) {
      return 'replaced';
    }
    if (info.size === this.readOffset && info.mtimeMs === this.mtimeMs) return 'unchanged';
    const handle = await open(this.path, 'r');
    try {
      if (this.head.length > 0 && info.mtimeMs !== this.mtimeMs) {
        // Same inode and not shorter, yet rewritten from the start? Compare the first bytes.
        const now = new Uint8Array(this.head.length);
        await handle.read(now, 0, now.length, 0);
        if (!sameBytes(now, this.head)) return 'replaced';
      }
      this.identity = { dev: info.dev, ino: info.ino };
      this.mtimeMs = info.mtimeMs;
      const start = this.readOffset;
      const size = info.size;
      const buffer = new Uint8Array(Math.max(1, Math.min(this.chunkBytes, size - start)));
      while (this.readOffset < size) {
        this.signal?.throwIfAborted();
        const want = Math.min(buffer.length, size - this.readOffset);
        const { bytesRead } = await handle.read(buffer, 0, want, this.readOffset);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        if (this.readOffset < HEAD_BYTES) this.rememberHead(chunk);
        this.readOffset += bytesRead;
        this.framer.push(chunk, onRecord, onCorruption);
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

  private rememberHead(chunk: Uint8Array): void {
    const take = Math.min(HEAD_BYTES - this.readOffset, chunk.length);
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
