/** How bad one finding is. */
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** One thing a scan noticed, worded for the user. */
export interface Finding {
  readonly severity: Severity;
  readonly message: string;
}

/**
 * A file's overall verdict. `malformed` outranks `suspicious` (the file cannot be trusted to load as
 * scanned) but not `dangerous`: an unpickler runs what it reads before it reaches a truncation.
 */
export type Verdict = 'safe' | 'suspicious' | 'malformed' | 'dangerous';

const RANK: Record<Verdict, number> = { safe: 0, suspicious: 1, malformed: 2, dangerous: 3 };

/** The worse of two verdicts. */
export function worseVerdict(a: Verdict, b: Verdict): Verdict {
  return RANK[b] > RANK[a] ? b : a;
}
