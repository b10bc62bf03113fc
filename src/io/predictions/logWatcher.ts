import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { LineSplitter, PredictionLineParser, labelPairReader, type PredictionMonitor, type PredictionReport } from '../../core/predictions';
import { createPredictionMonitor, feedReferenceFile, labelsSource, type AnalyzeOptions } from './logFile';
import { LogTextDecoder } from './logText';
import { RotatingLogFollower } from './rotatingFollow';

/** Follows a labels file (JSON Lines or CSV) as it grows and hands each new label on. */
class LabelsTail {
  private offset = 0;
  private readonly decoder = new LogTextDecoder();
  private readonly parser: PredictionLineParser;
  private readonly splitter: LineSplitter;

  constructor(
    readonly path: string,
    joinKey: string,
    labelColumn: string,
    onLabel: (id: string, label: string) => void,
  ) {
    const pairOf = labelPairReader(joinKey, labelColumn);
    this.parser = new PredictionLineParser(
      (raw) => {
        const pair = pairOf(raw, this.parser.header);
        if (pair) {
          this.seen++;
          onLabel(pair.key, pair.label);
        }
      },
      () => {},
    );
    this.splitter = new LineSplitter((l) => this.parser.pushLine(l.text, l.line), () => {});
  }

  private seen = 0;

  /** Reads what was appended; returns how many labels it handed on. */
  async poll(signal: AbortSignal): Promise<number> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch {
      return 0; // not written yet
    }
    if (size <= this.offset) return 0;
    const before = this.seen;
    const stream = createReadStream(this.path, { start: this.offset, end: size - 1, signal });
    for await (const chunk of stream) {
      this.offset += (chunk as Buffer).length;
      for (const text of this.decoder.write(chunk as Buffer)) this.splitter.push(text);
    }
    return this.seen - before;
  }
}

export interface PredictionLogWatcherOptions extends AnalyzeOptions {
  /** How often the file's size is checked when no change event arrives (default 1000 ms). */
  readonly pollMs?: number;
  /** Least time between two `onUpdate` calls (default 500 ms). */
  readonly throttleMs?: number;
}

/**
 * Tails a growing prediction log: reads only the bytes appended since the last read and keeps a
 * partial last line until its newline arrives. A logrotate of either style (rename-and-create or
 * copy-and-truncate, see RotatingLogFollower) continues the same monitoring, every row once and in
 * order; only a log rewritten in place (shorter, same start) starts over. Rotated files present
 * before `start` are history and are not read. Calls `onUpdate` with the live report after new rows.
 * Dispose it to stop watching; nothing keeps running afterwards.
 *
 * @example
 * const w = new PredictionLogWatcher('preds.jsonl', {}, (r) => panel.show(r));
 * await w.start();
 * // later
 * w.dispose();
 */
export class PredictionLogWatcher {
  private monitor: PredictionMonitor | undefined;
  private follower: RotatingLogFollower | undefined;
  /** Characters handed to the monitor, to tell a pass that read rows from one that did not. */
  private textRead = 0;
  private fsWatcher: FSWatcher | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pendingEmit: ReturnType<typeof setTimeout> | undefined;
  private lastEmit = 0;
  private reading: Promise<void> | undefined;
  private again = false;
  private disposed = false;
  private restarts = 0;
  private readonly abort = new AbortController();
  private labels: LabelsTail | undefined;

  constructor(
    readonly path: string,
    private readonly options: PredictionLogWatcherOptions,
    private readonly onUpdate: (report: PredictionReport) => void,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  /** Reads what the file holds now, then watches it for growth. */
  async start(): Promise<void> {
    await this.restart();
    await this.poll();
    if (this.disposed) return;
    try {
      this.fsWatcher = watch(this.path, { persistent: false }, () => void this.poll());
      this.fsWatcher.on('error', () => this.fsWatcher?.close());
    } catch {
      // Polling alone still works (network drives, some containers).
    }
    this.timer = setInterval(() => void this.poll(), this.options.pollMs ?? 1000);
    this.timer.unref?.();
  }

  /** The current report (also between updates). */
  snapshot(): PredictionReport | undefined {
    const r = this.monitor?.snapshot();
    if (r && this.restarts) return { ...r, notes: [...r.notes, `the log was truncated or replaced ${this.restarts} time(s); monitoring restarted from its first line`] };
    return r;
  }

  dispose(): void {
    this.disposed = true;
    this.abort.abort();
    this.fsWatcher?.close();
    if (this.timer) clearInterval(this.timer);
    if (this.pendingEmit) clearTimeout(this.pendingEmit);
    void this.follower?.dispose();
  }

  private async restart(): Promise<void> {
    const { monitor } = await createPredictionMonitor(this.path, { ...this.options, signal: this.abort.signal }, false);
    if (this.options.referenceFile) await feedReferenceFile(monitor, this.options.referenceFile, this.abort.signal);
    this.monitor = monitor;
    // Labels are tailed too: one that arrives after its row still scores that row's window.
    const source = labelsSource(this.path, this.options.schema);
    this.labels = source ? new LabelsTail(source.path, source.joinKey, source.label, (id, label) => monitor.addLabel(id, label)) : undefined;
    const headers = new RepeatedHeaderFilter((text) => {
      monitor.pushText(text);
      this.textRead += text.length;
    });
    const follower = new RotatingLogFollower(
      this.path,
      (text) => headers.push(text),
      () => {},
      () => headers.newGeneration(),
    );
    await follower.skipRotated();
    this.follower = follower;
  }

  /** Reads new bytes; concurrent calls coalesce into one more pass. */
  private poll(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.again = false;
          await this.readNew();
        } while (this.again && !this.disposed);
      } catch (e) {
        if (!this.disposed) this.onError(e instanceof Error ? e : new Error(String(e)));
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  private async readNew(): Promise<void> {
    try {
      await stat(this.path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A log being rotated may vanish for a moment; the next poll reads the rotated tail first.
      if (code === 'ENOENT') return;
      throw new Error(`prediction log '${this.path}' cannot be read (${code ?? String(e)})`);
    }
    // Labels first: rows read below then join the labels already known.
    const newLabels = (await this.labels?.poll(this.abort.signal)) ?? 0;
    let grew = false;
    // One follower pass reads a bounded number of bytes; a large backlog takes several.
    while (!this.disposed) {
      const before = this.textRead;
      await this.follower!.poll();
      if (this.follower!.rewritten) {
        this.restarts++;
        await this.restart();
        grew = true;
        continue;
      }
      if (this.textRead === before) break;
      grew = true;
    }
    if (grew || newLabels) this.emit();
  }

  private emit(): void {
    const wait = (this.options.throttleMs ?? 500) - (Date.now() - this.lastEmit);
    if (wait <= 0) {
      this.lastEmit = Date.now();
      const r = this.snapshot();
      if (r) this.onUpdate(r);
      return;
    }
    this.pendingEmit ??= setTimeout(() => {
      this.pendingEmit = undefined;
      if (!this.disposed) this.emit();
    }, wait);
  }
}

/**
 * Drops the header line a rotated CSV log repeats at the start of each new file, so the monitor
 * reads it once, as the first line of the log; JSON Lines never repeat their first line (each row
 * has its own id or time), and a CSV file whose first line differs is passed whole.
 */
class RepeatedHeaderFilter {
  private header: string | undefined;
  private firstLine = '';
  /** The start of a later generation, held until its first line is complete. */
  private pending: string | undefined;

  constructor(private readonly forward: (text: string) => void) {}

  newGeneration(): void {
    this.pending = '';
  }

  push(text: string): void {
    if (this.header === undefined) {
      const end = text.indexOf('\n');
      this.firstLine += end < 0 ? text : text.slice(0, end);
      if (end >= 0) this.header = this.firstLine.replace(/\r$/, '');
      this.forward(text);
      return;
    }
    if (this.pending === undefined) return this.forward(text);
    this.pending += text;
    const end = this.pending.indexOf('\n');
    if (end < 0) return;
    const first = this.pending.slice(0, end).replace(/\r$/, '');
    const rest = this.pending;
    this.pending = undefined;
    const csv = !this.header.trimStart().startsWith('{');
    this.forward(csv && first === this.header ? rest.slice(end + 1) : rest);
  }
}
