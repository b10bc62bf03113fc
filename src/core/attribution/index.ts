// Attribution drift: which features a model leans on (mean |SHAP| per feature), against the reference.
export { DEFAULT_ATTRIBUTION_PATTERNS, attributedFeature, validateAttributionPattern } from './columns';
export {
  ATTRIBUTION_TOP_RANKS,
  MIN_ATTRIBUTION_ROWS,
  AttributionSums,
  attributionDrift,
  buildAttributionReference,
  describeAttributionMove,
  type AttributionDrift,
  type AttributionFeature,
  type AttributionReference,
} from './drift';
