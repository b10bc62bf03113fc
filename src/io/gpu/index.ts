// The GPU engine's Node half: the nvidia-smi sampler and its one-off queries.
export * from './gpuSampler';
export * from './probe';
export * from './smiProcess';
export { HostMetricsSampler, type TextReader } from '../hostMetrics';
export * from './amdProbe';
export * from './amdSampler';
export * from './gpuSource';
export * from './locate';
