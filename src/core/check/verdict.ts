import type { FailOn } from '../config';
import { isFailing } from './policy';
import type { CheckResult, MonitorResult, SeverityCounts } from './types';
import { plural } from '../charts/format';

/** Sums the monitors' findings and decides the check: exit 1 when any finding fails it. */
export function decide(
  configPath: string,
  failOn: FailOn,
  monitors: readonly MonitorResult[],
  startedAt: string,
  durationMs: number,
): CheckResult {
  const counts: { -readonly [K in keyof SeverityCounts]: number } = { error: 0, warning: 0, info: 0, acknowledged: 0 };
  let failing = false;
  for (const monitor of monitors) {
    for (const f of monitor.findings) {
      if (f.acknowledged !== undefined) counts.acknowledged++;
      else counts[f.severity]++;
      if (isFailing(f, failOn)) failing = true;
    }
  }
  return {
    configPath,
    failOn,
    monitors,
    verdict: failing ? 'fail' : 'pass',
    counts,
    exitCode: failing ? 1 : 0,
    startedAt,
    durationMs,
  };
}

/** "2 errors, 1 warning, 3 notes, 1 acknowledged": the counts line of the summaries. */
export function countsLine(counts: SeverityCounts): string {
  const parts = [plural(counts.error, 'error'), plural(counts.warning, 'warning')];
  if (counts.info) parts.push(plural(counts.info, 'note'));
  if (counts.acknowledged) parts.push(`${counts.acknowledged} acknowledged`);
  return parts.join(', ');
}

