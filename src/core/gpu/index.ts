// The GPU engine's pure half: parsing nvidia-smi, alert rules, energy, status bar mapping.
export * from './types';
export * from './throttle';
export * from './fields';
export * from './parse';
export * from './snapshot';
export * from './computeApps';
export * from './lines';
export * from './backoff';
export * from './timestamp';
export * from './alerts';
export * from './energy';
export * from './hostStats';
export * from './statusView';
export * from './sampleRecord';
export * from './monitorModel';
