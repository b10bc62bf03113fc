import { CsvRecordAssembler, detectDelimiter, splitCsvRecord } from './csv';
import type { LineProblem } from './lines';
import { MAX_RECORD_DEPTH, nestedDeeperThan } from './nesting';
import type { RawRecord } from './row';

/**
 * Turns the lines of one prediction log into raw records: detects JSON Lines or CSV from the first
 * non-blank line, reads a CSV header, joins multi-line quoted CSV fields, and reports every line it
 * cannot use (with its 1-based number) without losing the lines around it.
 */
export class PredictionLineParser {
  format: 'jsonl' | 'csv' | undefined;
  header: string[] | undefined;
  private assembler: CsvRecordAssembler | undefined;
  private delimiter = ',';

  constructor(
    private readonly onRecord: (raw: RawRecord, line: number) => void,
    private readonly onProblem: (problem: LineProblem) => void,
    format?: 'jsonl' | 'csv',
  ) {
    this.format = format;
  }

  pushLine(text: string, line: number): void {
    // A UTF-8 byte-order mark decoded as text (io strips it; callers of the core may not).
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.includes('\u0000')) {
      this.onProblem({ line, message: `line ${line}: holds binary data (NUL bytes), not log text; skipped` });
      return;
    }
    if (this.format === undefined) {
      const t = text.trimStart();
      if (t === '') return;
      this.format = t.startsWith('{') || t.startsWith('[') ? 'jsonl' : 'csv';
    }
    if (this.format === 'jsonl') this.jsonLine(text, line);
    else this.csvLine(text, line);
  }

  end(): void {
    this.assembler?.end();
  }

  private jsonLine(text: string, line: number): void {
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = parseJsonRow(text);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      // V8 reads very deep nesting recursively and runs out of stack: say so, not "invalid".
      const message = e instanceof RangeError ? `line ${line}: JSON nested too deeply to read (${why}); skipped` : `line ${line}: not valid JSON (${why}); skipped`;
      this.onProblem({ line, message });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.onProblem({ line, message: `line ${line}: expected a JSON object, found ${Array.isArray(value) ? 'an array' : typeof value === 'string' ? 'a string' : String(value)}; skipped` });
      return;
    }
    if (bracketsOver(text, MAX_RECORD_DEPTH) && nestedDeeperThan(value as Record<string, unknown>)) {
      this.onProblem({ line, message: `line ${line}: JSON record nested deeper than ${MAX_RECORD_DEPTH} levels; skipped` });
      return;
    }
    this.onRecord({ kind: 'json', value: value as Record<string, unknown> }, line);
  }

  private csvLine(text: string, line: number): void {
    if (!this.header) {
      if (text.trim() === '') return;
      this.delimiter = detectDelimiter(text);
      const fields = splitCsvRecord(text.replace(/^\uFEFF/, ''), this.delimiter);
      if (!fields) {
        this.onProblem({ line, message: `line ${line}: CSV header has an unclosed quote` });
        this.header = [];
        return;
      }
      this.header = fields.map((f) => f.trim());
      const dupes = this.header.filter((h, i) => this.header!.indexOf(h) !== i);
      if (dupes.length) this.onProblem({ line, message: `line ${line}: CSV header repeats column(s) ${[...new Set(dupes)].join(', ')}; the first of each is used` });
      this.assembler = new CsvRecordAssembler(
        this.delimiter,
        (rec) => {
          const expected = this.header!.length;
          if (rec.fields.length === 1 && rec.fields[0]!.trim() === '') return;
          if (rec.fields.length !== expected) {
            this.onProblem({ line: rec.line, message: `line ${rec.line}: expected ${expected} CSV fields, found ${rec.fields.length}; skipped` });
            return;
          }
          this.onRecord({ kind: 'csv', fields: rec.fields }, rec.line);
        },
        this.onProblem,
      );
      return;
    }
    this.assembler?.push({ text, line });
  }
}

/**
 * Whether `text` holds more than `max` opening brackets, which nesting deeper than `max` needs:
 * a few native searches per line, so the walk of the parsed row is left to the rare line that may.
 */
function bracketsOver(text: string, max: number): boolean {
  let count = 0;
  for (const bracket of ['{', '[']) {
    for (let i = text.indexOf(bracket); i >= 0; i = text.indexOf(bracket, i + 1)) if (++count > max) return true;
  }
  return false;
}

/**
 * JSON.parse, and for a line it rejects, a second try that reads the bare `NaN`, `Infinity` and
 * `-Infinity` Python's json.dumps writes by default: NaN as null (missing), the infinities as
 * 1e999, which parses to Infinity. Tokens inside strings are left alone. Throws the first error.
 */
function parseJsonRow(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!/NaN|Infinity/.test(text)) throw e;
    const fixed = pythonNonFinite(text);
    if (fixed === undefined) throw e;
    try {
      return JSON.parse(fixed);
    } catch {
      throw e;
    }
  }
}

function pythonNonFinite(text: string): string | undefined {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 78 && text.startsWith('NaN', i)) {
      out += text.slice(from, i) + 'null';
      from = i + 3;
      i += 2;
    } else if (c === 73 && text.startsWith('Infinity', i)) {
      out += text.slice(from, i) + '1e999';
      from = i + 8;
      i += 7;
    }
  }
  return from === 0 ? undefined : out + text.slice(from);
}
