import type { Acknowledgement, FailOn, SeverityOverrides } from '../config';
import { applyPolicy, isFailing } from './policy';
import type { MonitorObservation, MonitorResult, MonitorType } from './types';

export interface MonitorIdentity {
  readonly name: string;
  readonly type: MonitorType;
  readonly target: string;
  readonly severity: SeverityOverrides;
}

/** One monitor's observation judged by the config's policy. */
export function judgeMonitor(
  monitor: MonitorIdentity,
  observation: MonitorObservation,
  acknowledgements: readonly Acknowledgement[],
  failOn: FailOn,
  durationMs: number,
): MonitorResult {
  const findings = applyPolicy(monitor.name, observation.findings, monitor.severity, acknowledgements);
  return {
    name: monitor.name,
    type: monitor.type,
    target: monitor.target,
    findings,
    summary: observation.summary,
    tables: observation.tables,
    driftedFeatures: observation.driftedFeatures ?? [],
    ...(observation.runDirs ? { runDirs: observation.runDirs } : {}),
    failed: findings.some((f) => isFailing(f, failOn)),
    durationMs,
  };
}

/** The observation of a monitor that could not run at all (missing file, unreadable manifest). */
export function unreadable(target: string, reason: string): MonitorObservation {
  return {
    findings: [{ kind: 'unreadable', severity: 'error', message: reason, subject: target, location: { file: target } }],
    summary: `could not run: ${reason}`,
    tables: [],
  };
}
