/** Two-sample drift statistics (scipy-compatible) and Evidently's default test choice per column. */
export { ks2samp, ks2sampSorted, ksPValue, ksStatisticSorted, KS_MAX_EXACT_N, type TestResult } from './ks';
export { kolmogorovSf, smirnovSf } from './kolmogorov';
export {
  wassersteinDistance,
  normalizedWasserstein,
  wassersteinScale,
  jensenShannonDistance,
  jensenShannonCategorical,
  psi,
  psiCategorical,
  hellingerDistance,
  hellingerCategorical,
  PSI_EMPTY_BIN_PROPORTION,
  MIN_REFERENCE_STD,
  type CategoryCounts,
} from './distances';
export { chi2Contingency, proportionsZTest, type Chi2Result } from './contingency';
export { parseNumberLines, parseTable } from './number-lines';
export { chiSquaredSf, normalTwoSidedP, gammaUpperRegularized } from './gamma';
export {
  chooseDriftTest,
  runDriftTest,
  constantReferenceNote,
  DRIFT_TEST_NAMES,
  DEFAULT_THRESHOLDS,
  type DriftTestName,
  type DriftTestChoice,
  type DriftTestOverride,
  type DriftTestResult,
  type DriftDirection,
  type ColumnProfile,
} from './drift-test';
