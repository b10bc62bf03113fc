// Training efficiency (pure): GPU history, the run-to-GPU join, per-run figures and findings.
export * from './types';
export * from './history';
export { computeRunEfficiency, computeEfficiency, energyBetween, stepPace, DEFAULT_EFFICIENCY_THRESHOLDS } from './compute';
export { runTimeline, batchSizeOf } from './timeline';
export { GpuLogReader, GpuRecordWriter, RECORD_HEADER } from './gpuLog';
export type { GpuLogFormat, GpuLogOptions, GpuLogProblem } from './gpuLog';
