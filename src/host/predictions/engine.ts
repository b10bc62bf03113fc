import * as path from 'node:path';
import { observePredictions } from '../../core/check/predictions';
import { checkDrift, type DriftCheckReference } from '../../core/driftCheck';
import { readPredictionRecords } from '../../io/driftCheck';
import { analyzePredictionSet } from '../../io/predictions/analyzeSet';
import type { MonitorSettings } from '../settings';
import type { DriftCheckOptions, DriftCheckResult, PredictionLogState } from './service';

export type LogAnalysis = Omit<PredictionLogState, 'path' | 'label'>;

const MAX_PROBLEMS = 200;

/** Analyses a whole prediction log with the predictions engine (streaming, bounded memory). */
export async function analyzeLog(file: string, settings: MonitorSettings, signal: AbortSignal): Promise<LogAnalysis> {
  // Any format a log is kept in (Parquet, gzip, zstd, envelopes), told from its bytes and first line.
  const report = await analyzePredictionSet(file, { referenceRows: settings.referenceRows, window: settings.window, alertPValue: settings.alertPValue, multipleTesting: settings.multipleTesting, signal, source: file });
  const { observation, view } = observePredictions({ log: file, report, alertPValue: settings.alertPValue, multipleTesting: settings.multipleTesting });
  const problems: LogAnalysis['problems'][number][] = report.problems.slice(0, MAX_PROBLEMS).map((p) => ({ line: p.line, message: p.message, severity: 'warning' }));
  for (const a of report.alerts) {
    const seen = problems.some((p) => p.line === a.line && p.message === a.message);
    if (a.kind === 'data_quality' && !seen && problems.length < MAX_PROBLEMS) problems.push({ line: a.line, message: a.message, severity: a.severity });
  }
  // The tree and the alert center say "drift" on the latest verdicts, or while a multivariate or concept drift is open.
  const drifted = (observation.driftedFeatures?.length ?? 0) > 0 || report.episodes.some((e) => e.end === null && (e.kind === 'data_drift' || e.kind === 'multivariate_drift' || e.kind === 'attribution_drift' || e.kind === 'concept_drift'));
  return { rows: report.rows, alerts: report.alerts.length, drifted, problems, report: view };
}

/**
 * Compares a log (or a row range of it) against a reference (its first rows, another row range,
 * or another file) feature by feature with the chosen test; drifted features come first,
 * strongest first.
 */
export async function compareDrift(options: DriftCheckOptions, settings: MonitorSettings, signal: AbortSignal): Promise<DriftCheckResult> {
  const records = await readPredictionRecords(options.log, signal);
  const asked = options.reference ?? { kind: 'rows', rows: settings.referenceRows };
  const reference: DriftCheckReference =
    asked.kind === 'file' ? { kind: 'records', label: path.basename(asked.path), rows: (await readPredictionRecords(asked.path, signal)).rows } : asked;
  return checkDrift({
    log: options.log,
    name: path.basename(options.log),
    records,
    reference,
    ...(options.range ? { range: options.range } : {}),
    test: options.test ?? settings.driftTest,
    thresholds: settings,
  });
}
