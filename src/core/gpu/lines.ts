import { MAX_LINE_LENGTH } from './parse';

/**
 * Splits a text stream into lines with bounded memory: a "line" that grows past `maxLength`
 * without a newline is dropped (and counted), never buffered without end.
 */
export class LineSplitter {
  private buffer = '';
  private skipping = false;
  /** Lines dropped for being too long. */
  overflows = 0;

  constructor(private readonly maxLength = MAX_LINE_LENGTH) {}

  /** Adds a chunk; returns the complete lines it finished, without their line endings. */
  push(chunk: string): string[] {
    const parts = (this.buffer + chunk).split('\n');
    this.buffer = parts.pop()!;
    const lines: string[] = [];
    for (const part of parts) {
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      if (part.length > this.maxLength) {
        this.overflows++;
        continue;
      }
      lines.push(part.endsWith('\r') ? part.slice(0, -1) : part);
    }
    if (this.buffer.length > this.maxLength) {
      this.overflows++;
      this.buffer = '';
      this.skipping = true;
    }
    return lines;
  }
}
