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
 * Whether a quoted field is still open at the end of `text`, given whether one was open at its
 * start: the same quote rules as splitCsvRecord, scanning only quotes and delimiters.
 */
export function quoteOpenAfter(text: string, open: boolean, delimiter = ','): boolean {
  let i = 0;
  const n = text.length;
  // A line that starts outside a quoted field starts a record, hence a field.
  let fieldStart = !open;
  for (;;) {
    if (fieldStart && i < n && text.charCodeAt(i) === 34) {
      open = true;
      i++;
    }
    if (open) {
      const q = text.indexOf('"', i);
      if (q < 0) return true;
      if (text.charCodeAt(q + 1) === 34) {
        i = q + 2;
        fieldStart = false;
        continue;
      }
      open = false;
      i = q + 1;
    }
    // Outside quotes a quote is literal unless it starts a field.
    const d = text.indexOf(delimiter, i);
    if (d < 0) return false;
    i = d + delimiter.length;
    fieldStart = true;
  }
}

/** How far one quoted CSV field may reach across lines before it is taken for a stray quote. */
export interface CsvFieldBounds {
  /** Lines one record may span (default 1000). */
  readonly maxLines: number;
  /** Characters one record may hold (default 1 MiB). */
  readonly maxChars: number;
}

/**
 * Multi-line notes in real logs span a handful of lines; a quote left open for 1000 lines or a
 * mebibyte is a stray one, and the rows it swallowed are read again as rows.
 */
export const DEFAULT_CSV_FIELD_BOUNDS: CsvFieldBounds = { maxLines: 1000, maxChars: 1024 * 1024 };

/**
 * Joins lines into CSV records, so a quoted field may span lines. Each line is scanned once (the
 * open record is never re-split), so assembly is linear in the input. A quote still open after
 * `bounds` (or at the end of the file) is reported at the line where it opened; that line is
 * skipped and the lines after it are read again, each as a record of its own.
 */
export class CsvRecordAssembler {
  private open: LogLine[] | undefined;
  private openChars = 0;
  private readonly bounds: CsvFieldBounds;

  constructor(
    private readonly delimiter: string,
    private readonly onRecord: (record: CsvRecord) => void,
    private readonly onProblem: (problem: LineProblem) => void,
    bounds: Partial<CsvFieldBounds> = {},
  ) {
    this.bounds = { ...DEFAULT_CSV_FIELD_BOUNDS, ...bounds };
  }

  push(line: LogLine): void {
    const open = this.open;
    if (!open) {
      // Most lines hold no quote and end their record.
      if (line.text.indexOf('"') < 0 || !quoteOpenAfter(line.text, false, this.delimiter)) {
        this.emit(line.text, line.line);
        return;
      }
      this.open = [line];
      this.openChars = line.text.length;
      return;
    }
    open.push(line);
    this.openChars += line.text.length + 1;
    if (!quoteOpenAfter(line.text, true, this.delimiter)) {
      this.open = undefined;
      this.emit(open.map((l) => l.text).join('\n'), open[0]!.line);
    } else if (open.length >= this.bounds.maxLines || this.openChars > this.bounds.maxChars) {
      const why = open.length >= this.bounds.maxLines ? `${this.bounds.maxLines} lines` : `${this.bounds.maxChars} characters`;
      this.release(`line ${open[0]!.line}: quoted CSV field opened here does not close within ${why}; this line is skipped and the ${open.length - 1} lines after it are read as rows`);
    }
  }

  end(): void {
    const open = this.open;
    if (!open) return;
    const after = open.length > 1 ? `; the ${open.length - 1} lines after it are read as rows` : '';
    this.release(`line ${open[0]!.line}: quoted CSV field is not closed at the end of the file; record skipped${after}`);
  }

  /** Gives up the open record: reports its first line and reads each later line as a record. */
  private release(message: string): void {
    const open = this.open!;
    this.open = undefined;
    this.openChars = 0;
    this.onProblem({ line: open[0]!.line, message });
    for (let k = 1; k < open.length; k++) {
      const { text, line } = open[k]!;
      // Only lines after the stray quote are read again, each alone, so no line is read twice more.
      if (text.indexOf('"') >= 0 && quoteOpenAfter(text, false, this.delimiter)) {
        this.onProblem({ line, message: `line ${line}: quoted CSV field is not closed on its line (read again after the stray quote on line ${open[0]!.line}); skipped` });
      } else this.emit(text, line);
    }
  }

  private emit(text: string, line: number): void {
    this.onRecord({ fields: splitCsvRecord(text, this.delimiter) ?? [text], line });
  }
}
