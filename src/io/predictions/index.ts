// Node adapters for prediction logs: one-shot analysis, tailing, labels and reference files.
export {
  analyzePredictionLog,
  createPredictionMonitor,
  feedReferenceFile,
  labelsSource,
  readLabelsFile,
  readTextChunks,
  PredictionLogError,
  type AnalyzeOptions,
} from './logFile';
export { PredictionLogWatcher, type PredictionLogWatcherOptions } from './logWatcher';
