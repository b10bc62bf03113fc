/**
 * Deepest nesting a log record may have (the record itself is level 1). Real prediction logs nest
 * a few levels (`features.image.mean`); a record past this is corrupt or hostile, and walking it
 * would cost time (and, recursively, stack) for nothing.
 */
export const MAX_RECORD_DEPTH = 100;

const isContainer = (v: unknown): v is object => v !== null && typeof v === 'object';

/**
 * True when `record` nests objects or arrays deeper than `max` levels. Iterative, and it stops
 * at the first level past `max`, so a 100,000-deep record costs no more than a 101-deep one.
 */
export function nestedDeeperThan(record: Record<string, unknown>, max = MAX_RECORD_DEPTH): boolean {
  // Flat records (the usual row) leave the loop without allocating.
  let stack: object[] | undefined;
  for (const k in record) {
    const v = record[k];
    if (isContainer(v)) (stack ??= []).push(v);
  }
  if (!stack) return false;
  if (max < 2) return true;
  const depths = stack.map(() => 2);
  while (stack.length) {
    const v = stack.pop()!;
    const d = depths.pop()!;
    // Indexed, not iterated: vectors of numbers (pixels, probabilities) are the usual children.
    const children: unknown[] = Array.isArray(v) ? v : Object.values(v);
    for (let i = 0; i < children.length; i++) {
      const c = children[i];
      if (typeof c !== 'object' || c === null) continue;
      if (d >= max) return true;
      stack.push(c);
      depths.push(d + 1);
    }
  }
  return false;
}
