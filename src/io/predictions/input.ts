import { relative } from 'node:path';
import { LineSplitter, type LogLine } from '../../core/predictions';
import { envelopeFormatOf, envelopeReader, type EnvelopeFormat, type EnvelopeMapping, type EnvelopeRow } from '../../core/predictions/envelopes';
import { containerOf, logBytes, RESUMED, type Container } from './compressed';
import { LogTextDecoder } from './logText';
import { parquetRecords, ParquetFileError } from './parquet';

/** The formats a prediction log may be read as; `auto` tells them from the bytes and the first line. */
export const LOG_FORMATS = ['auto', 'jsonl', 'csv', 'parquet', 'sagemaker-capture', 'kserve-cloudevents'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A format name, or a field mapping for an envelope of one's own. */
export type InputFormat = LogFormat | EnvelopeMapping;

/** What a reader of a log set receives, numbered over the whole set as if its files were one. */
export interface PredictionInputSink {
  /** Lines of JSON Lines or CSV text (a later CSV file's repeated header is left out). */
  lines(lines: readonly LogLine[]): void;
  /**
   * Raw JSON Lines or CSV text of a one-file set, for a sink that splits lines itself (the
   * monitor's pushText, its fastest path); without it such text comes as `lines` too.
   */
  text?(chunk: string): void;
  /** Rows already built: Parquet rows, unwrapped envelopes. */
  records(batch: readonly EnvelopeRow[]): void;
  problem(line: number, message: string): void;
  /** A new file starts (its text format may differ from the last one's when the format is `auto`). */
  fileStart?(path: string): void;
}

/**
 * One file of a set: its lines (or rows) are `first`..`last` of the set's numbering, and line n
 * of the set is line `n - offset` of the file (a later CSV file's header takes no number).
 */
export interface InputFile {
  readonly path: string;
  readonly container: Container;
  readonly first: number;
  readonly last: number;
  readonly offset: number;
}

export interface InputSummary {
  readonly files: readonly InputFile[];
  /** The format the set was read as (`auto` resolved). */
  readonly format: Exclude<LogFormat, 'auto'> | 'mapping';
}

/** Lines handed on per call: large enough to amortise the batch, small enough to bound memory. */
const LINE_BATCH = 4096;

/**
 * Reads the files of a log set in order (see resolveLogSet), each plain, gzip or zstd (told by
 * its first bytes) or Parquet, as one stream of lines or records; memory holds one chunk of text
 * or one Parquet row group. Problems name the file; every readable row is kept.
 */
export async function readPredictionInput(files: readonly string[], format: InputFormat, sink: PredictionInputSink, signal?: AbortSignal): Promise<InputSummary> {
  const done: InputFile[] = [];
  const given: InputSummary['format'] | undefined = typeof format === 'object' ? 'mapping' : format === 'auto' ? undefined : format;
  let setFormat: InputSummary['format'] | undefined;
  let resolved = given;
  let csvHeader: string | undefined;
  let base = 0;
  const mapping = typeof format === 'object' ? format : undefined;
  let envelope: ReturnType<typeof envelopeReader> | undefined;
  const pendingRows: EnvelopeRow[] = [];
  const envelopeSink = { row: (r: EnvelopeRow) => pendingRows.push(r), problem: (line: number, message: string) => sink.problem(line, message) };
  const flushRows = () => {
    if (pendingRows.length) sink.records(pendingRows.splice(0));
  };

  for (const path of files) {
    signal?.throwIfAborted();
    const name = relative(process.cwd(), path) || path;
    const container = await containerOf(path);
    sink.fileStart?.(path);
    // With `auto`, each file is told apart by itself: a set may mix Parquet and text files.
    resolved = given;
    if (container === 'parquet' || resolved === 'parquet') {
      if (container !== 'parquet') {
        sink.problem(base + 1, `${name}: not a Parquet file (it does not start with PAR1); skipped`);
        done.push({ path, container, first: base + 1, last: base, offset: base });
        continue;
      }
      resolved ??= 'parquet';
      setFormat ??= resolved;
      let last = base;
      try {
        for await (const group of parquetRecords(path, (m) => sink.problem(last + 1, m), signal)) {
          sink.records(group.map((r) => ({ record: r.record, line: base + r.row })));
          last = base + (group[group.length - 1]?.row ?? 0);
        }
      } catch (e) {
        if (!(e instanceof ParquetFileError)) throw e;
        sink.problem(base + 1, e.message.replace(path, name));
      }
      done.push({ path, container, first: base + 1, last, offset: base });
      base = last;
      continue;
    }
    let local = 0;
    let batch: LogLine[] = [];
    let sawHeader = false;
    let fileBase = base;
    const take = (l: LogLine) => {
      local = l.line;
      const line = fileBase + l.line;
      if (resolved === undefined) {
        const t = l.text.trimStart();
        if (t === '') return;
        resolved = t.startsWith('{') || t.startsWith('[') ? (mapping ? 'mapping' : (envelopeFormatOf(tryJson(t)) ?? 'jsonl')) : 'csv';
        setFormat ??= resolved;
      }
      if (resolved === 'csv') {
        if (!sawHeader && l.text.trim() !== '') {
          sawHeader = true;
          // Rotated CSV files each start with the header; only the first file's is read.
          if (csvHeader === undefined) csvHeader = l.text;
          else if (l.text === csvHeader) {
            fileBase--;
            return;
          }
        }
        batch.push({ text: l.text, line });
      } else if (resolved === 'jsonl') batch.push({ text: l.text, line });
      else {
        if (l.text.trim() === '') return;
        envelope ??= envelopeReader(mapping ?? (resolved as EnvelopeFormat), envelopeSink);
        const doc = tryJson(l.text);
        if (doc === undefined) sink.problem(line, `line ${line}: not valid JSON; skipped`);
        else envelope.push(doc, line);
      }
      if (batch.length >= LINE_BATCH) flushLines();
    };
    const flushLines = () => {
      if (batch.length) sink.lines(batch);
      batch = [];
      flushRows();
    };
    const splitter = new LineSplitter(take, (p) => {
      flushLines();
      sink.problem(fileBase + p.line, p.message.replace(/^line (\d+)/, (_, n: string) => `line ${fileBase + Number(n)}`));
    });
    // A lone text file goes to the sink as text once its first line shows it is JSON Lines or CSV.
    let mode: 'peek' | 'text' | 'lines' = files.length === 1 && sink.text && !mapping ? 'peek' : 'lines';
    let peeked = '';
    let lastChar = '\n';
    const asText = (text: string) => {
      local += countLines(text);
      lastChar = text[text.length - 1] ?? lastChar;
      sink.text!(text);
    };
    const feed = (text: string, final = false) => {
      if (mode === 'lines') return splitter.push(text);
      if (mode === 'text') return asText(text);
      peeked += text;
      const first = firstLine(peeked, final);
      if (first === undefined) return;
      resolved ??= first.startsWith('{') || first.startsWith('[') ? (envelopeFormatOf(tryJson(first)) ?? 'jsonl') : 'csv';
      setFormat ??= resolved;
      mode = resolved === 'jsonl' || resolved === 'csv' ? 'text' : 'lines';
      const held = peeked;
      peeked = '';
      if (held) feed(held);
    };
    const decoder = new LogTextDecoder();
    const corrupt = (c: { offset: number; resumedAt: number | undefined; reason: string }) => {
      flushLines();
      const line = fileBase + local + 1;
      sink.problem(line, `line ${line}: ${name}: ${container} data is corrupt near byte ${c.offset} (${c.reason}); ${c.resumedAt === undefined ? 'the rest of the file is skipped' : `reading resumed at the next ${container === 'gzip' ? 'member' : 'frame'} (byte ${c.resumedAt})`}`);
    };
    for await (const chunk of logBytes(path, container as Exclude<Container, 'parquet'>, corrupt, signal)) {
      // Text cut off by a corrupt stretch ends its line there, so the next member starts a line.
      if (chunk === RESUMED) feed('\n');
      else for (const text of decoder.write(chunk)) feed(text);
      flushLines();
    }
    for (const text of decoder.end()) feed(text);
    if (mode === 'peek') feed('', true);
    if ((mode as string) === 'text' && lastChar !== '\n' && lastChar !== '\r') local++;
    splitter.end();
    flushLines();
    done.push({ path, container, first: base + 1, last: fileBase + local, offset: fileBase });
    base = fileBase + local;
  }
  envelope?.end();
  flushRows();
  return { files: done, format: setFormat ?? given ?? 'jsonl' };
}

/** The first non-blank line of `text` once it is complete (or at the end, or past 1 MiB), trimmed at the start. */
function firstLine(text: string, final: boolean): string | undefined {
  const m = /^[ \t\r\n\uFEFF]*([^\r\n]*)(\r|\n)?/.exec(text)!;
  if (m[2] !== undefined || final || text.length > 1 << 20) return m[1]!;
  return undefined;
}

/** Line ends in `text`: `\n`, and `\r` not followed by `\n`. */
function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  if (text.includes('\r')) for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 10) n++;
  return n;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
