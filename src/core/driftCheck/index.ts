/** The explicit drift check: one log's rows against a reference, feature by feature, ranked. */
export { checkDrift, driftCheckTitle, parseRowRange, rowRangeProblem, type DriftCheckInput, type DriftCheckOutcome, type DriftCheckReference, type RowRange } from './check';
export { compareFeatures, driftStrength, testOverride, type DriftCheckTest, type DriftCheckThresholds } from './featureDrift';
export { featureColumns, columnCounts, columnSize, MAX_VECTOR_ELEMENTS, type FeatureValues } from './columns';
export { PredictionRecordCollector, DRIFT_CHECK_MAX_ROWS, type PredictionRecord, type PredictionRecords } from './records';
