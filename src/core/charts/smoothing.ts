/**
 * TensorBoard's scalar smoothing: an exponential moving average debiased like Adam's first
 * moment, so the start of a curve is not dragged towards zero. Non-finite values (null for
 * NaN/Inf) pass through as null and do not disturb the average.
 *
 * @param values the raw series
 * @param weight smoothing in [0, 1); 0 returns the values unchanged
 * @example smoothEma([1, 2, 3], 0.5) // [1, 1.6666666666666667, 2.4285714285714284]
 */
export function smoothEma(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`weight must be in [0, 1), got ${weight}`);
  if (weight === 0) return values.map((v) => (v !== null && Number.isFinite(v) ? v : null));
  const out: (number | null)[] = new Array(values.length);
  let accumulated = 0;
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    accumulated = accumulated * weight + (1 - weight) * v;
    seen++;
    out[i] = accumulated / (1 - Math.pow(weight, seen));
  }
  return out;
}
