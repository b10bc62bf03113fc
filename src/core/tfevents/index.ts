// The TensorBoard engine's public API: framing, decoding, run store and health checks (pure).
export { crc32c, maskCrc, maskedCrc32c } from './crc32c';
export { TfRecordFramer, DEFAULT_MAX_RECORD_BYTES } from './record-framer';
export type { Corruption, FramerOptions, RecordSink, CorruptionSink } from './record-framer';
export { ProtoError } from './protobuf';
export { decodeEvent, SESSION_STATUS_START } from './event';
export type {
  TfEvent,
  SummaryValue,
  SummaryData,
  ValueKind,
  Histogram,
  ImageInfo,
  AudioInfo,
  HParamsInfo,
  HParamValue,
  TensorInfo,
  SessionLog,
  PluginHint,
} from './event';
export { TagSeries, DEFAULT_MAX_SCALAR_POINTS, DEFAULT_MAX_DATA_POINTS } from './tag-series';
export type { ScalarPoint, DataPoint, SeriesLimits } from './tag-series';
export { RunStore, RunData } from './run-store';
export type { RunRestart } from './run-store';
export { relateRun } from './run-relation';
export type { RunRelation } from './run-relation';
export { HealthMonitor, findHealthProblems } from './health';
export type { TrainingFinding, FindingKind, HealthOptions } from './health';
export { summarizeRuns, summarizeRun, summarizeTag } from './summary';
export type { RunSummary, TagSummary } from './summary';
