import { findHealthProblems, type HealthOptions, type TrainingFinding } from '../../core/tfevents/health';
import { summarizeRuns, type RunSummary } from '../../core/tfevents/summary';
import { readLogdir, type FileCorruption, type LogdirOptions } from './logdir';

/** Everything `modelmon tb --json` prints: runs with their tags, health findings, corruptions. */
export interface LogdirReport {
  runs: RunSummary[];
  findings: TrainingFinding[];
  corruptions: FileCorruption[];
}

/**
 * Reads a log directory (or one event file) once and checks it: the one call `modelmon check`
 * and a one-shot editor command need. Throws LogdirError when the root cannot be read.
 */
export async function inspectLogdir(root: string, options: LogdirOptions & { health?: HealthOptions } = {}): Promise<LogdirReport> {
  const { store, corruptions } = await readLogdir(root, options);
  return { runs: summarizeRuns(store), findings: findHealthProblems(store, options.health), corruptions };
}
