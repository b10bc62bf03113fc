// The GPU monitor's VS Code glue; extension.ts constructs one GpuMonitor.
export * from './gpuMonitor';
export * from './gpuSettings';
export * from './gpuStatusBar';
