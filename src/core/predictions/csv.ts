import type { LineProblem, LogLine } from './lines';

/** One CSV record, possibly spanning several lines when a quoted field holds a newline. */
export interface CsvRecord {
  readonly fields: string[];
  /** 1-based number of the record's first line. */
  readonly line: number;
}

/**
 * Splits one CSV record (RFC 4180: `"` quotes, `""` escapes a quote). Returns `undefined` when
 * a quoted field is still open at the end of the text, i.e. the record continues on the next line.
 */
export function splitCsvRecord(text: string, delimiter = ','): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  // Fast path: most log lines hold no quotes at all.
  if (text.indexOf('"') < 0) return text.split(delimiter);
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) return undefined;
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      // Text between a closing quote and the delimiter is kept, as spreadsheets do.
      const d = text.indexOf(delimiter, i);
      const end = d < 0 ? n : d;
      value += text.slice(i, end);
      fields.push(value);
      if (d < 0) return fields;
      i = d + delimiter.length;
    } else {
      const d = text.indexOf(delimiter, i);
      if (d < 0) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, d));
      i = d + delimiter.length;
    }
  }
}

/** Picks the delimiter a header line uses: comma, tab, semicolon or pipe, by count. */
export function detectDelimiter(header: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', '\t', ';', '|']) {
    const count = header.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Joins lines into CSV records, so a quoted field may span lines. A record still open after
 * `maxRecordChars` characters (or at the end of the file) is reported and dropped.
 */
export class CsvRecordAssembler {
  private open: { text: string; line: number } | undefined;

  constructor(
    private readonly delimiter: string,
    private readonly onRecord: (record: CsvRecord) => void,
    private readonly onProblem: (problem: LineProblem) => void,
    private readonly maxRecordChars = 8 * 1024 * 1024,
  ) {}

  push(line: LogLine): void {
    const text = this.open ? `${this.open.text}\n${line.text}` : line.text;
    const first = this.open ? this.open.line : line.line;
    const fields = splitCsvRecord(text, this.delimiter);
    if (fields) {
      this.open = undefined;
      this.onRecord({ fields, line: first });
    } else if (text.length > this.maxRecordChars) {
      this.open = undefined;
      this.onProblem({ line: first, message: `line ${first}: quoted CSV field never closes within ${this.maxRecordChars} characters; record skipped` });
    } else {
      this.open = { text, line: first };
    }
  }

  end(): void {
    if (this.open) {
      this.onProblem({ line: this.open.line, message: `line ${this.open.line}: quoted CSV field is not closed at the end of the file; record skipped` });
      this.open = undefined;
    }
  }
}
