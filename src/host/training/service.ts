import type * as vscode from 'vscode';
import type { RunState, SeriesPoints, TrainingFinding } from './model';

/** What the host's views ask of the training runs; implemented over the tfevents engine. */
export interface TrainingRuns {
  readonly onDidChange: vscode.Event<void>;
  /** Resolves once the first discovery and load finished. */
  ready(): Promise<void>;
  logdirs(): readonly string[];
  /** [runs read, runs found] while a first scan runs; undefined otherwise. */
  scanProgress?(): [number, number] | undefined;
  runs(): readonly RunState[];
  findings(): readonly TrainingFinding[];
  series(run: string, tag: string): SeriesPoints | undefined;
  /** Rediscovers log directories and rereads changed files. */
  refresh(): Promise<void>;
  /** Adds a log directory (absolute path) to watch, remembered in workspace state. */
  addLogdir(dir: string): Promise<void>;
  addedLogdirs(): readonly string[];
  removeLogdir(dir: string): Promise<void>;
}
