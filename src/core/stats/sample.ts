/** Throws a RangeError naming `name` and the index of the first value that is not finite. */
function checkFinite(values: ArrayLike<number>, name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new RangeError(`${name}[${i}] is not a finite number (${values[i]})`);
  }
}

/** Checks that a sample is non-empty and all finite, and returns a sorted copy. */
export function sortedCopy(values: ArrayLike<number>, name: string): Float64Array {
  if (values.length === 0) throw new RangeError(`${name} must not be empty`);
  checkFinite(values, name);
  return Float64Array.from(values).sort();
}

/** True when a typed or plain array is already in ascending order. */
export function isSorted(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i]! < values[i - 1]!) return false;
  return true;
}

/**
 * The sample in ascending order: an already sorted Float64Array is used as is (no copy, no sort),
 * which is how a caller comparing many windows against one reference sorts it only once.
 */
export function ascending(values: ArrayLike<number>, name: string): Float64Array {
  if (values instanceof Float64Array && values.length > 0 && isSorted(values)) {
    checkFinite(values, name);
    return values;
  }
  return sortedCopy(values, name);
}

/** Smallest and largest value of a non-empty, all-finite sample (one pass, no sort). */
export function extent(values: ArrayLike<number>, name: string): [number, number] {
  if (values.length === 0) throw new RangeError(`${name} must not be empty`);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}] is not a finite number (${v})`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}
