import type { Acknowledgement, FailOn, Severity, SeverityOverrides } from '../config';
import type { Finding, RawFinding } from './types';

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** True when `severity` is at or above the level that fails a check. */
export function meetsFailOn(severity: Severity, failOn: FailOn): boolean {
  return RANK[severity] >= RANK[failOn];
}

/** Sort order for severities: error first, then warning, then info. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[b] - RANK[a];
}

/**
 * Applies a monitor's severity overrides (by kind, then `*`) and the config's acknowledgements.
 * Findings set to `off` are dropped; acknowledged ones keep their severity but carry the reason.
 */
export function applyPolicy(
  monitor: string,
  findings: readonly RawFinding[],
  overrides: SeverityOverrides,
  acknowledgements: readonly Acknowledgement[],
): Finding[] {
  const out: Finding[] = [];
  for (const raw of findings) {
    const override = overrides[raw.kind] ?? overrides['*'];
    if (override === 'off') continue;
    const severity = override ?? raw.severity;
    const ack = acknowledgements.find(
      (a) =>
        a.monitor === monitor &&
        (a.kind === undefined || a.kind === raw.kind) &&
        (a.subject === undefined || subjectMatches(a.subject, raw.subject)),
    );
    out.push({ ...raw, severity, monitor, ...(ack ? { acknowledged: ack.reason } : {}) });
  }
  return out.sort((a, b) => compareSeverity(a.severity, b.severity));
}

/** An acknowledgement's subject matches exactly, or as a prefix path (`overfit` covers `overfit/val/loss`). */
function subjectMatches(pattern: string, subject: string | undefined): boolean {
  if (subject === undefined) return false;
  return subject === pattern || subject.startsWith(pattern + '/');
}

/** True when a finding fails the check: at or above `failOn` and not acknowledged. */
export function isFailing(finding: Finding, failOn: FailOn): boolean {
  return finding.acknowledged === undefined && meetsFailOn(finding.severity, failOn);
}
