import type { ReconstructionEvaluation } from './driftMonitor';

/** The multivariate model as fitted on the reference, for the report. */
export interface MultivariateSetup {
  readonly features: number;
  readonly components: number;
  /** Share of the standardised variance the kept components explain. */
  readonly explainedVariance: number;
  readonly referenceMean: number;
  readonly referenceSd: number;
  readonly sdMultiplier: number;
  readonly aucThreshold: number;
}

/**
 * One window's multivariate verdict, the decision every view shows: drifted when the mean
 * reconstruction error at the window's close is outside its band (the test the alert rule
 * applies), or while the multivariate_drift episode is open.
 */
export interface MultivariateVerdict {
  readonly drifted: boolean;
  readonly basis: 'test' | 'episode' | null;
  readonly test: 'pca-reconstruction';
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
  readonly band: ReconstructionEvaluation['band'];
  /** Rows of the sliding window the value covers. */
  readonly rows: number;
  /** First row of the drift still going on; null when stable. */
  readonly since: number | null;
}

/** The verdict of the window [start, end) from the evaluation at its close and the open episode. */
export function multivariateVerdict(
  evaluation: ReconstructionEvaluation,
  start: number,
  episode: { readonly start: number } | undefined,
  previous: MultivariateVerdict | undefined,
): MultivariateVerdict {
  const own = evaluation.drifted;
  const drifted = own || !!episode;
  const since = !drifted ? null : episode ? episode.start : previous?.drifted && previous.since !== null ? previous.since : start;
  const r = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(4)) : x);
  return {
    drifted,
    basis: own ? 'test' : episode ? 'episode' : null,
    test: 'pca-reconstruction',
    value: r(evaluation.value),
    lower: r(evaluation.lower),
    upper: r(evaluation.upper),
    band: evaluation.band,
    rows: evaluation.rows,
    since,
  };
}
