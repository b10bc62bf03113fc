import type { Finding, Verdict } from './findings';
import type { CheckpointFormat } from './layout';

/** A checkpoint that appeared or changed in the workspace, with its scan. */
export interface CheckpointEvent {
  readonly path: string;
  readonly change: 'created' | 'changed';
  /** Whether a task or debug session was running (or had just ended) when the file changed. */
  readonly trainingActive: boolean;
  readonly format: CheckpointFormat;
  readonly verdict: Verdict;
  readonly findings: readonly Finding[];
}

/** What the editor should tell the user; `error` and `warning` pop up, `info` only goes to the log. */
export interface CheckpointAlert {
  readonly level: 'error' | 'warning' | 'info';
  readonly message: string;
}

/**
 * Decides the alerts for one checkpoint event: dangerous files are errors, suspicious or
 * malformed ones warnings, and a checkpoint rewritten while no training ran is a warning of its
 * own (someone or something replaced the weights). A `.bin` that is not a checkpoint stays quiet.
 */
export function checkpointAlerts(e: CheckpointEvent): CheckpointAlert[] {
  const name = e.path.split(/[\\/]/).pop() ?? e.path;
  const first = e.findings[0]?.message;
  const alerts: CheckpointAlert[] = [];
  if (e.format === 'unknown' && name.toLowerCase().endsWith('.bin')) return [{ level: 'info', message: `${name}: not a checkpoint, skipped` }];
  if (e.verdict === 'dangerous') alerts.push({ level: 'error', message: `${name} would run code when loaded: ${first}` });
  else if (e.verdict === 'suspicious') alerts.push({ level: 'warning', message: `${name} imports code a checkpoint does not need: ${first}` });
  else if (e.verdict === 'malformed') alerts.push({ level: 'warning', message: `${name} is malformed: ${first}` });
  if (e.change === 'changed' && !e.trainingActive)
    alerts.push({ level: 'warning', message: `${name} changed while no training task or debug session was running` });
  if (!alerts.length) alerts.push({ level: 'info', message: `${name}: ${e.change}, ${e.verdict} (${e.format})` });
  return alerts;
}
