// Node adapters of the TensorBoard engine: file tailing and log directory watching.
export { EventFileTail } from './event-file-tail';
export type { TailStatus, TailOptions } from './event-file-tail';
export { LogdirWatcher, LogdirError, readLogdir, discoverEventFiles } from './logdir';
export type { LogdirOptions, LogdirChange, LogdirContents, FileCorruption } from './logdir';
export { inspectLogdir } from './inspect';
export type { LogdirReport } from './inspect';
