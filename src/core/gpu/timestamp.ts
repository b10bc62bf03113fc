/**
 * Parses nvidia-smi's `timestamp` field (`2026/11/23 03:53:52.381`, local time without a zone)
 * as if it were UTC: right for differences between samples, not for absolute time.
 */
export function parseSmiTimestamp(text: string): number | null {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m;
  return Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, ms ? +ms.padEnd(3, '0') : 0);
}
