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
 * `\r` (classic Mac OS, some exporters); a line longer than `maxLineChars` is skipped with a problem
 * naming its line, and its characters are never buffered past the cap.
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
  /** The last chunk ended on `\r`: a `\n` starting the next one belongs to that line end. */
  private afterCR = false;

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
    if (this.afterCR) {
      this.afterCR = false;
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
    } else start = this.pushWithCR(chunk, start);
    this.append(chunk.slice(start));
  }

  /** Splits at \n, \r\n and lone \r; returns where the unfinished rest of the chunk starts. */
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
      this.finish(chunk.slice(start, cr));
      if (cr + 1 === chunk.length) {
        this.afterCR = true;
        return cr + 1;
      }
      start = chunk.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
    }
  }

  /** Flushes a final line that has no newline (call when the file is known to be complete). */
  end(): void {
    if (this.pending.length > 0 || this.overflowing) this.finish('');
  }

  /** Forgets buffered text and restarts numbering (the file was truncated or replaced). */
  reset(): void {
    this.pending = '';
    this.nextLine = 1;
    this.overflowing = false;
    this.overflowChars = 0;
    this.afterCR = false;
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
