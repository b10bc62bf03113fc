import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { validateSchemaOverride, type PredictionReport, type PredictionSchemaOverride } from '../../core/predictions';
import { type AnalyzeOptions } from '../../io/predictions';
import { analyzePredictionSet } from '../../io/predictions/analyzeSet';
import { LOG_FORMATS, type LogFormat } from '../../io/predictions/input';
import { printable, terminalJson } from '../../core/terminalText';
import { asUsage, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, type CliCommand, type CliIO } from '../io';
import { describeEstimate } from '../../core/estimation/estimator';

const USAGE = `usage: modelmon predictions FILE|DIR|GLOB [--format FORMAT] [--labels FILE|DIR|GLOB] [--reference FILE | --reference-rows N] [--window N] [--json]

Monitors a prediction log (JSON Lines, CSV, Parquet, or captured payloads; plain, gzip or zstd;
one file, or a directory or glob of rotated files read oldest first): data drift per
feature, prediction drift and prior shift, performance where labels exist (estimated from
calibrated confidence where they do not), concept drift on the error stream, data quality,
suspicious inputs, per-segment metrics, multivariate drift and, where rows carry feature
attributions (shap_<feature> columns or a shap object), which features the model leans on;
each window against a reference.

  --reference FILE      reference rows from another log with the same columns
  --reference-rows N    reference = the first N rows (default 1000; with --reference, of FILE)
  --reference-range A..B  reference = rows with timestamps in [A, B) (ISO 8601 or epoch ms; A optional)
  --window N            rows per window (default 200)
  --step N              rows between drift evaluations of the sliding window (default window/8)
  --format FORMAT       auto (default: Parquet and compression by their first bytes, envelopes
                        by their fields), jsonl, csv, parquet, sagemaker-capture, kserve-cloudevents
  --labels FILE|DIR     late labels in any of those formats (or SageMaker ground truth) joined by id
  --schema JSON|FILE    column roles, e.g. '{"label":"y","segment":["region"]}'
                        (keys: timestamp, id, features, categorical, prediction, score,
                        probabilities, label, segment, labelsFile, joinKey, attributions:
                        per-row SHAP-style columns such as "shap_<feature>")
  --json                one JSON document instead of the summary
  --fail-on-alert       exit 1 when any drift, performance or prior-shift alert was raised

Row indices are 0-based over data rows (a CSV header is not a row); line numbers are 1-based.`;

function positiveInt(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min} (got '${text}')`);
  return n;
}

function readSchema(io: CliIO, text: string | undefined): PredictionSchemaOverride | undefined {
  if (text === undefined) return undefined;
  let json = text;
  let where = '--schema';
  if (!text.trimStart().startsWith('{')) {
    try {
      json = readFileSync(resolve(io.cwd, text), 'utf8');
      where = text;
    } catch {
      throw new UsageError(`--schema: '${text}' is neither a JSON object nor a readable file`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new UsageError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  const problems = validateSchemaOverride(value);
  if (problems.length) throw new UsageError(`${where}: ${problems.join('; ')}`);
  return value as PredictionSchemaOverride;
}

function referenceRange(text: string | undefined): { start?: number; end: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(.*)\.\.(.+)$/.exec(text);
  const when = (t: string) => (/^\d+$/.test(t) ? Number(t) : Date.parse(t));
  const start = m && m[1] ? when(m[1]) : undefined;
  const end = m ? when(m[2]!) : NaN;
  if (!m || !Number.isFinite(end) || (start !== undefined && !Number.isFinite(start))) {
    throw new UsageError(`--reference-range must look like START..END or ..END with ISO 8601 times or epoch milliseconds (got '${text}')`);
  }
  return start !== undefined ? { start, end } : { end };
}

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : `${(100 * x).toFixed(1)}%`);

/** The human-readable summary of a report. */
function formatPredictionSummary(log: string, r: PredictionReport, how = ''): string {
  const out: string[] = [];
  const s = r.schema;
  const windowRows = r.windows[0]?.rows;
  out.push(`${log}${how}: ${r.rows} rows${s ? ` (${s.format})` : ''}; reference ${r.reference.complete ? `rows ${r.reference.start}-${r.reference.end - 1}` : 'incomplete'} (${r.reference.source})${r.windows.length ? `; ${r.windows.length + r.windowsDropped} windows of ${windowRows} rows` : ''}`);
  if (s) {
    const roles = [
      s.timestamp && `timestamp ${s.timestamp}`,
      s.id && `id ${s.id}`,
      s.predictions.length && `prediction ${s.predictions.join(', ')}`,
      s.score && `score ${s.score}`,
      s.probabilities && `probabilities ${s.probabilities}`,
      s.label && `label ${s.label}`,
      s.segments.length && `segments ${s.segments.join(', ')}`,
    ].filter(Boolean);
    const kinds = ['numeric', 'categorical', 'vector'].map((k) => `${s.features.filter((f) => f.kind === k).length} ${k}`);
    const attributions = s.attributions?.length ? `; attributions of ${s.attributions.length} features (${s.attributions[0]!.column}, ...)` : '';
    out.push(`schema: ${roles.join(', ')}; ${s.features.length} features (${kinds.join(', ')})${attributions}; task ${s.task}`);
  }
  const last = r.windows[r.windows.length - 1];
  if (last) {
    const perf = last.performance;
    const parts = [`rows ${last.start}-${last.end - 1}`];
    if (perf && 'accuracy' in perf) parts.push(`accuracy ${pct(perf.accuracy)} (${perf.labelled} labelled), macro F1 ${perf.macroF1.toFixed(3)}`);
    if (perf && 'mae' in perf) parts.push(`MAE ${perf.mae.toPrecision(4)}, RMSE ${perf.rmse.toPrecision(4)}`);
    if (last.meanConfidence !== undefined) parts.push(`confidence ${last.meanConfidence.toFixed(3)}`);
    if (last.estimatedAccuracy !== undefined) parts.push(`estimated accuracy ${pct(last.estimatedAccuracy)}`);
    out.push(`reference accuracy ${r.reference.accuracy === null ? '-' : pct(r.reference.accuracy)}; latest window: ${parts.join(', ')}`);
    if (last.estimatedPerformance) out.push(`estimated without labels, latest window: ${describeEstimate(last.estimatedPerformance)}`);
    if (last.attribution) {
      const top = last.attribution.features.filter((f, i) => i < 5 || f.moved);
      out.push(`leaned on most, latest window (mean |attribution|, rank from the reference's): ${top.map((f) => `${f.feature} ${f.referenceRank} -> ${f.rank}${f.moved ? ' (moved)' : ''}`).join(', ')}`);
    }
  }
  out.push('');
  out.push(r.alerts.length ? `alerts (${r.alerts.length}):` : 'alerts: none');
  for (const a of r.alerts.slice(0, 50)) out.push(`  row ${String(a.index).padEnd(7)} ${a.kind.padEnd(13)} ${a.message}`);
  const explained = r.episodes.filter((e) => e.end === null && e.explanation);
  for (const e of explained.slice(0, 5)) out.push(`  ${e.kind} since row ${e.start}: the window separates from the reference with AUC ${e.explanation!.auc.toFixed(2)}, by ${e.explanation!.features.slice(0, 5).map((f) => f.feature).join(', ')}`);
  if (r.alerts.length > 50) out.push(`  ... and ${r.alerts.length - 50} more (--json lists them all)`);
  const drifted = r.driftRanking.filter((d) => d.alertPValue < 0.05).slice(0, 10);
  if (drifted.length) out.push('', `drifting now: ${drifted.map((d) => `${d.feature} (${d.shift >= 0 ? '+' : ''}${d.shift} sd)`).join(', ')}`);
  const patterns = r.episodes.filter((e) => e.kind === 'data_drift' || e.kind === 'multivariate_drift' || e.kind === 'attribution_drift' || e.kind === 'concept_drift' || e.kind === 'prior_shift');
  if (patterns.length) out.push(`drift episodes: ${patterns.map((e) => `${e.kind} rows ${e.start}-${e.end ?? 'now'} (${e.pattern})`).join('; ')}`);
  if (r.segmentGap) {
    const g = r.segmentGap;
    out.push(`largest segment gap: ${g.column} ${g.metric} ${g.best.value} ${g.best.score} vs ${g.worst.value} ${g.worst.score} (gap ${g.gap})`);
  }
  if (r.suspiciousTotal) {
    const shown = r.suspicious.slice(0, 20).join(', ');
    out.push(`suspicious inputs: ${r.suspiciousTotal} (score > ${r.anomalyThreshold}); rows ${shown}${r.suspiciousTotal > 20 ? ', ...' : ''}`);
  }
  const q = r.quality;
  const qparts = [
    q.unparseableLines && `${q.unparseableLines} unreadable line(s)`,
    q.duplicateIds && `${q.duplicateIds} duplicate id(s)`,
    Object.keys(q.typeChanges).length && `type changes in ${Object.keys(q.typeChanges).join(', ')}`,
    Object.keys(q.nonFinite).length && `infinite values in ${Object.entries(q.nonFinite).map(([c, n]) => `${c} (${n})`).join(', ')}`,
    Object.keys(q.newCategories).length && `new categories in ${Object.keys(q.newCategories).join(', ')}`,
    q.appearedColumns.length && `columns appeared: ${q.appearedColumns.join(', ')}`,
    q.disappearedColumns.length && `columns disappeared: ${q.disappearedColumns.join(', ')}`,
  ].filter(Boolean);
  if (qparts.length) out.push(`data quality: ${qparts.join('; ')}`);
  for (const p of r.problems.slice(0, 10)) out.push(`  ${log}: ${p.message}`);
  if (r.problemsTotal > 10) out.push(`  ... and ${r.problemsTotal - 10} more`);
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}

export const predictionsCommand: CliCommand = {
  name: 'predictions',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: {
          reference: { type: 'string' },
          'reference-rows': { type: 'string' },
          'reference-range': { type: 'string' },
          window: { type: 'string' },
          step: { type: 'string' },
          labels: { type: 'string' },
          format: { type: 'string' },
          schema: { type: 'string' },
          json: { type: 'boolean' },
          'fail-on-alert': { type: 'boolean' },
        },
      }),
    );
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one log file, got ${positionals.length}` : 'no prediction log given');
    const log = positionals[0]!;
    const referenceRows = positiveInt('reference-rows', values['reference-rows'], 20);
    const window = positiveInt('window', values.window, 20);
    const step = positiveInt('step', values.step, 1);
    const range = referenceRange(values['reference-range']);
    if (range && (values.reference || referenceRows !== undefined)) throw new UsageError('--reference-range cannot be combined with --reference or --reference-rows');
    const schema = readSchema(io, values.schema);
    const format = values.format ?? 'auto';
    if (!(LOG_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${LOG_FORMATS.join(', ')} (got '${format}')`);
    const options: AnalyzeOptions = {
      ...(schema ? { schema } : {}),
      ...(values.reference ? { referenceFile: resolve(io.cwd, values.reference) } : {}),
      ...(referenceRows !== undefined ? { referenceRows } : {}),
      ...(range ? { referenceRange: range } : {}),
      ...(window !== undefined ? { window } : {}),
      ...(step !== undefined ? { step } : {}),
      signal: io.signal,
    };
    const report = await analyzePredictionSet(log, { ...options, format: format as LogFormat, cwd: io.cwd, ...(values.labels ? { labels: values.labels } : {}) });
    // Column names, categories and unreadable lines come from the log: no escape sequence of theirs reaches the terminal.
    if (values.json) {
      const { rows, schema: s, windows, alerts, suspicious, input, ...rest } = report;
      // Where the rows came from is shown only when it is more than one plain text file.
      const plain = input.files.length === 1 && input.files[0]!.container === 'plain' && (input.format === 'jsonl' || input.format === 'csv');
      const files = input.files.map((f) => ({ path: relative(io.cwd, f.path) || f.path, container: f.container, first: f.first, last: f.last }));
      io.out(terminalJson(JSON.stringify({ rows, schema: s, windows, alerts, suspicious, ...rest, ...(plain ? {} : { input: { format: input.format, files } }) })) + '\n');
    } else {
      const { input } = report;
      const containers = [...new Set(input.files.map((f) => f.container).filter((c) => c !== 'plain' && c !== 'parquet'))];
      const plain = input.files.length === 1 && !containers.length && (input.format === 'jsonl' || input.format === 'csv');
      // The summary's first line names the format as read, and how many files, when it is not one plain file.
      const how = plain ? '' : ` [${input.format}${containers.length ? `, ${containers.join(' and ')}` : ''}${input.files.length > 1 ? `, ${input.files.length} files` : ''}]`;
      io.out(printable(formatPredictionSummary(log, report, how)));
    }
    if (report.rows === 0 && report.problemsTotal > 0) {
      // Lines were there but none was a row: unusable input, never an empty result that looks fine.
      io.err(printable(`modelmon predictions: ${log}: no row could be read (${report.problemsTotal} unreadable line(s); first ${report.problems[0]!.message})\n`));
      return EXIT_USAGE;
    }
    const serious = report.alerts.some((a) => a.kind !== 'data_quality' && a.kind !== 'anomaly');
    return values['fail-on-alert'] && serious ? EXIT_FINDINGS : EXIT_OK;
  },
};
