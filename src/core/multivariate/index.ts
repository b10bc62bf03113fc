export { rocAuc } from './rocAuc';
export { domainClassifierAuc, fitLogistic } from './domainClassifier';
export type { DomainClassifierOptions, DomainClassifierResult, FeatureImportance } from './domainClassifier';
export { ReconstructionModel, MIN_CHUNKS } from './reconstruction';
export type { ReconstructionBand, ReconstructionOptions } from './reconstruction';
