import { chi2Contingency, proportionsZTest } from './contingency';
import {
  hellingerCategorical,
  hellingerDistance,
  jensenShannonCategorical,
  jensenShannonDistance,
  MIN_REFERENCE_STD,
  psi,
  psiCategorical,
  wassersteinDistance,
  wassersteinScale,
  type CategoryCounts,
} from './distances';
import { ks2samp } from './ks';
import { ascending } from './sample';

/** The data-drift tests a column can be checked with. */
export type DriftTestName = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi' | 'hellinger';

export const DRIFT_TEST_NAMES: readonly DriftTestName[] = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi', 'hellinger'];

/** How a test's threshold is read. */
export type DriftDirection = 'p_value_below' | 'statistic_above';

/** The test picked for a column, with its threshold. */
export interface DriftTestChoice {
  test: DriftTestName;
  threshold: number;
  direction: DriftDirection;
  /** Count the values as categories (categorical column, or numeric with <= 5 unique values). */
  categorical?: boolean;
}

/** What the chooser needs to know about a column. */
export interface ColumnProfile {
  kind: 'numeric' | 'categorical';
  referenceSize: number;
  uniqueValues: number;
}

/** Default thresholds (Evidently's): p < 0.05 for tests, 0.1 for distances and PSI. */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftTestName, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
  hellinger: 0.1,
};

const DIRECTION: Readonly<Record<DriftTestName, DriftDirection>> = {
  ks: 'p_value_below',
  chisquare: 'p_value_below',
  z: 'p_value_below',
  wasserstein: 'statistic_above',
  jensenshannon: 'statistic_above',
  psi: 'statistic_above',
  hellinger: 'statistic_above',
};

/** A per-column override: a test name, or a test with its own threshold. */
export type DriftTestOverride = DriftTestName | { test: DriftTestName; threshold?: number };

/**
 * Picks a column's drift test as Evidently does by default: up to 1000 reference rows, KS
 * (p < 0.05) for numeric columns with more than 5 unique values, else chi-squared (> 2 categories)
 * or the two-proportion z-test (<= 2), p < 0.05; above 1000 rows, Wasserstein / reference std
 * (> 0.1) for numeric columns with more than 5 unique values, else Jensen-Shannon (> 0.1).
 * An override replaces the test and optionally its threshold.
 *
 * @example
 * chooseDriftTest({ kind: 'numeric', referenceSize: 5000, uniqueValues: 4000 });
 * // { test: 'wasserstein', threshold: 0.1, direction: 'statistic_above', categorical: false }
 */
export function chooseDriftTest(column: ColumnProfile, override?: DriftTestOverride): DriftTestChoice {
  const categorical = column.kind === 'categorical' || column.uniqueValues <= 5;
  let test: DriftTestName;
  if (override !== undefined) {
    test = typeof override === 'string' ? override : override.test;
    if (!DRIFT_TEST_NAMES.includes(test)) {
      throw new RangeError(`unknown drift test '${String(test)}' (known: ${DRIFT_TEST_NAMES.join(', ')})`);
    }
  } else if (column.referenceSize <= 1000) {
    test = !categorical ? 'ks' : column.uniqueValues > 2 ? 'chisquare' : 'z';
  } else {
    test = !categorical ? 'wasserstein' : 'jensenshannon';
  }
  const threshold = typeof override === 'object' && override.threshold !== undefined ? override.threshold : DEFAULT_THRESHOLDS[test];
  if (!Number.isFinite(threshold)) throw new RangeError(`threshold must be a finite number (got ${threshold})`);
  return { test, threshold, direction: DIRECTION[test], categorical };
}

/** The outcome of one column's drift test. */
export interface DriftTestResult {
  test: DriftTestName;
  statistic: number;
  pValue?: number;
  threshold: number;
  drifted: boolean;
  /** Why the verdict reads as it does when the number alone would mislead (a constant reference). */
  note?: string;
}

type ColumnData = ArrayLike<number> | CategoryCounts;

function isCounts(x: ColumnData): x is CategoryCounts {
  return x instanceof Map;
}

function countValues(values: ArrayLike<number>): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const k = String(values[i]);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** The 2 x k table of reference and current counts over categories seen on either side. */
function contingencyTable(reference: CategoryCounts, current: CategoryCounts): number[][] {
  const keys = [...new Set([...reference.keys(), ...current.keys()])].filter(
    (k) => (reference.get(k) ?? 0) + (current.get(k) ?? 0) > 0,
  );
  return [keys.map((k) => reference.get(k) ?? 0), keys.map((k) => current.get(k) ?? 0)];
}

function total(counts: CategoryCounts): number {
  let n = 0;
  for (const v of counts.values()) n += v;
  return n;
}

/**
 * Runs a chosen test on a column: numeric samples (arrays) or categorical counts (Maps). Numeric
 * samples of a `categorical` choice, and all samples for chi-squared and z, are counted by value.
 * Chi-squared is the test of independence on the 2 x k table (reference row, current row); the
 * z-test compares the share of the first category (by reference order) on each side.
 *
 * @example
 * const choice = chooseDriftTest({ kind: 'numeric', referenceSize: ref.length, uniqueValues: 900 });
 * runDriftTest(choice, ref, cur); // { test: 'ks', statistic: 0.08, pValue: 0.003, threshold: 0.05, drifted: true }
 */
export function runDriftTest(choice: DriftTestChoice, reference: ColumnData, current: ColumnData): DriftTestResult {
  const { test, threshold } = choice;
  const numeric = !isCounts(reference) && !isCounts(current);
  if (isCounts(reference) !== isCounts(current)) {
    throw new RangeError('reference and current must both be numeric samples or both be category counts');
  }
  const asCounts = (x: ColumnData): CategoryCounts => (isCounts(x) ? x : countValues(x));
  let statistic: number;
  let pValue: number | undefined;
  let note: string | undefined;
  switch (test) {
    case 'ks':
    case 'wasserstein': {
      if (!numeric) throw new RangeError(`the ${test} test needs numeric samples, not category counts`);
      if (test === 'ks') ({ statistic, pValue } = ks2samp(reference as ArrayLike<number>, current as ArrayLike<number>));
      else {
        // normalizedWasserstein's arithmetic, with the scale kept for the note.
        const ref = ascending(reference as ArrayLike<number>, 'reference');
        const scale = wassersteinScale(ref);
        statistic = wassersteinDistance(ref, current as ArrayLike<number>) / scale.divisor;
        note = constantReferenceNote(scale, threshold);
      }
      break;
    }
    case 'chisquare':
      ({ statistic, pValue } = chi2Contingency(contingencyTable(asCounts(reference), asCounts(current))));
      break;
    case 'z': {
      const ref = asCounts(reference);
      const cur = asCounts(current);
      const first = [...ref.keys(), ...cur.keys()][0];
      if (first === undefined) throw new RangeError('the z test needs at least one category');
      ({ statistic, pValue } = proportionsZTest(ref.get(first) ?? 0, total(ref), cur.get(first) ?? 0, total(cur)));
      break;
    }
    case 'jensenshannon':
    case 'psi':
    case 'hellinger': {
      if (numeric && !choice.categorical) {
        const r = reference as ArrayLike<number>;
        const c = current as ArrayLike<number>;
        statistic = test === 'jensenshannon' ? jensenShannonDistance(r, c) : test === 'psi' ? psi(r, c) : hellingerDistance(r, c);
      } else {
        const r = asCounts(reference);
        const c = asCounts(current);
        statistic =
          test === 'jensenshannon' ? jensenShannonCategorical(r, c) : test === 'psi' ? psiCategorical(r, c) : hellingerCategorical(r, c);
      }
      break;
    }
  }
  const drifted = choice.direction === 'p_value_below' ? (pValue as number) < threshold : statistic > threshold;
  const result: DriftTestResult = pValue === undefined ? { test, statistic, threshold, drifted } : { test, statistic, pValue, threshold, drifted };
  if (note) result.note = note;
  return result;
}

/** For a reference whose std is under the 0.001 floor: the verdict's reason, in words. */
export function constantReferenceNote(scale: { std: number; floored: boolean }, threshold = DEFAULT_THRESHOLDS.wasserstein): string | undefined {
  if (!scale.floored) return undefined;
  const what = scale.std === 0 ? 'constant' : `almost constant (std ${scale.std})`;
  return `the reference is ${what}: Wasserstein is divided by the ${MIN_REFERENCE_STD} floor, so it counts the shift in thousandths and any shift above ${threshold * MIN_REFERENCE_STD} is drift`;
}
