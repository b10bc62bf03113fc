import * as path from 'node:path';
import { observePredictions } from '../../core/check/predictions';
import { LineSplitter, PredictionLineParser, flattenRecord, inferPredictionSchema, type PredictionSchema } from '../../core/predictions';
import { csvCell, type FlatValue } from '../../core/predictions/schema';
import { chooseDriftTest, runDriftTest, type DriftTestOverride, type DriftTestResult } from '../../core/stats';
import { analyzePredictionLog, readTextChunks } from '../../io/predictions/logFile';
import type { FeatureDriftView, PredictionReportView } from '../../protocol/views';
import type { MonitorSettings } from '../settings';
import type { DriftCheckOptions, DriftCheckResult, PredictionLogState } from './service';

export type LogAnalysis = Omit<PredictionLogState, 'path' | 'label'>;

/** Rows read for a drift check; a bigger log is compared on its first rows only. */
const MAX_ROWS = 200_000;
const MAX_VECTOR_ELEMENTS = 256;
const MAX_PROBLEMS = 200;

/** Analyses a whole prediction log with the predictions engine (streaming, bounded memory). */
export async function analyzeLog(file: string, settings: MonitorSettings, signal: AbortSignal): Promise<LogAnalysis> {
  const report = await analyzePredictionLog(file, { referenceRows: settings.referenceRows, window: settings.window, alertPValue: settings.alertPValue, signal, source: file });
  const { observation, view } = observePredictions({ log: file, report, alertPValue: settings.alertPValue });
  const problems: LogAnalysis['problems'][number][] = report.problems.slice(0, MAX_PROBLEMS).map((p) => ({ line: p.line, message: p.message, severity: 'warning' }));
  for (const a of report.alerts) {
    const seen = problems.some((p) => p.line === a.line && p.message === a.message);
    if (a.kind === 'data_quality' && !seen && problems.length < MAX_PROBLEMS) problems.push({ line: a.line, message: a.message, severity: a.severity });
  }
  const drifted = (observation.driftedFeatures?.length ?? 0) > 0 || report.alerts.some((a) => a.kind === 'data_drift' || a.kind === 'concept_drift');
  return { rows: report.rows, alerts: report.alerts.length, drifted, problems, report: view };
}

interface LogRecords {
  readonly format: 'jsonl' | 'csv';
  readonly rows: Map<string, FlatValue>[];
}

async function readRecords(file: string, signal: AbortSignal): Promise<LogRecords> {
  const rows: Map<string, FlatValue>[] = [];
  let header: string[] | undefined;
  const parser = new PredictionLineParser(
    (raw) => {
      if (rows.length >= MAX_ROWS) return;
      if (raw.kind === 'json') {
        rows.push(flattenRecord(raw.value));
        return;
      }
      header ??= parser.header;
      const row = new Map<string, FlatValue>();
      raw.fields.forEach((text, k) => {
        const name = header?.[k];
        if (name !== undefined) row.set(name, csvCell(text));
      });
      rows.push(row);
    },
    () => undefined,
  );
  const splitter = new LineSplitter((l) => parser.pushLine(l.text, l.line), () => undefined);
  for await (const text of readTextChunks(file, 0, signal)) {
    splitter.push(text);
    if (rows.length >= MAX_ROWS) break;
  }
  splitter.end();
  parser.end();
  return { format: parser.format ?? 'csv', rows };
}

type Column = { readonly kind: 'numeric'; readonly values: number[] } | { readonly kind: 'categorical'; readonly counts: Map<string, number> };

/** The monitored features of `schema` as columns, vectors split into their elements. */
function columnsOf(rows: readonly Map<string, FlatValue>[], schema: PredictionSchema): Map<string, Column> {
  const columns = new Map<string, Column>();
  const numeric = (name: string): number[] => {
    let c = columns.get(name);
    if (!c) columns.set(name, (c = { kind: 'numeric', values: [] }));
    return c.kind === 'numeric' ? c.values : [];
  };
  for (const f of schema.features) {
    if (f.kind === 'categorical') {
      const counts = new Map<string, number>();
      for (const r of rows) {
        const v = r.get(f.name);
        if (v !== null && v !== undefined) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      }
      columns.set(f.name, { kind: 'categorical', counts });
    } else if (f.kind === 'numeric') {
      const values = numeric(f.name);
      for (const r of rows) {
        const v = r.get(f.name);
        if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
      }
    } else {
      for (const r of rows) {
        const v = r.get(f.name);
        if (!Array.isArray(v)) continue;
        v.slice(0, MAX_VECTOR_ELEMENTS).forEach((x, k) => {
          if (typeof x === 'number' && Number.isFinite(x)) numeric(`${f.name}[${k}]`).push(x);
        });
      }
    }
  }
  return columns;
}

/** How strongly a result says "drift", comparable across tests: > 1 means past the threshold. */
function strength(r: DriftTestResult): number {
  if (r.pValue !== undefined) return Math.log10(Math.max(r.pValue, 1e-300)) / Math.log10(r.threshold);
  return r.threshold > 0 ? r.statistic / r.threshold : r.statistic;
}

/**
 * Compares a log (or a row range of it) against a reference (its first rows, another row range,
 * or another file) feature by feature with the chosen test; drifted features come first,
 * strongest first.
 */
export async function compareDrift(options: DriftCheckOptions, settings: MonitorSettings, signal: AbortSignal): Promise<DriftCheckResult> {
  const log = await readRecords(options.log, signal);
  const reference = options.reference ?? { kind: 'rows', rows: settings.referenceRows };
  let referenceRows: Map<string, FlatValue>[];
  let currentRows: Map<string, FlatValue>[];
  let referenceLabel: string;
  let referenceEnd: number | undefined;
  if (reference.kind === 'file') {
    referenceRows = (await readRecords(reference.path, signal)).rows;
    currentRows = log.rows;
    referenceLabel = path.basename(reference.path);
  } else if (reference.kind === 'range') {
    referenceRows = log.rows.slice(reference.start, reference.end);
    currentRows = log.rows.slice(reference.end);
    referenceLabel = `rows ${reference.start}–${reference.end - 1}`;
    referenceEnd = reference.end;
  } else {
    referenceRows = log.rows.slice(0, reference.rows);
    currentRows = log.rows.slice(reference.rows);
    referenceLabel = `first ${referenceRows.length} rows`;
    referenceEnd = reference.rows;
  }
  if (options.range) currentRows = log.rows.slice(options.range.start, options.range.end);
  if (referenceRows.length < 2) throw new Error(`the reference (${referenceLabel}) has fewer than 2 rows`);
  if (currentRows.length < 2) throw new Error('there are fewer than 2 rows to compare with the reference');
  const schema = inferPredictionSchema(referenceRows.slice(0, 50), log.format);
  const refColumns = columnsOf(referenceRows, schema);
  const curColumns = columnsOf(currentRows, schema);
  const test = options.test ?? settings.driftTest;
  const results: { feature: string; kind: 'numeric' | 'categorical'; result: DriftTestResult }[] = [];
  for (const [feature, ref] of refColumns) {
    const cur = curColumns.get(feature);
    if (!cur || cur.kind !== ref.kind) continue;
    const size = ref.kind === 'numeric' ? ref.values.length : [...ref.counts.values()].reduce((a, b) => a + b, 0);
    const curSize = cur.kind === 'numeric' ? cur.values.length : [...cur.counts.values()].reduce((a, b) => a + b, 0);
    if (size < 2 || curSize < 2) continue;
    const unique = ref.kind === 'numeric' ? new Set(ref.values).size : ref.counts.size;
    const profile = { kind: ref.kind, referenceSize: size, uniqueValues: unique } as const;
    const override = overrideFor(test, ref.kind === 'categorical' || unique <= 5, settings);
    const choice = chooseDriftTest(profile, override);
    const result = ref.kind === 'numeric' && cur.kind === 'numeric' ? runDriftTest(choice, ref.values, cur.values) : runDriftTest(choice, asCounts(ref), asCounts(cur));
    results.push({ feature, kind: ref.kind, result });
  }
  results.sort((a, b) => Number(b.result.drifted) - Number(a.result.drifted) || strength(b.result) - strength(a.result) || a.feature.localeCompare(b.feature));
  const features: FeatureDriftView[] = results.map(({ feature, kind, result }) => ({
    feature,
    kind,
    statistic: result.test,
    value: result.statistic,
    test: result.test,
    pValue: result.pValue ?? null,
    drifted: result.drifted,
  }));
  const drifted = features.filter((f) => f.drifted).map((f) => f.feature);
  const name = path.basename(options.log);
  const summary = drifted.length
    ? `${drifted.length} of ${features.length} features of ${name} drifted against the ${referenceLabel}: ${drifted.slice(0, 5).join(', ')}${drifted.length > 5 ? ', …' : ''} (${test})`
    : `no drift in ${features.length} features of ${name} against the ${referenceLabel} (${test})`;
  const report: PredictionReportView = {
    log: options.log,
    rows: log.rows.length,
    windows: [],
    features,
    alerts: [],
    segments: [],
    suspicious: [],
    ...(referenceEnd !== undefined ? { referenceEnd } : {}),
  };
  return { log: options.log, reference: referenceLabel, test, referenceRows: referenceRows.length, currentRows: currentRows.length, features, drifted, summary, report };
}

function asCounts(c: Column): Map<string, number> {
  if (c.kind === 'categorical') return c.counts;
  const m = new Map<string, number>();
  for (const v of c.values) m.set(String(v), (m.get(String(v)) ?? 0) + 1);
  return m;
}

/** The user's test for a column, where it applies; KS and Wasserstein need numbers, so categories keep the default. */
function overrideFor(test: MonitorSettings['driftTest'], categorical: boolean, settings: MonitorSettings): DriftTestOverride | undefined {
  switch (test) {
    case 'auto':
      return undefined;
    case 'ks':
      return categorical ? undefined : { test: 'ks', threshold: settings.pValueThreshold };
    case 'wasserstein':
      return categorical ? undefined : 'wasserstein';
    case 'psi':
      return { test: 'psi', threshold: settings.psiThreshold };
    case 'jensenshannon':
      return 'jensenshannon';
  }
}
