import * as vscode from 'vscode';
import type { DriftCheckTest } from '../core/driftCheck';
import type { MultipleTesting } from '../core/predictions/multipleTesting';

/** The driftTest choices the drift check understands. */
export type DriftTestName = DriftCheckTest;
export const DRIFT_TESTS: readonly DriftTestName[] = ['auto', 'ks', 'psi', 'wasserstein', 'jensenshannon'];

/** Every `modelmon.*` setting the host reads, typed and defaulted in one place. */
export interface MonitorSettings {
  readonly logDirs: readonly string[];
  readonly eventFileGlob: string;
  readonly exclude: string;
  readonly maxEventFiles: number;
  readonly pollIntervalMs: number;
  readonly verifyDataCrc: boolean;
  /** Threads for a first read of a large log directory, at most (one a core); 1 = this thread only. */
  readonly readThreads: number;
  readonly findingsEnabled: boolean;
  readonly predictionLogGlobs: readonly string[];
  readonly maxPredictionLogs: number;
  readonly referenceRows: number;
  readonly window: number;
  readonly driftTest: DriftTestName;
  readonly psiThreshold: number;
  readonly pValueThreshold: number;
  readonly alertPValue: number;
  readonly multipleTesting: MultipleTesting;
  readonly followPredictions: boolean;
  readonly diagnosticsEnabled: boolean;
  readonly pythonGlob: string;
  readonly maxPythonFiles: number;
  readonly codeLensEnabled: boolean;
  readonly notifications: boolean;
  readonly episodeGapMinutes: number;
  readonly onDriftTask: string;
  readonly onDriftCommand: string;
  readonly manifestGlob: string;
  readonly checkpointGlob: string;
}

export function readSettings(): MonitorSettings {
  const c = vscode.workspace.getConfiguration('modelmon');
  const str = (key: string, fallback: string): string => {
    const v = c.get<unknown>(key);
    return typeof v === 'string' ? v : fallback;
  };
  const num = (key: string, fallback: number, min = -Infinity): number => {
    const v = c.get<unknown>(key);
    return typeof v === 'number' && Number.isFinite(v) && v >= min ? v : fallback;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = c.get<unknown>(key);
    return typeof v === 'boolean' ? v : fallback;
  };
  const list = (key: string, fallback: readonly string[]): readonly string[] => {
    const v = c.get<unknown>(key);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : fallback;
  };
  const test = str('predictions.driftTest', 'auto');
  return {
    logDirs: list('tensorboard.logDirs', []),
    eventFileGlob: str('tensorboard.eventFileGlob', '**/events.out.tfevents.*'),
    exclude: str('tensorboard.exclude', '**/{node_modules,.git,.venv,venv,__pycache__}/**'),
    maxEventFiles: num('tensorboard.maxEventFiles', 500, 1),
    pollIntervalMs: num('tensorboard.pollIntervalMs', 2000, 250),
    verifyDataCrc: bool('tensorboard.verifyDataCrc', true),
    readThreads: Math.min(64, Math.floor(num('tensorboard.readThreads', 4, 1))),
    findingsEnabled: bool('training.findings.enabled', true),
    predictionLogGlobs: list('predictions.logGlobs', ['**/predictions/**/*.{csv,jsonl,parquet,gz,zst}', '**/*predictions*.{csv,jsonl,parquet,gz,zst}']),
    maxPredictionLogs: num('predictions.maxLogs', 20, 1),
    referenceRows: num('predictions.referenceRows', 1000, 1),
    window: num('predictions.window', 500, 1),
    driftTest: (DRIFT_TESTS as readonly string[]).includes(test) ? (test as DriftTestName) : 'auto',
    psiThreshold: num('predictions.psiThreshold', 0.2, 0),
    pValueThreshold: num('predictions.pValueThreshold', 0.01, 0),
    alertPValue: num('predictions.alertPValue', 0.001, 0),
    multipleTesting: str('predictions.multipleTesting', 'bonferroni') === 'bh' ? 'bh' : 'bonferroni',
    followPredictions: bool('predictions.follow', true),
    diagnosticsEnabled: bool('diagnostics.enabled', true),
    pythonGlob: str('diagnostics.pythonGlob', '**/*.py'),
    maxPythonFiles: num('diagnostics.maxPythonFiles', 200, 1),
    codeLensEnabled: bool('codeLens.enabled', true),
    notifications: bool('alerts.notifications', true),
    episodeGapMinutes: num('alerts.episodeGapMinutes', 30, 0.01),
    onDriftTask: str('onDrift.task', ''),
    onDriftCommand: machineOrUserValue('onDrift.command') ?? '',
    manifestGlob: str('integrity.manifestGlob', '**/*.manifest.json'),
    checkpointGlob: str('integrity.checkpointGlob', '**/*.{pt,pth,ckpt,safetensors,bin}'),
  };
}

/**
 * A setting's value from user or machine settings only. Settings that name something to
 * execute must never come from a workspace a user merely opened, so workspace and folder
 * values are ignored here whatever the declared scope.
 */
export function machineOrUserValue(key: string): string | undefined {
  const inspected = vscode.workspace.getConfiguration('modelmon').inspect<unknown>(key);
  const v = inspected?.globalValue;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}
