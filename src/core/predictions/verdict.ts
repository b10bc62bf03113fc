import type { EmbeddingMethodName } from '../embedding';
import type { FeatureDrift } from './report';

/** The test a drift verdict rests on: the one the alert rules apply, never a second opinion. */
export type VerdictTest = 'mean-shift' | 'chi2' | 'pca-error' | `embedding-${EmbeddingMethodName}`;

/**
 * One feature's drift verdict over one window of rows: the decision every view shows (dashboard,
 * tree, alerts, HTML report, `modelmon predictions --json`, `modelmon check`).
 */
export interface DriftVerdict {
  readonly feature: string;
  readonly kind: FeatureDrift['kind'];
  readonly drifted: boolean;
  /** Why it drifted: its own test passed the threshold, or it is part of the open data-drift episode. */
  readonly basis: 'test' | 'episode' | null;
  readonly test: VerdictTest;
  /**
   * Shift in sd (mean-shift, pca-error), the chi-squared statistic, or a vector column's embedding
   * drift score (domain classifier AUC, share of drifted components, distance between means, MMD²).
   */
  readonly statistic: number;
  /** Family-wise (Bonferroni over the compared columns) p-value of `test`; an embedding method's own p (mmd), else NaN. */
  readonly pValue: number;
  /** Drifted when `pValue` is below it (or the feature is in the open episode); an embedding score drifts above it. */
  readonly threshold: number;
  /** 0-based data rows [start, end) the verdict covers. */
  readonly start: number;
  readonly end: number;
  /** First row of the drift still going on (the episode's start, or the first window of a run of drifted windows); null when stable. */
  readonly since: number | null;
  /** The column's default (Evidently) test over the same rows, shown beside the verdict; it does not decide. */
  readonly columnTest: { readonly test: FeatureDrift['test']; readonly statistic: number; readonly pValue: number | null; readonly threshold: number; readonly passed: boolean };
}

/** The data-drift episode open when a window closed. */
export interface OpenDriftEpisode {
  readonly start: number;
  readonly features: readonly string[];
}

export interface VerdictInput {
  /** The window's column drift (the reporter's output), with family-wise p-values. */
  readonly drift: readonly FeatureDrift[];
  readonly start: number;
  readonly end: number;
  /** The monitor's family-wise alert p-value. */
  readonly threshold: number;
  readonly episode: OpenDriftEpisode | undefined;
  /** The previous window's verdicts, to carry `since` over a run of drifted windows. */
  readonly previous?: readonly DriftVerdict[];
}

const TEST_OF: Record<FeatureDrift['kind'], VerdictTest> = { numeric: 'mean-shift', categorical: 'chi2', segment: 'chi2', vector: 'pca-error' };

/**
 * Each feature's verdict for one window. A feature drifts when its family-wise p-value is below
 * the alert threshold, the same decision that opens a data-drift alert, or when it belongs to the
 * data-drift episode still open: a feature an open alert names is never called stable.
 *
 * @example
 * driftVerdicts({ drift, start: 3500, end: 4000, threshold: 0.001, episode: { start: 2239, features: ['segment'] } })
 *   .filter((v) => v.drifted).map((v) => v.feature); // ['mean_radius', 'mean_texture', 'worst_area', 'segment']
 */
export function driftVerdicts(input: VerdictInput): DriftVerdict[] {
  const inEpisode = new Set(input.episode?.features ?? []);
  const before = new Map((input.previous ?? []).map((v) => [v.feature, v]));
  const out = input.drift.map((f): DriftVerdict => {
    const e = f.embedding;
    // A vector column's embedding method is its one verdict, with its own threshold.
    const own = e ? e.drifted : f.alertPValue < input.threshold;
    const joined = inEpisode.has(f.feature);
    const drifted = own || joined;
    const earlier = before.get(f.feature);
    const since = !drifted ? null : joined ? input.episode!.start : earlier?.drifted && earlier.since !== null ? earlier.since : input.start;
    return {
      feature: f.feature,
      kind: f.kind,
      drifted,
      basis: own ? 'test' : joined ? 'episode' : null,
      test: e ? `embedding-${e.method}` : TEST_OF[f.kind],
      statistic: e ? f.statistic : f.alertStatistic ?? f.shift,
      pValue: e ? e.pValue ?? NaN : f.alertPValue,
      threshold: e ? e.threshold : input.threshold,
      start: input.start,
      end: input.end,
      since,
      columnTest: { test: f.test, statistic: f.statistic, pValue: f.pValue ?? null, threshold: f.threshold, passed: f.drifted },
    };
  });
  // Segment columns trail, as in the alerts: they say where the drift is, not what drifted.
  return out.sort((a, b) => Number(b.drifted) - Number(a.drifted) || Number(a.kind === 'segment') - Number(b.kind === 'segment') || orderP(a) - orderP(b) || Math.abs(b.statistic) - Math.abs(a.statistic) || a.feature.localeCompare(b.feature));
}

/** p-value for ordering: an embedding verdict without one sorts as 0 when drifted, 1 when stable. */
const orderP = (v: DriftVerdict): number => (Number.isNaN(v.pValue) ? (v.drifted ? 0 : 1) : v.pValue);

/** Names of the drifted features, strongest first. */
export const driftedFeatureNames = (verdicts: readonly DriftVerdict[]): string[] => verdicts.filter((v) => v.drifted).map((v) => v.feature);
