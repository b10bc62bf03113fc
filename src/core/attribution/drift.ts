import { mean, standardDeviation } from 'simple-statistics';
import { normalTwoSidedP } from '../stats/gamma';
import { adjustPValues, type MultipleTesting } from '../predictions/multipleTesting';

/**
 * Attribution drift (explainability monitoring): where a log carries per-row feature attributions
 * (SHAP values, integrated gradients...), how much the model leans on each feature is its mean
 * absolute attribution, and the features ranked by it say what the model decides by. A window in
 * which a feature climbs to or falls from the top of that ranking, by more than sampling noise,
 * means the model now decides by something else: a drifted input it is sensitive to, or a new
 * model version that weighs the features differently.
 */

/** Each feature's mean |attribution| over the reference, and its rank (1 = leaned on most). */
export interface AttributionReference {
  /** Feature names, in the schema's attribution order. */
  readonly features: readonly string[];
  readonly rows: number;
  /** Per feature: reference rows with a value. */
  readonly count: Float64Array;
  readonly mean: Float64Array;
  /** Per feature: population standard deviation of |attribution| over the reference. */
  readonly sd: Float64Array;
  /** Per feature: 1-based rank by mean |attribution|. */
  readonly rank: Int32Array;
}

/** One feature's attribution in a window against the reference. */
export interface AttributionFeature {
  readonly feature: string;
  /** Mean |attribution| over the reference and over the window. */
  readonly reference: number;
  readonly current: number;
  readonly referenceRank: number;
  readonly rank: number;
  /** Welch z of the window's mean |attribution| against the reference's. */
  readonly z: number;
  /** Two-sided p-value of `z`, corrected for the number of features (monitor's multipleTesting). */
  readonly pValue: number;
  /** The feature moved into or out of the top of the ranking, beyond sampling noise. */
  readonly moved: boolean;
}

/** The window's attribution ranking against the reference's: the verdict attribution_drift rests on. */
export interface AttributionDrift {
  /** Window rows with attributions. */
  readonly rows: number;
  /** Every feature, by its rank in the window. */
  readonly features: AttributionFeature[];
  /** The features that moved, by their rank in the window. */
  readonly moved: string[];
  readonly drifted: boolean;
}

/** Ranks that count as "the top": what a model mostly decides by; a move within the tail (rank 17 -> 14) changes little. */
export const ATTRIBUTION_TOP_RANKS = 5;
/** Rows with attributions a reference or window needs before ranks are compared. */
export const MIN_ATTRIBUTION_ROWS = 20;

/** 1-based ranks of `values`, largest first; ties keep the schema's order. */
function ranksOf(values: ArrayLike<number>): Int32Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => rankValue(values[b]!) - rankValue(values[a]!) || a - b);
  const rank = new Int32Array(values.length);
  order.forEach((i, k) => (rank[i] = k + 1));
  return rank;
}

/** NaN (a feature with no values) ranks last. */
const rankValue = (x: number): number => (Number.isNaN(x) ? -Infinity : x);

/**
 * The reference's attribution profile, from one Float64Array of attributions per row (NaN where a
 * row has none for a feature); undefined when fewer than MIN_ATTRIBUTION_ROWS rows have any.
 */
export function buildAttributionReference(features: readonly string[], rows: readonly (Float64Array | undefined)[]): AttributionReference | undefined {
  const k = features.length;
  if (k === 0) return undefined;
  const abs: number[][] = features.map(() => []);
  let withAny = 0;
  for (const r of rows) {
    if (!r) continue;
    let any = false;
    for (let i = 0; i < k; i++) {
      const x = r[i]!;
      if (Number.isNaN(x)) continue;
      abs[i]!.push(Math.abs(x));
      any = true;
    }
    if (any) withAny++;
  }
  if (withAny < MIN_ATTRIBUTION_ROWS) return undefined;
  const m = Float64Array.from(abs, (v) => (v.length ? mean(v) : NaN));
  return {
    features: [...features],
    rows: withAny,
    count: Float64Array.from(abs, (v) => v.length),
    mean: m,
    sd: Float64Array.from(abs, (v) => (v.length ? standardDeviation(v) : NaN)),
    rank: ranksOf(m),
  };
}

/**
 * Sums of |attribution| over a window's rows, per feature: the window's side of the comparison.
 */
export class AttributionSums {
  readonly count: Float64Array;
  readonly sum: Float64Array;
  readonly sumSquares: Float64Array;
  rows = 0;

  constructor(features: number) {
    this.count = new Float64Array(features);
    this.sum = new Float64Array(features);
    this.sumSquares = new Float64Array(features);
  }

  /**
   * The sums over `rows`, added afresh at each evaluation rather than kept running as rows come and
   * go: squares added and subtracted for hours would lose the precision a variance needs, and a
   * window of 200 rows x 30 features is 6,000 additions.
   */
  static of(features: number, rows: Iterable<Float64Array | undefined>): AttributionSums {
    const sums = new AttributionSums(features);
    for (const r of rows) sums.add(r);
    return sums;
  }

  /** Adds one row's attributions (NaN: that feature has none in this row). */
  add(row: Float64Array | undefined): void {
    if (!row) return;
    let any = false;
    for (let i = 0; i < this.sum.length; i++) {
      const x = row[i]!;
      if (Number.isNaN(x)) continue;
      const a = Math.abs(x);
      this.count[i]!++;
      this.sum[i]! += a;
      this.sumSquares[i]! += a * a;
      any = true;
    }
    if (any) this.rows++;
  }
}

/**
 * Compares a window's attributions with the reference. Each feature's mean |attribution| is tested
 * with a Welch z (window and reference sampling error both counted), corrected over the features;
 * a feature has moved when that change is significant at `alertP` and its rank changed into or out
 * of the top ATTRIBUTION_TOP_RANKS. Returns undefined while the window holds too few rows.
 *
 * @example
 * attributionDrift(reference, sums, 1e-3, 'bonferroni')?.moved // ['worst_area']
 */
export function attributionDrift(reference: AttributionReference, window: AttributionSums, alertP: number, multipleTesting: MultipleTesting): AttributionDrift | undefined {
  if (window.rows < MIN_ATTRIBUTION_ROWS) return undefined;
  const k = reference.features.length;
  const current = new Float64Array(k);
  const raw: number[] = [];
  const zs: number[] = [];
  for (let i = 0; i < k; i++) {
    const n = window.count[i]!;
    const N = reference.count[i]!;
    if (n < 2 || N < 2) {
      current[i] = n > 0 ? window.sum[i]! / n : NaN;
      zs.push(0);
      raw.push(NaN);
      continue;
    }
    const w = window.sum[i]! / n;
    current[i] = w;
    const windowVariance = Math.max(0, (window.sumSquares[i]! - n * w * w) / (n - 1));
    const se = Math.sqrt(windowVariance / n + reference.sd[i]! ** 2 / N);
    const diff = w - reference.mean[i]!;
    const z = se > 0 ? diff / se : diff === 0 ? 0 : Math.sign(diff) * Infinity;
    zs.push(z);
    raw.push(normalTwoSidedP(z));
  }
  const adjusted = adjustPValues(raw, multipleTesting, k);
  const rank = ranksOf(current);
  const features: AttributionFeature[] = reference.features.map((feature, i) => {
    const referenceRank = reference.rank[i]!;
    const p = adjusted[i]!;
    const moved = p < alertP && rank[i] !== referenceRank && Math.min(rank[i]!, referenceRank) <= ATTRIBUTION_TOP_RANKS;
    return { feature, reference: reference.mean[i]!, current: current[i]!, referenceRank, rank: rank[i]!, z: zs[i]!, pValue: Number.isNaN(p) ? 1 : p, moved };
  });
  features.sort((a, b) => a.rank - b.rank);
  const moved = features.filter((f) => f.moved).map((f) => f.feature);
  return { rows: window.rows, features, moved, drifted: moved.length > 0 };
}

/** "worst_area: attribution rank 7 -> 1 (mean |attribution| 0.041 -> 0.212)". */
export function describeAttributionMove(f: AttributionFeature): string {
  return `${f.feature}: attribution rank ${f.referenceRank} -> ${f.rank} (mean |attribution| ${short(f.reference)} -> ${short(f.current)})`;
}

function short(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 100 || x === 0 ? x.toFixed(0) : x.toPrecision(3);
}
