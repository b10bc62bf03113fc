import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  LineSplitter,
  PredictionLineParser,
  PredictionMonitor,
  labelPairReader,
  type PredictionMonitorOptions,
  type PredictionReport,
  type PredictionSchemaOverride,
} from '../../core/predictions';
import { LogTextDecoder } from './logText';

/** Options of a one-shot analysis; paths are relative to the current directory. */
export interface AnalyzeOptions extends Omit<PredictionMonitorOptions, 'reference' | 'labels'> {
  /** A separate reference log (same columns as the monitored log). */
  readonly referenceFile?: string;
  /** Leading rows of the log (or of `referenceFile`) that form the reference (default 1000). */
  readonly referenceRows?: number;
  /** Reference = rows whose timestamp lies in [start, end) (ISO text or epoch ms). */
  readonly referenceRange?: { readonly start?: string | number; readonly end: string | number };
  readonly signal?: AbortSignal;
}

/** Thrown for a file that cannot be read at all; the message names the file. */
export class PredictionLogError extends Error {
  override readonly name = 'PredictionLogError';
}

/**
 * Reads a file as text in chunks: UTF-8 decoded across chunk boundaries, a byte-order mark
 * dropped, UTF-16 (LE or BE) decoded (see LogTextDecoder). `start` > 0 reads on as UTF-8.
 */
export async function* readTextChunks(path: string, start = 0, signal?: AbortSignal): AsyncGenerator<string> {
  // Past the file's start there is no mark to look for.
  const decoder = new LogTextDecoder(start > 0 ? 'utf8' : undefined);
  const stream = createReadStream(path, { start, highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
  for await (const chunk of stream) yield* decoder.write(chunk as Buffer);
  yield* decoder.end();
}

async function requireFile(path: string, what: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new PredictionLogError(`${what} '${path}' is not a file`);
  } catch (e) {
    if (e instanceof PredictionLogError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new PredictionLogError(`${what} '${path}' cannot be read${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
  }
}

/**
 * Reads a labels file (JSON Lines or CSV) into a map from join key to label. Lines that cannot be
 * read are returned as messages naming the file and line.
 */
export async function readLabelsFile(path: string, joinKey: string, labelColumn: string, signal?: AbortSignal): Promise<{ labels: Map<string, string>; problems: string[] }> {
  await requireFile(path, 'labels file');
  const labels = new Map<string, string>();
  const problems: string[] = [];
  const pairOf = labelPairReader(joinKey, labelColumn);
  const parser = new PredictionLineParser(
    (raw, line) => {
      const pair = pairOf(raw, parser.header);
      if (!pair) {
        if (problems.length < 50) problems.push(`${path}:${line}: needs both '${joinKey}' and '${labelColumn}'`);
        return;
      }
      labels.set(pair.key, pair.label);
    },
    (p) => {
      if (problems.length < 50) problems.push(`${path}: ${p.message}`);
    },
  );
  const splitter = new LineSplitter((l) => parser.pushLine(l.text, l.line), (p) => problems.length < 50 && problems.push(`${path}: ${p.message}`));
  for await (const text of readTextChunks(path, 0, signal)) splitter.push(text);
  splitter.end();
  parser.end();
  return { labels, problems };
}

function toEpoch(v: string | number, what: string): number {
  const ms = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(ms)) throw new PredictionLogError(`${what} '${v}' is not a timestamp`);
  return ms;
}

/** Where a log's late labels come from (schema.labelsFile, relative to the log). */
export function labelsSource(logPath: string, schema: PredictionSchemaOverride | undefined): { path: string; joinKey: string; label: string } | undefined {
  if (!schema?.labelsFile) return undefined;
  return { path: resolve(dirname(logPath), schema.labelsFile), joinKey: schema.joinKey ?? schema.id ?? 'id', label: schema.label ?? 'label' };
}

/**
 * Builds the monitor for a log: reference choice, late labels (schema.labelsFile, relative to the
 * log). With `readLabels: false` the labels file is left to the caller (a watcher tails it).
 */
export async function createPredictionMonitor(logPath: string, options: AnalyzeOptions = {}, readLabels = true): Promise<{ monitor: PredictionMonitor; notes: string[] }> {
  const notes: string[] = [];
  let schema: PredictionSchemaOverride | undefined = options.schema;
  let labels: Map<string, string> | undefined;
  const source = labelsSource(logPath, schema);
  if (schema && source) {
    if (!schema.id) schema = { ...schema, id: source.joinKey };
    if (readLabels) {
      const read = await readLabelsFile(source.path, source.joinKey, source.label, options.signal);
      labels = read.labels;
      notes.push(...read.problems);
    } else labels = new Map();
  }
  const reference: PredictionMonitorOptions['reference'] = options.referenceFile
    ? { kind: 'external', ...(options.referenceRows !== undefined ? { rows: options.referenceRows } : {}) }
    : options.referenceRange
      ? {
          kind: 'range',
          end: toEpoch(options.referenceRange.end, 'reference end'),
          ...(options.referenceRange.start !== undefined ? { start: toEpoch(options.referenceRange.start, 'reference start') } : {}),
        }
      : { kind: 'rows', rows: options.referenceRows ?? 1000 };
  const { referenceFile: _r, referenceRows: _n, referenceRange: _g, signal: _s, ...rest } = options;
  const monitor = new PredictionMonitor({ ...rest, ...(schema ? { schema } : {}), reference, ...(labels ? { labels } : {}), source: options.source ?? logPath });
  return { monitor, notes };
}

/** Feeds a reference file into a monitor created with an external reference, stopping once it is full. */
export async function feedReferenceFile(monitor: PredictionMonitor, path: string, signal?: AbortSignal): Promise<void> {
  await requireFile(path, 'reference file');
  for await (const text of readTextChunks(path, 0, signal)) {
    monitor.pushReferenceText(text);
    if (monitor.referenceFull) break;
  }
  monitor.endReference();
}

/**
 * Reads a prediction log once, start to end, streaming (memory stays flat however large the
 * file), and returns the monitor's report.
 *
 * @example
 * const report = await analyzePredictionLog('logs/predictions.jsonl', { window: 200 });
 * for (const a of report.alerts) console.log(a.kind, a.line, a.message);
 */
export async function analyzePredictionLog(path: string, options: AnalyzeOptions = {}): Promise<PredictionReport> {
  await requireFile(path, 'prediction log');
  const { monitor, notes } = await createPredictionMonitor(path, options);
  if (options.referenceFile) await feedReferenceFile(monitor, options.referenceFile, options.signal);
  for await (const text of readTextChunks(path, 0, options.signal)) monitor.pushText(text);
  monitor.end();
  const report = monitor.snapshot();
  return notes.length ? { ...report, notes: [...report.notes, ...notes] } : report;
}
