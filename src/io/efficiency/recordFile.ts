import { appendFile, rename, stat, writeFile } from 'node:fs/promises';
import { GpuRecordWriter } from '../../core/efficiency/gpuLog';
import type { GpuSample } from '../../core/efficiency/types';
import { readGpuLogFile } from './gpuLogFile';

/** Default bound of a record file: about 1.9 M samples, some 22 days of one GPU at 1 s. */
export const DEFAULT_RECORD_MAX_BYTES = 64 * 1024 * 1024;

/**
 * A bounded GPU history on disk (`modelmon gpu --record FILE`): compact lines appended as samples
 * come, and when the file passes `maxBytes` it is rewritten with its newer half, so it never
 * grows past the bound however long the recorder runs. Appends are serialised; `close()` waits.
 */
export class GpuRecordFile {
  private writer = new GpuRecordWriter();
  private size = 0;
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  compactions = 0;

  private constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {}

  /** Opens (or creates) a record file, compacting it first if it is already over the bound. */
  static async open(path: string, maxBytes = DEFAULT_RECORD_MAX_BYTES): Promise<GpuRecordFile> {
    if (!(Number.isInteger(maxBytes) && maxBytes >= 4096)) throw new RangeError(`GPU record: maxBytes must be an integer >= 4096, got ${maxBytes}`);
    const file = new GpuRecordFile(path, maxBytes);
    file.size = await stat(path).then((s) => s.size, () => 0);
    await appendFile(path, '');
    if (file.size > maxBytes) await file.compact();
    return file;
  }

  /** Queues `samples` for writing; a write error is raised by the next call and by `close()`. */
  append(samples: readonly GpuSample[]): void {
    if (this.failure) throw this.failure;
    if (!samples.length) return;
    const text = this.writer.lines(samples).join('\n') + '\n';
    this.queue = this.queue.then(async () => {
      if (this.failure) return;
      try {
        await appendFile(this.path, text);
        this.size += Buffer.byteLength(text);
        if (this.size > this.maxBytes) await this.compact();
      } catch (error) {
        this.failure = new Error(`cannot write the GPU record ${this.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    });
  }

  /** Waits for every queued write. */
  async close(): Promise<void> {
    await this.queue;
    if (this.failure) throw this.failure;
  }

  /** Rewrites the file with the samples of its newer half in time, through a temporary file and a rename. */
  private async compact(): Promise<void> {
    const log = await readGpuLogFile(this.path);
    const span = log.history.span();
    const keepFrom = span ? span.startMs + (span.endMs - span.startMs) / 2 : Infinity;
    const kept = [...log.history.samples()].filter((s) => s.timeMs >= keepFrom).sort((a, b) => a.timeMs - b.timeMs);
    this.writer = new GpuRecordWriter();
    const text = this.writer.lines(kept).join('\n') + '\n';
    const tmp = `${this.path}.compacting`;
    await writeFile(tmp, text);
    await rename(tmp, this.path);
    this.size = Buffer.byteLength(text);
    this.compactions++;
  }
}
