import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { LineSplitter } from '../../core/lineSplitter';
import { GpuLogReader, type GpuLogOptions } from '../../core/efficiency/gpuLog';

/** A GPU log line longer than this is not a sample; it is skipped without being held. */
const MAX_LOG_LINE_CHARS = 64 * 1024;

export class GpuLogFileError extends Error {}

/**
 * nvidia-smi's timestamps are this machine's local time: the offset of the local zone at that
 * instant turns them into UTC (a log recorded elsewhere takes `utcOffsetMinutes`).
 */
export function localSmiTime(utcOffsetMinutes?: number): (msAsIfUtc: number) => number {
  if (utcOffsetMinutes !== undefined) return (ms) => ms - utcOffsetMinutes * 60_000;
  return (ms) => {
    const d = new Date(ms);
    return new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()).getTime();
  };
}

/**
 * Reads a GPU log file (an nvidia-smi `--query-gpu ... -l/-lms` CSV, `modelmon gpu --json` lines or
 * a `modelmon gpu --record` file) as a stream, so memory stays within the history's bound whatever
 * the file's size. Throws GpuLogFileError naming the file when it cannot be read.
 */
export async function readGpuLogFile(path: string, options: GpuLogOptions & { readonly utcOffsetMinutes?: number; readonly signal?: AbortSignal } = {}): Promise<GpuLogReader> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new GpuLogFileError(`GPU log ${path} is not a file`);
  } catch (error) {
    if (error instanceof GpuLogFileError) throw error;
    throw new GpuLogFileError(`cannot read GPU log ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const reader = new GpuLogReader({ ...options, smiLocalToUtc: options.smiLocalToUtc ?? localSmiTime(options.utcOffsetMinutes) });
  const splitter = new LineSplitter(
    (l) => reader.line(l.text, l.line),
    (p) => reader.note(p),
    MAX_LOG_LINE_CHARS,
  );
  const stream = createReadStream(path, { encoding: 'utf8', ...(options.signal ? { signal: options.signal } : {}) });
  try {
    for await (const chunk of stream) splitter.push(chunk as string);
    splitter.end();
  } catch (error) {
    throw new GpuLogFileError(`cannot read GPU log ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return reader;
}
