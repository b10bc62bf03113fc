import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from '../../core/lineSplitter';
import { accessLineParser, detectAccessLogFormat, type AccessLogFormat, type AccessRecord } from '../../core/endpoints/accessLog';
import { TrafficAggregator, type TrafficReport } from '../../core/endpoints/traffic';

/** An access-log line longer than this is not a request line. */
const MAX_ACCESS_LINE = 64 * 1024;
const SAMPLE_LINES = 20;

/**
 * Feeds access-log lines to a traffic aggregator, detecting the format from the first lines when
 * asked for `auto`. Lines arrive in any chunks (a file read, a tail).
 */
export class AccessLogReader {
  private parse: ((line: string) => AccessRecord | null) | undefined;
  private format: AccessLogFormat | undefined;
  private sample: string[] = [];
  private aggregator: TrafficAggregator | undefined;
  private readonly splitter: LineSplitter;

  constructor(
    format: AccessLogFormat | 'auto',
    private readonly windowSeconds: number,
  ) {
    if (format !== 'auto') this.useFormat(format);
    this.splitter = new LineSplitter(
      ({ text }) => this.line(text),
      () => this.aggregator?.add(null),
      MAX_ACCESS_LINE,
    );
  }

  private useFormat(format: AccessLogFormat): void {
    this.format = format;
    this.parse = accessLineParser(format);
    this.aggregator = new TrafficAggregator(format, this.windowSeconds);
  }

  private line(text: string): void {
    if (!text.trim()) return;
    if (!this.parse) {
      this.sample.push(text);
      if (this.sample.length >= SAMPLE_LINES) this.flushSample();
      return;
    }
    this.aggregator!.add(this.parse(text));
  }

  private flushSample(): void {
    const format = detectAccessLogFormat(this.sample) ?? 'combined';
    this.useFormat(format);
    const sample = this.sample;
    this.sample = [];
    for (const l of sample) this.aggregator!.add(this.parse!(l));
  }

  push(chunk: string): void {
    this.splitter.push(chunk);
  }

  /** The traffic so far (lines still held for format detection are counted). */
  report(): TrafficReport {
    if (!this.parse && this.sample.length) this.flushSample();
    return (this.aggregator ?? new TrafficAggregator(this.format ?? 'combined', this.windowSeconds)).report();
  }

  end(): TrafficReport {
    this.splitter.end();
    return this.report();
  }
}

/** Reads a whole access log. Throws a one-line Error for a missing or unreadable file. */
export async function readAccessLog(path: string, options: { format: AccessLogFormat | 'auto'; windowSeconds: number; signal?: AbortSignal }): Promise<TrafficReport> {
  const info = await stat(path);
  if (info.isDirectory()) throw new Error(`${path} is a folder`);
  const reader = new AccessLogReader(options.format, options.windowSeconds);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20, ...(options.signal ? { signal: options.signal } : {}) });
  for await (const chunk of stream) reader.push(chunk as string);
  return reader.end();
}

/**
 * Follows an access log as it grows (polled; nginx and uvicorn append), from its current end or
 * its start. A file that shrinks was rotated or truncated: reading starts again from its start.
 */
export class AccessLogTail {
  private offset = 0;
  private decoder = new StringDecoder('utf8');
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  readonly reader: AccessLogReader;

  constructor(
    private readonly path: string,
    options: { format: AccessLogFormat | 'auto'; windowSeconds: number },
    private readonly onUpdate: (report: TrafficReport) => void,
  ) {
    this.reader = new AccessLogReader(options.format, options.windowSeconds);
  }

  start(intervalMs = 1000): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), intervalMs);
  }

  /** Reads what was appended since the last poll; at most 16 MiB a poll so a burst cannot take the memory. */
  async poll(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const { size } = await stat(this.path);
      if (size < this.offset) {
        this.offset = 0;
        this.decoder = new StringDecoder('utf8');
      }
      if (size === this.offset) return;
      const length = Math.min(size - this.offset, 16 * 1024 * 1024);
      const handle = await open(this.path, 'r');
      try {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, this.offset);
        this.offset += bytesRead;
        this.reader.push(this.decoder.write(buffer.subarray(0, bytesRead)));
      } finally {
        await handle.close();
      }
      this.onUpdate(this.reader.report());
    } catch {
      // A log that does not exist yet, or is being rotated: the next poll tries again.
    } finally {
      this.reading = false;
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
