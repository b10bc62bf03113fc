import { dirname, relative } from 'node:path';
import { PredictionLineParser, PredictionMonitor, labelPairReader, type PredictionMonitorOptions, type PredictionReport } from '../../core/predictions';
import { DEFAULT_REFERENCE_ROWS } from '../../core/predictions/monitor';
import { feedReferenceFile, PredictionLogError, type AnalyzeOptions } from './logFile';
import { readPredictionInput, type InputFile, type InputFormat, type InputSummary } from './input';
import { resolveLogSet, LogSetError } from './logSet';

/** Options of a one-shot analysis of a log set (a file, a directory or a glob). */
export interface AnalyzeSetOptions extends Omit<AnalyzeOptions, 'format'> {
  /** How the files are read (default `auto`). */
  readonly format?: InputFormat;
  /** Late labels: a file, directory or glob in any readable format, joined by `schema.joinKey` (default the id). */
  readonly labels?: string;
  /** Folder that relative paths are resolved against (default the current directory). */
  readonly cwd?: string;
}

/** A report with the files it was read from. */
export interface SetReport extends PredictionReport {
  readonly input: InputSummary;
}

/** At most this many label problems are listed (the count is in the note). */
const MAX_LABEL_PROBLEMS = 20;

/**
 * Reads late labels from any log set: JSON Lines, CSV, Parquet, compressed or rotated, and
 * SageMaker ground-truth records (`groundTruthData.data` by `eventMetadata.eventId`).
 */
export async function readLabelSet(spec: string, cwd: string, joinKey: string, labelColumn: string, signal?: AbortSignal): Promise<{ labels: Map<string, string>; problems: string[] }> {
  const files = await resolveLogSet(spec, cwd).catch((e: unknown) => {
    throw e instanceof LogSetError ? new PredictionLogError(`labels ${e.message}`) : e;
  });
  const labels = new Map<string, string>();
  const problems: string[] = [];
  let problemCount = 0;
  const pairOf = labelPairReader(joinKey, labelColumn);
  const note = (m: string) => {
    if (++problemCount <= MAX_LABEL_PROBLEMS) problems.push(m);
  };
  const fromRecord = (value: Record<string, unknown>, line: number) => {
    const truth = value.groundTruthData as { data?: unknown } | undefined;
    const meta = value.eventMetadata as { eventId?: unknown } | undefined;
    if (truth && typeof truth === 'object' && meta && typeof meta === 'object' && truth.data !== undefined && meta.eventId !== undefined) {
      labels.set(String(meta.eventId), String(truth.data).trim());
      return;
    }
    const pair = pairOf({ kind: 'json', value }, undefined);
    if (pair) labels.set(pair.key, pair.label);
    else note(`labels line ${line}: needs both '${joinKey}' and '${labelColumn}'`);
  };
  // One parser a file: a labels directory may hold CSV files beside JSON Lines.
  const newParser = (): PredictionLineParser =>
    new PredictionLineParser(
      (raw, line) => {
        if (raw.kind === 'json') return fromRecord(raw.value, line);
        const pair = pairOf(raw, parser.header);
        if (pair) labels.set(pair.key, pair.label);
        else note(`labels line ${line}: needs both '${joinKey}' and '${labelColumn}'`);
      },
      (p) => note(`labels ${p.message}`),
    );
  let parser = newParser();
  // Labels are plain rows: envelopes are only recognised in prediction logs.
  await readPredictionInput(
    files,
    'auto',
    {
      lines: (lines) => lines.forEach((l) => parser.pushLine(l.text, l.line)),
      records: (batch) => batch.forEach((r) => fromRecord(r.record, r.line)),
      problem: (_line, message) => note(`labels ${message}`),
      fileStart: () => {
        parser.end();
        parser = newParser();
      },
    },
    signal,
  );
  parser.end();
  if (problemCount > MAX_LABEL_PROBLEMS) problems.push(`... and ${problemCount - MAX_LABEL_PROBLEMS} more label problem(s)`);
  return { labels, problems };
}

function toEpoch(v: string | number, what: string): number {
  const ms = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(ms)) throw new PredictionLogError(`${what} '${v}' is not a timestamp`);
  return ms;
}

function referenceOf(options: Omit<AnalyzeOptions, 'format'>): PredictionMonitorOptions['reference'] {
  if (options.referenceFile) return { kind: 'external', ...(options.referenceRows !== undefined ? { rows: options.referenceRows } : {}) };
  const range = options.referenceRange;
  if (range) return { kind: 'range', end: toEpoch(range.end, 'reference end'), ...(range.start !== undefined ? { start: toEpoch(range.start, 'reference start') } : {}) };
  return { kind: 'rows', rows: options.referenceRows ?? DEFAULT_REFERENCE_ROWS };
}

/** `line N:` at the start of a message becomes `FILE line n:` when the set has several files. */
export function nameFileOfLine(message: string, files: readonly InputFile[], cwd: string): string {
  return message.replace(/^((?:reference )?)line (\d+):/, (whole, pre: string, n: string) => {
    const line = Number(n);
    const f = files.find((x) => line >= x.first && line <= x.last) ?? files.find((x) => line <= x.last + 1);
    return f ? `${pre}${relative(cwd, f.path) || f.path} line ${line - f.offset}:` : whole;
  });
}

/**
 * Reads a prediction log given as a file, directory or glob, in any format of `readPredictionInput`,
 * start to end, and returns the monitor's report with the files it read. A set of several files is
 * numbered as if its files were one (alerts' `line`); problems name the file and its own line.
 *
 * @example
 * const r = await analyzePredictionSet('logs/predictions.log*', { format: 'auto', labels: 'labels/' });
 */
export async function analyzePredictionSet(spec: string, options: AnalyzeSetOptions = {}): Promise<SetReport> {
  const cwd = options.cwd ?? process.cwd();
  const files = await resolveLogSet(spec, cwd).catch((e: unknown) => {
    throw e instanceof LogSetError ? new PredictionLogError(`prediction log ${e.message}`) : e;
  });
  const notes: string[] = [];
  let schema = options.schema;
  let labels: Map<string, string> | undefined;
  // --labels is relative to the current folder; the schema's labelsFile to the log, as it always was.
  const labelSpec = options.labels ?? schema?.labelsFile;
  if (labelSpec) {
    const joinKey = schema?.joinKey ?? schema?.id ?? 'id';
    const read = await readLabelSet(labelSpec, options.labels ? cwd : dirname(files[0]!), joinKey, schema?.label ?? 'label', options.signal);
    labels = read.labels;
    notes.push(...read.problems);
    schema = { ...schema, ...(schema?.id || !schema?.joinKey ? {} : { id: joinKey }) };
    if (schema.labelsFile) {
      const { labelsFile: _l, ...rest } = schema;
      schema = rest;
    }
  }
  const format = options.format ?? 'auto';
  const { referenceFile, referenceRows: _n, referenceRange: _g, signal, format: _f, labels: _b, cwd: _c, ...rest } = options;
  const monitor = new PredictionMonitor({
    ...rest,
    ...(schema ? { schema } : {}),
    ...(format === 'jsonl' || format === 'csv' ? { format } : {}),
    reference: referenceOf(options),
    ...(labels ? { labels } : {}),
    source: options.source ?? files[0]!,
  });
  if (referenceFile) await feedReferenceFile(monitor, referenceFile, signal);
  const input = await readPredictionInput(
    files,
    format,
    {
      lines: (lines) => monitor.batch(() => lines.forEach((l) => monitor.pushLine(l.text, l.line))),
      text: (chunk) => monitor.pushText(chunk),
      records: (batch) => monitor.batch(() => batch.forEach((r) => monitor.push(r.record, r.line))),
      problem: (line, message) => monitor.reportProblem(line, message),
    },
    signal,
  );
  monitor.end();
  const report = monitor.snapshot();
  const several = input.files.length > 1;
  return {
    ...report,
    problems: several ? report.problems.map((p) => ({ ...p, message: nameFileOfLine(p.message, input.files, cwd) })) : report.problems,
    notes: [...report.notes, ...notes, ...(several ? [`read ${input.files.length} files in this order: ${input.files.map((f) => relative(cwd, f.path) || f.path).join(', ')}`] : [])],
    input,
  };
}
