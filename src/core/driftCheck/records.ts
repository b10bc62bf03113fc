import { LineSplitter, PredictionLineParser, flattenRecord } from '../predictions';
import { csvCell, type FlatValue } from '../predictions/schema';

/** One data row of a prediction log, nested JSON flattened to dotted names. */
export type PredictionRecord = Map<string, FlatValue>;

/** The rows of a prediction log, in file order, with the format they were read in. */
export interface PredictionRecords {
  readonly format: 'jsonl' | 'csv';
  readonly rows: readonly PredictionRecord[];
}

/** Rows read for a drift check by default; a bigger log is compared on its first rows only. */
export const DRIFT_CHECK_MAX_ROWS = 200_000;

/**
 * Collects the rows of a JSONL or CSV prediction log from text chunks, up to `maxRows`; lines
 * that do not parse are skipped (the streaming analysis reports them).
 *
 * @example
 * const collector = new PredictionRecordCollector();
 * collector.push('a,b\n1,x\n2,y\n');
 * collector.end(); // { format: 'csv', rows: [Map { a: 1, b: 'x' }, Map { a: 2, b: 'y' }] }
 */
export class PredictionRecordCollector {
  private readonly rows: PredictionRecord[] = [];
  private header: string[] | undefined;
  private readonly parser: PredictionLineParser;
  private readonly splitter: LineSplitter;

  constructor(private readonly maxRows = DRIFT_CHECK_MAX_ROWS) {
    if (!(maxRows >= 0)) throw new RangeError(`maxRows must be a number >= 0 (got ${maxRows})`);
    this.parser = new PredictionLineParser(
      (raw) => {
        if (this.rows.length >= this.maxRows) return;
        if (raw.kind === 'json') {
          this.rows.push(flattenRecord(raw.value));
          return;
        }
        this.header ??= this.parser.header;
        const row: PredictionRecord = new Map();
        raw.fields.forEach((text, k) => {
          const name = this.header?.[k];
          if (name !== undefined) row.set(name, csvCell(text));
        });
        this.rows.push(row);
      },
      () => undefined,
    );
    this.splitter = new LineSplitter((l) => this.parser.pushLine(l.text, l.line), () => undefined);
  }

  /** True once `maxRows` rows were collected: the reader may stop. */
  get full(): boolean {
    return this.rows.length >= this.maxRows;
  }

  push(text: string): void {
    this.splitter.push(text);
  }

  /** Flushes the last line and returns the rows; CSV when the format could not be told. */
  end(): PredictionRecords {
    this.splitter.end();
    this.parser.end();
    return { format: this.parser.format ?? 'csv', rows: this.rows };
  }
}
