import { LineSplitter as StreamLineSplitter } from '../lineSplitter';
import { MAX_LINE_LENGTH } from './parse';

/**
 * Splits nvidia-smi's output stream into lines with bounded memory: a "line" that grows past
 * `maxLength` without a newline is dropped (and counted), never buffered without end.
 */
export class LineSplitter {
  /** Lines dropped for being too long. */
  overflows = 0;
  private finished: string[] = [];
  private readonly splitter: StreamLineSplitter;

  constructor(maxLength = MAX_LINE_LENGTH) {
    this.splitter = new StreamLineSplitter((l) => this.finished.push(l.text), () => this.overflows++, maxLength);
  }

  /** Adds a chunk; returns the complete lines it finished, without their line endings. */
  push(chunk: string): string[] {
    this.splitter.push(chunk);
    const lines = this.finished;
    this.finished = [];
    return lines;
  }
}
