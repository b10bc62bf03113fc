import { quantile } from 'simple-statistics';
import { reconstructionError, rowConfidence, type ReferenceProfile } from './profile';
import type { PredictionRow } from './row';

const NO_REASONS: string[] = [];

/** A row's anomaly score and what contributed to it. */
export interface AnomalyScore {
  readonly score: number;
  readonly reasons: string[];
}

/**
 * Scores each row against the reference: how far its features and input vector fall outside the
 * reference range (in units of the reference spread), how badly the PCA of the reference
 * reconstructs its input vector (z against held-out reference rows), how little margin separates
 * its top two classes, and whether the log's other models disagree with the primary one.
 * Rows above the reference's `quantile` score (default 99.5%) are suspicious.
 */
export class AnomalyScorer {
  readonly threshold: number;

  constructor(
    private readonly profile: ReferenceProfile,
    referenceRows: readonly PredictionRow[],
    quantileLevel = 0.995,
  ) {
    // Held-out half: the PCA was fitted on the first half, so its errors there are optimistic.
    const held = referenceRows.slice(Math.floor(referenceRows.length / 2));
    const scores = held.map((r) => this.score(r, false).score);
    this.threshold = scores.length ? Math.max(quantile(scores, quantileLevel), 1) : Infinity;
  }

  /** The row's score; reasons are only spelled out when asked (they cost string building). */
  score(row: PredictionRow, explain = true): AnomalyScore {
    const reasons: string[] = explain ? [] : NO_REASONS;
    const p = this.profile;
    let range = 0;
    for (let i = 0; i < p.numeric.length; i++) {
      const x = row.numeric[i]!;
      const f = p.numeric[i]!;
      if (Number.isNaN(x) || f.sorted.length === 0) continue;
      const excess = x > f.max ? x - f.max : x < f.min ? f.min - x : 0;
      if (excess > 0) {
        range += excess / f.scale;
        if (explain) reasons.push(`${f.name} out of reference range`);
      }
    }
    let total = range;
    for (let v = 0; v < p.vectors.length; v++) {
      const vp = p.vectors[v]!;
      const x = row.vectors[v];
      if (!x || x.length !== vp.length) continue;
      let excess = 0;
      for (let j = 0; j < vp.length; j++) {
        const e = x[j]! > vp.max[j]! ? x[j]! - vp.max[j]! : x[j]! < vp.min[j]! ? vp.min[j]! - x[j]! : 0;
        excess += e;
      }
      if (excess > 0) {
        total += excess / vp.scale;
        if (explain) reasons.push(`${vp.name} outside reference range`);
      }
      const z = vp.errorSd > 0 ? (reconstructionError(vp, x) - vp.errorMean) / vp.errorSd : 0;
      if (z > 0) {
        total += z;
        if (explain && z > 3) reasons.push(`${vp.name} unlike reference (PCA error z=${z.toFixed(1)})`);
      }
    }
    const c = rowConfidence(row);
    if (c && c.margin < 0.5) {
      total += 2 * (0.5 - c.margin);
      if (explain && c.margin < 0.2) reasons.push(`low margin between top classes (${c.margin.toFixed(2)})`);
    }
    if (row.prediction !== undefined && row.altPredictions.some((a) => a !== undefined && a !== row.prediction)) {
      total += 3;
      if (explain) reasons.push('models disagree');
    }
    return { score: total, reasons };
  }
}
