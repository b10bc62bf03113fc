import { chooseDriftTest, ksStatisticSorted, runDriftTest, type DriftTestName } from '../stats';
import { ksFromRanks, ksFromUnsortedRanks } from './profile';

/** Verdict of the default per-column drift test (Evidently's chooser, from core/stats). */
export interface ColumnTestResult {
  readonly test: DriftTestName;
  readonly statistic: number;
  readonly pValue?: number;
  readonly threshold: number;
  readonly drifted: boolean;
}

/** scipy's exact KS p costs O(n*m); above this many cells the asymptotic one is used. */
const KS_EXACT_CELLS = 10000;

/**
 * Numeric column, sorted samples: the chooser's test (KS up to 1000 reference values, else
 * Wasserstein / sd; counts when <= 5 unique values). A large KS uses scipy's method='asymp'.
 */
export function numericColumnTest(refSorted: Float64Array, curSorted: Float64Array, uniqueValues: number): ColumnTestResult {
  if (!refSorted.length || !curSorted.length) return { test: 'ks', statistic: 0, pValue: 1, threshold: 0.05, drifted: false };
  const choice = chooseDriftTest({ kind: 'numeric', referenceSize: refSorted.length, uniqueValues });
  if (choice.test === 'ks' && !choice.categorical && refSorted.length * curSorted.length > KS_EXACT_CELLS) {
    const n = refSorted.length;
    const m = curSorted.length;
    const d = ksStatistic(refSorted, curSorted);
    const en = Math.sqrt((n * m) / (n + m));
    // scipy's asymp p (kstwo.sf) needs a Durbin matrix power in much of its range: every window
    // runs a test per column, so the limiting distribution with Stephens' correction stands in.
    const pValue = kolmogorovLimitSf((en + 0.12 + 0.11 / en) * d);
    return { test: 'ks', statistic: d, pValue, threshold: choice.threshold, drifted: pValue < choice.threshold };
  }
  return runDriftTest(choice, refSorted, curSorted);
}

/**
 * The same test from the window's packed reference ranks, when that is enough: a KS past 1e4
 * cells. Returns undefined when the chooser wants raw values (exact KS, Wasserstein, counts).
 * Ranks are sorted, or in any order with a zeroed `scratch` of rankScratchLength(referenceSize).
 */
export function numericColumnTestFromRanks(referenceSize: number, ranks: Int32Array, uniqueValues: number, scratch?: Int32Array): ColumnTestResult | undefined {
  const choice = chooseDriftTest({ kind: 'numeric', referenceSize, uniqueValues });
  const m = ranks.length;
  if (choice.test !== 'ks' || choice.categorical || referenceSize * m <= KS_EXACT_CELLS) return undefined;
  const d = scratch ? ksFromUnsortedRanks(referenceSize, ranks, m, scratch) : ksFromRanks(referenceSize, ranks);
  const en = Math.sqrt((referenceSize * m) / (referenceSize + m));
  const pValue = kolmogorovLimitSf((en + 0.12 + 0.11 / en) * d);
  return { test: 'ks', statistic: d, pValue, threshold: choice.threshold, drifted: pValue < choice.threshold };
}

/** Categorical column: chi-squared (> 2 categories) or z (2) up to 1000 rows, else Jensen-Shannon. */
export function categoricalColumnTest(ref: ReadonlyMap<string, number>, cur: ReadonlyMap<string, number>, referenceSize: number): ColumnTestResult {
  const choice = chooseDriftTest({ kind: 'categorical', referenceSize, uniqueValues: ref.size });
  let nr = 0;
  let nc = 0;
  for (const v of ref.values()) nr += v;
  for (const v of cur.values()) nc += v;
  if (!nr || !nc || new Set([...ref.keys(), ...cur.keys()]).size < 2) return { test: choice.test, statistic: 0, pValue: 1, threshold: choice.threshold, drifted: false };
  return runDriftTest(choice, ref, cur);
}

/**
 * Largest gap between two sorted samples' empirical CDFs (the KS statistic), with the
 * k / n ECDF that ksFromRanks uses, so a column gives the same statistic from values or ranks.
 */
export function ksStatistic(ref: Float64Array, cur: Float64Array): number {
  return ksStatisticSorted(ref, cur);
}

/** Survival function of the Kolmogorov limiting distribution, Pr(K > x) (scipy's kstwobign.sf). */
function kolmogorovLimitSf(x: number): number {
  if (x < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += (k % 2 ? 1 : -1) * term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
