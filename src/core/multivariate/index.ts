export { rocAuc } from './rocAuc';
export { domainClassifierAuc, fitLogistic } from './domainClassifier';
export type { DomainClassifierOptions, DomainClassifierResult, FeatureImportance } from './domainClassifier';
export { ReconstructionModel, MIN_CHUNKS } from './reconstruction';
export type { ReconstructionBand, ReconstructionOptions } from './reconstruction';
export { MultivariateDriftMonitor, DEFAULT_MULTIVARIATE, MAX_RANKED, explainedFeatures } from './driftMonitor';
export type { DriftExplanation, MultivariateSettings, NumericRow, ReconstructionEvaluation } from './driftMonitor';
export { multivariateVerdict } from './verdict';
export type { MultivariateSetup, MultivariateVerdict } from './verdict';
