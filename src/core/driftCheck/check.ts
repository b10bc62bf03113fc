import { inferPredictionSchema } from '../predictions';
import type { FeatureDriftView, PredictionReportView } from '../../protocol/views';
import { featureColumns } from './columns';
import { compareFeatures, type DriftCheckTest, type DriftCheckThresholds } from './featureDrift';
import type { PredictionRecord, PredictionRecords } from './records';

/** Rows [start, end) of a log, 0-based data rows. */
export interface RowRange {
  readonly start: number;
  readonly end: number;
}

/** Where a drift check takes its reference distribution from. */
export type DriftCheckReference =
  /** The first `rows` rows of the log itself; the current rows are the rest. */
  | { readonly kind: 'rows'; readonly rows: number }
  /** Rows [start, end) of the log itself; the current rows are those after `end`. */
  | ({ readonly kind: 'range' } & RowRange)
  /** Rows read elsewhere (another log), named `label`; the current rows are the whole log. */
  | { readonly kind: 'records'; readonly label: string; readonly rows: readonly PredictionRecord[] };

export interface DriftCheckInput {
  /** The log's path, as the result and its report name it. */
  readonly log: string;
  /** The log's name in the summary (its file name). */
  readonly name: string;
  readonly records: PredictionRecords;
  readonly reference: DriftCheckReference;
  /** Compare only these rows of the log, instead of those the reference leaves. */
  readonly range?: RowRange;
  readonly test: DriftCheckTest;
  readonly thresholds: DriftCheckThresholds;
}

/** A drift check's outcome, ready for the `modelmon.checkDrift` command to return. */
export interface DriftCheckOutcome {
  readonly log: string;
  /** The reference in words: `first 1000 rows`, `rows 0–999`, or the other log's label. */
  readonly reference: string;
  readonly test: DriftCheckTest;
  readonly referenceRows: number;
  readonly currentRows: number;
  /** Every compared feature, drifted first, strongest drift first. */
  readonly features: readonly FeatureDriftView[];
  /** Names of the drifted features, strongest first. */
  readonly drifted: readonly string[];
  readonly summary: string;
  /** The comparison as a report the predictions dashboard can show. */
  readonly report: PredictionReportView;
}

/**
 * The title of a check's own panel: its test, the compared rows and the reference, so two checks
 * side by side cannot be confused with each other or with the live monitor.
 *
 * @example
 * driftCheckTitle(outcome, 'tabular_dev.csv'); // 'Drift check (ks): tabular_dev.csv rows 1000–3999 vs first 1000 rows'
 */
export function driftCheckTitle(outcome: Pick<DriftCheckOutcome, 'test' | 'reference' | 'report'>, name: string): string {
  const scope = outcome.report.driftScope;
  const rows = scope ? ` rows ${scope.start}–${scope.end - 1}` : '';
  return `Drift check (${outcome.test}): ${name}${rows} vs ${outcome.reference}`;
}

const ROW_RANGE = /^\s*(\d+)\s*-\s*(\d+)\s*$/;

/**
 * Why `text` is not a usable `start-end` range (0-based, end exclusive, at least 2 rows) of a log
 * of `rows` rows, naming the log's length; undefined when it is usable.
 *
 * @example
 * rowRangeProblem('0-99999', 5000); // 'The log has 5,000 rows: the end can be at most 5000'
 */
export function rowRangeProblem(text: string, rows: number): string | undefined {
  const m = ROW_RANGE.exec(text);
  const length = rows.toLocaleString('en-US');
  if (!m) return `Two row numbers, start-end (the log has ${length} rows: 0-${rows})`;
  const [start, end] = [Number(m[1]), Number(m[2])];
  if (end > rows) return `The log has ${length} rows: the end can be at most ${rows}`;
  if (end - start < 2) return `At least 2 rows: start-end with end >= start + 2 (the log has ${length} rows)`;
  return undefined;
}

/** The range `text` names when rowRangeProblem finds nothing wrong with it. */
export function parseRowRange(text: string, rows: number): RowRange | undefined {
  const m = ROW_RANGE.exec(text);
  return m && rowRangeProblem(text, rows) === undefined ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
}

/** The decision rule of a check's tests, in words. */
function ruleOf(test: DriftCheckTest, t: DriftCheckThresholds): string {
  switch (test) {
    case 'ks':
      return `KS p < ${t.pValueThreshold} (vectors: Bonferroni over their elements)`;
    case 'psi':
      return `PSI > ${t.psiThreshold}`;
    case 'wasserstein':
      return 'Wasserstein / std > 0.1';
    case 'jensenshannon':
      return 'Jensen-Shannon distance > 0.1';
    case 'auto':
      return "each column's default test: p < 0.05 (KS, chi-squared, Z) up to 1000 reference rows, else Wasserstein / std or Jensen-Shannon > 0.1";
  }
}

/** Rows whose values decide the schema (which columns are features, and of what kind). */
const SCHEMA_SAMPLE_ROWS = 50;
const SUMMARY_FEATURES = 5;

interface RowSplit {
  readonly referenceRows: readonly PredictionRecord[];
  readonly currentRows: readonly PredictionRecord[];
  readonly label: string;
  /** Where the reference ends within the log, when it is taken from the log. */
  readonly referenceEnd?: number;
}

function splitRows(rows: readonly PredictionRecord[], reference: DriftCheckReference, range: RowRange | undefined): RowSplit {
  let split: RowSplit;
  if (reference.kind === 'records') {
    split = { referenceRows: reference.rows, currentRows: rows, label: reference.label };
  } else if (reference.kind === 'range') {
    split = {
      referenceRows: rows.slice(reference.start, reference.end),
      currentRows: rows.slice(reference.end),
      label: `rows ${reference.start}–${reference.end - 1}`,
      referenceEnd: reference.end,
    };
  } else {
    const referenceRows = rows.slice(0, reference.rows);
    split = { referenceRows, currentRows: rows.slice(reference.rows), label: `first ${referenceRows.length} rows`, referenceEnd: reference.rows };
  }
  return range ? { ...split, currentRows: rows.slice(range.start, range.end) } : split;
}

/**
 * Compares a prediction log (or a row range of it) against a reference (its first rows, another
 * row range, or another log's rows) feature by feature with the chosen test. The schema is
 * inferred from the reference's first rows; vector features are compared element by element.
 * Throws when either side has fewer than 2 rows.
 *
 * @example
 * checkDrift({ log: '/logs/dev.csv', name: 'dev.csv', records, reference: { kind: 'rows', rows: 1000 },
 *   test: 'auto', thresholds: { pValueThreshold: 0.01, psiThreshold: 0.2 } }).drifted;
 * // ['mean_radius', 'mean_texture', 'worst_area', ...]
 */
export function checkDrift(input: DriftCheckInput): DriftCheckOutcome {
  const { records, test } = input;
  const total = records.rows.length;
  const { referenceRows, currentRows, label, referenceEnd } = splitRows(records.rows, input.reference, input.range);
  if (referenceRows.length < 2) throw new Error(`the reference (${label}) has fewer than 2 rows; the log has ${total} rows`);
  if (currentRows.length < 2) throw new Error(`there are fewer than 2 rows to compare with the reference; the log has ${total} rows`);
  const current = input.range ? { start: input.range.start, end: Math.min(input.range.end, total) } : { start: input.reference.kind === 'records' ? 0 : (referenceEnd ?? 0), end: total };
  const referenceScope = input.reference.kind === 'records' ? input.reference.label : input.reference.kind === 'range' ? { start: input.reference.start, end: Math.min(input.reference.end, total) } : { start: 0, end: Math.min(input.reference.rows, total) };
  const schema = inferPredictionSchema(referenceRows.slice(0, SCHEMA_SAMPLE_ROWS), records.format);
  const vectors = new Set(schema.features.filter((f) => f.kind === 'vector').map((f) => f.name));
  const features = compareFeatures(featureColumns(referenceRows, schema), featureColumns(currentRows, schema), test, input.thresholds, vectors);
  const drifted = features.filter((f) => f.drifted).map((f) => f.feature);
  const listed = `${drifted.slice(0, SUMMARY_FEATURES).join(', ')}${drifted.length > SUMMARY_FEATURES ? ', …' : ''}`;
  const summary = drifted.length
    ? `${drifted.length} of ${features.length} features of ${input.name} drifted against the ${label}: ${listed} (${test})`
    : `no drift in ${features.length} features of ${input.name} against the ${label} (${test})`;
  const report: PredictionReportView = {
    log: input.log,
    rows: records.rows.length,
    windows: [],
    features,
    alerts: [],
    segments: [],
    suspicious: [],
    ...(referenceEnd !== undefined ? { referenceEnd } : {}),
    driftScope: { start: current.start, end: current.end, reference: referenceScope, rule: ruleOf(test, input.thresholds) },
  };
  return { log: input.log, reference: label, test, referenceRows: referenceRows.length, currentRows: currentRows.length, features, drifted, summary, report };
}
