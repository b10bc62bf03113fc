/**
 * How the per-feature drift p-values of one window are corrected for testing many features at
 * once. `bonferroni` (the default) bounds the chance of any false alarm in the window (the
 * family-wise error rate); `bh` (Benjamini-Hochberg) bounds the expected share of false alarms
 * among the features it names (the false discovery rate), which names more of the drifted
 * features when many drift together, at the cost of an occasional clean one among them.
 */
export type MultipleTesting = 'bonferroni' | 'bh';

export const MULTIPLE_TESTING_METHODS: readonly MultipleTesting[] = ['bonferroni', 'bh'];

/** Whether `x` names a correction method. */
export function isMultipleTesting(x: unknown): x is MultipleTesting {
  return x === 'bonferroni' || x === 'bh';
}

/**
 * Adjusted p-values of `pValues` over a family of `familySize` hypotheses (at least
 * `pValues.length`: tests that could not run, such as columns with too few values in the window,
 * still count, as hypotheses with p = 1). Compare each adjusted value with the alert level.
 *
 * - `bonferroni`: min(1, p * m).
 * - `bh`: statsmodels' `multipletests(p, method="fdr_bh")`: with p sorted ascending,
 *   q_(i) = min over j >= i of p_(j) / (j / m), capped at 1. The monitor alerts where q < alpha,
 *   the Benjamini-Hochberg step-up rule at level alpha (statsmodels rejects at q <= alpha; the
 *   monitor's strict < is the one its Bonferroni rule has always used).
 *
 * Benjamini & Hochberg, "Controlling the false discovery rate", JRSS B 57(1), 1995.
 *
 * @example
 * adjustPValues([0.01, 0.04, 0.03, 0.005], 'bh') // [0.02, 0.04, 0.04, 0.02]
 */
export function adjustPValues(pValues: readonly number[], method: MultipleTesting, familySize = pValues.length): number[] {
  const m = Math.max(familySize, pValues.length, 1);
  if (method === 'bonferroni') return pValues.map((p) => Math.min(1, p * m));
  // A NaN (a test that produced no p-value) sorts last and stays NaN: it names nothing.
  const order = pValues.map((_, i) => i).sort((a, b) => byPValue(pValues[a]!, pValues[b]!) || a - b);
  const out = new Array<number>(pValues.length);
  let running = Infinity;
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    const p = pValues[i]!;
    if (Number.isNaN(p)) {
      out[i] = NaN;
      continue;
    }
    // p / (rank / m), statsmodels' own expression, so the adjusted values match it bit for bit.
    running = Math.min(running, p / ((k + 1) / m));
    out[i] = Math.min(1, running);
  }
  return out;
}

function byPValue(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

/** Words for a rule line: "Bonferroni over 31 columns", "Benjamini-Hochberg over 31 columns". */
export function describeMultipleTesting(method: MultipleTesting): string {
  return method === 'bh' ? 'Benjamini-Hochberg' : 'Bonferroni';
}
