/**
 * Standard errors the window's accuracy must fall below the reference's before a performance
 * alert: one-sided, so a clean window crosses it with probability about 0.00135 per evaluation.
 */
export const PERFORMANCE_Z = 3;

/**
 * Smallest drop, in accuracy, that may alert however many rows there are: on a large window a
 * drop of a few tenths of a point is statistically clear and practically nothing.
 */
export const MIN_ACCURACY_DROP = 0.02;

/** Where a window's accuracy stands against the reference's, sampling error of both included. */
export interface AccuracyBand {
  /** Accuracy of the reference rows. */
  readonly reference: number;
  /** Accuracy of the window (realised, or the calibrated estimate). */
  readonly window: number;
  /** Standard error of window minus reference under "no change" (pooled two-proportion). */
  readonly standardError: number;
  /** (reference - window) / standardError; 0 when the standard error is 0 and nothing moved. */
  readonly z: number;
  /** reference - max(PERFORMANCE_Z * standardError, MIN_ACCURACY_DROP): accuracies below it alert. */
  readonly lower: number;
  /** The window's accuracy is below the band: the performance verdict. */
  readonly below: boolean;
}

/**
 * The performance band of a window: a pooled two-proportion z-test of the window's accuracy
 * against the reference's, one-sided (statsmodels' `proportions_ztest([cr, cw], [nr, nw],
 * alternative="larger")`, pooled variance), with a floor on the drop.
 *
 * Why this test: both accuracies are estimates. 100 rows at 96% have a standard error of about
 * 2 points (sqrt(0.96 * 0.04 / 100)), and a 1000-row reference adds about 0.6 more; a band that
 * ignored either would alarm on clean windows. Pooling the two under "no change" is the score
 * test, which stays sensible near 100% accuracy, where a Wald interval around the window's own
 * accuracy would shrink to nothing (no errors in the window: zero width).
 *
 * Counts may be fractional (a calibrated estimate times its rows).
 *
 * @example
 * accuracyBand(89, 100, 960, 1000).below // true: z = 3.17
 * accuracyBand(90, 100, 960, 1000).below // false: z = 2.75, though 6 points down
 */
export function accuracyBand(windowCorrect: number, windowRows: number, referenceCorrect: number, referenceRows: number): AccuracyBand {
  const reference = referenceCorrect / referenceRows;
  const window = windowCorrect / windowRows;
  const pooled = (windowCorrect + referenceCorrect) / (windowRows + referenceRows);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / windowRows + 1 / referenceRows));
  const drop = reference - window;
  const z = standardError > 0 ? drop / standardError : drop > 0 ? Infinity : 0;
  const lower = reference - Math.max(PERFORMANCE_Z * standardError, MIN_ACCURACY_DROP);
  return { reference, window, standardError, z, lower, below: z > PERFORMANCE_Z && drop > MIN_ACCURACY_DROP };
}

/** "96% - 6.4 points (3 standard errors over 100 window and 1000 reference rows)", for alert messages. */
export function describeAccuracyBand(b: AccuracyBand, windowRows: number, referenceRows: number): string {
  const width = 100 * (b.reference - b.lower);
  return `${(100 * b.reference).toFixed(0)}% - ${width.toFixed(1)} points: ${PERFORMANCE_Z} standard errors over ${Math.round(windowRows)} window and ${Math.round(referenceRows)} reference rows`;
}
