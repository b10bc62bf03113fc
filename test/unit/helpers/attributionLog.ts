/**
 * A prediction log with per-row SHAP values, made from a JSON Lines log with a binary label: a
 * logistic regression is fitted on the first `referenceRows` rows (standardised features, L2),
 * and each row gets `shap: { feature: value }`, the exact SHAP values of that linear model in
 * log-odds, w_j (x_j - mean_j) / sd_j (interventional, against the reference's means). Rows keep
 * everything else they had, so the log's own drift moves the attributions as it would a real
 * model's.
 */
import { fitLogistic } from '../../../src/core/multivariate/domainClassifier';

export interface AttributionLogOptions {
  readonly referenceRows?: number;
  readonly label?: string;
  /** Numeric columns left out of the model (ids, scores, the prediction). */
  readonly exclude?: readonly string[];
  readonly l2?: number;
  /**
   * A second model version from row `from` on: the first one's weights times these factors, as
   * a retrained model that leans on other features (rows keep their feature values).
   */
  readonly update?: { readonly from: number; readonly factors: Readonly<Record<string, number>> };
}

export interface AttributionLog {
  readonly lines: string[];
  readonly features: string[];
  /** The fitted weights on standardised features, by feature. */
  readonly weights: Map<string, number>;
}

export function withLinearShap(lines: readonly string[], options: AttributionLogOptions = {}): AttributionLog {
  const referenceRows = options.referenceRows ?? 1000;
  const label = options.label ?? 'label';
  const exclude = new Set(['id', 'score', 'prediction', label, ...(options.exclude ?? [])]);
  const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const features = Object.keys(rows[0]!).filter((k) => !exclude.has(k) && typeof rows[0]![k] === 'number');
  const ref = rows.slice(0, referenceRows);
  const n = ref.length;
  const p = features.length;
  const mean = features.map((f) => ref.reduce((s, r) => s + (r[f] as number), 0) / n);
  const sd = features.map((f, j) => Math.sqrt(ref.reduce((s, r) => s + ((r[f] as number) - mean[j]!) ** 2, 0) / n) || 1);
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  ref.forEach((r, i) => {
    features.forEach((f, j) => (x[j * n + i] = ((r[f] as number) - mean[j]!) / sd[j]!));
    y[i] = Number(r[label]) === 1 ? 1 : 0;
  });
  const beta = fitLogistic(x, y, p, options.l2 ?? 1);
  const update = options.update;
  const out = rows.map((r, i) => {
    const shap: Record<string, number> = {};
    const factor = (f: string) => (update && i >= update.from ? (update.factors[f] ?? 1) : 1);
    features.forEach((f, j) => (shap[f] = Number(((factor(f) * beta[j]! * ((r[f] as number) - mean[j]!)) / sd[j]!).toFixed(5))));
    return JSON.stringify({ ...r, shap });
  });
  return { lines: out, features, weights: new Map(features.map((f, j) => [f, beta[j]!])) };
}
