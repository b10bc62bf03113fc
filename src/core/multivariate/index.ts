export { rocAuc } from './rocAuc';
export { domainClassifierAuc, fitLogistic } from './domainClassifier';
export type { DomainClassifierOptions, DomainClassifierResult, FeatureImportance } from './domainClassifier';
