/** One complete line of a log, without its line terminator. */
export interface LogLine {
  readonly text: string;
  /** 1-based line number in the file. */
  readonly line: number;
}

/** A line that could not be used as it stands, kept with its 1-based number. */
export interface LineProblem {
  readonly line: number;
  readonly message: string;
}

/** Default cap on one line: a log line past this is almost certainly corrupt (or not a log). */
export const DEFAULT_MAX_LINE_CHARS = 8 * 1024 * 1024;

/**
 * Splits text arriving in arbitrary chunks (a log file's reads, a child process's output) into
 * lines, keeping an incomplete last line until its newline arrives. Handles `\n`, `\r\n` and a lone
 * `\r` (classic Mac OS, some exporters; a `\r` that ends a chunk holds its line until the next chunk
 * or `end()` shows whether `\n` follows); a line longer than `maxLineChars` (its `\r` counted) is
 * skipped with a problem naming its line, and its characters are never buffered past the cap.
 *
 * @example
 * const s = new LineSplitter();
 * s.push('a\r\nb'); // yields {text:'a', line:1}
 * s.end();          // yields {text:'b', line:2}
 */
export class LineSplitter {
  private pending = '';
  private nextLine = 1;
  private overflowing = false;
  private overflowChars = 0;
  /** The held line ends with a `\r`: it is complete, and a `\n` starting the next chunk belongs to it. */
  private pendingCR = false;

  constructor(
    private readonly onLine: (line: LogLine) => void,
    private readonly onProblem: (problem: LineProblem) => void,
    private readonly maxLineChars = DEFAULT_MAX_LINE_CHARS,
  ) {}

  /** Number of the line the next complete line will carry. */
  get lineNumber(): number {
    return this.nextLine;
  }

  push(chunk: string): void {
    if (chunk.length === 0) return;
    let start = 0;
    if (this.pendingCR) {
      // The held line ended with \r: this chunk's first character says whether \n completes it.
      this.pendingCR = false;
      this.finish('');
      if (chunk.charCodeAt(0) === 10) start = 1;
    }
    // Most logs end lines with \n alone: one search per line, as fast as before CR support.
    if (chunk.indexOf('\r', start) < 0) {
      for (;;) {
        const nl = chunk.indexOf('\n', start);
        if (nl < 0) break;
        this.finish(chunk.slice(start, nl));
        start = nl + 1;
      }
    } else {
      start = this.pushWithCR(chunk, start);
      this.pendingCR = chunk.charCodeAt(chunk.length - 1) === 13;
    }
    this.append(chunk.slice(start));
  }

  /**
   * Splits at \n, \r\n and lone \r, each line passed on with its \r (counted against the cap,
   * then dropped). Returns where the unfinished rest starts; a \r that ends the chunk stays in it.
   */
  private pushWithCR(chunk: string, start: number): number {
    let nl = chunk.indexOf('\n', start);
    let cr = chunk.indexOf('\r', start);
    for (;;) {
      if (nl >= 0 && nl < start) nl = chunk.indexOf('\n', start);
      if (cr >= 0 && cr < start) cr = chunk.indexOf('\r', start);
      if (nl < 0 && cr < 0) return start;
      if (cr < 0 || (nl >= 0 && nl < cr)) {
        this.finish(chunk.slice(start, nl));
        start = nl + 1;
        continue;
      }
      if (cr + 1 === chunk.length) return start;
      this.finish(chunk.slice(start, cr + 1));
      start = chunk.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
    }
  }

  /** Flushes a final line that has no newline (call when the file is known to be complete). */
  end(): void {
    this.pendingCR = false;
    if (this.pending.length > 0 || this.overflowing) this.finish('');
  }

  /** Forgets buffered text and restarts numbering (the file was truncated or replaced). */
  reset(): void {
    this.pending = '';
    this.nextLine = 1;
    this.overflowing = false;
    this.overflowChars = 0;
    this.pendingCR = false;
  }

  private append(part: string): void {
    if (this.overflowing) {
      this.overflowChars += part.length;
      return;
    }
    if (this.pending.length + part.length > this.maxLineChars) {
      this.overflowing = true;
      this.overflowChars = this.pending.length + part.length;
      this.pending = '';
      return;
    }
    this.pending += part;
  }

  private finish(tail: string): void {
    const line = this.nextLine++;
    this.append(tail);
    if (this.overflowing) {
      this.onProblem({
        line,
        message: `line ${line} is longer than ${this.maxLineChars} characters (${this.overflowChars}); skipped`,
      });
      this.overflowing = false;
      this.overflowChars = 0;
      this.pending = '';
      return;
    }
    let text = this.pending;
    this.pending = '';
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.onLine({ text, line });
  }
}
