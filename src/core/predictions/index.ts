// Prediction-log monitoring: parsing, schema, reference profile, windows, drift, quality, anomalies.
export { LineSplitter, DEFAULT_MAX_LINE_CHARS, type LogLine, type LineProblem } from './lines';
export { splitCsvRecord, detectDelimiter, CsvRecordAssembler, type CsvRecord } from './csv';
export {
  inferPredictionSchema,
  validateSchemaOverride,
  flattenRecord,
  type PredictionSchema,
  type PredictionSchemaOverride,
  type FeatureColumn,
  type FeatureKind,
} from './schema';
export { RowDecoder, type PredictionRow, type RawRecord } from './row';
export { PredictionLineParser } from './parser';
export { labelPairReader, type LabelPair } from './labels';
export { buildReferenceProfile, type ReferenceProfile } from './profile';
export { AnomalyScorer, type AnomalyScore } from './anomaly';
export * from './metrics';
export type * from './report';
export { driftVerdicts, driftedFeatureNames, type DriftVerdict, type VerdictTest, type OpenDriftEpisode } from './verdict';
export {
  PredictionMonitor,
  DEFAULT_REFERENCE_ROWS,
  DEFAULT_WINDOW_ROWS,
  type PredictionMonitorOptions,
  type ReferenceSpec,
} from './monitor';
