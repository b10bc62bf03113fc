/** The integrity engine's Node-side API, for the CLI, `modelmon check` and the editor glue. */
export { inspectCheckpoint, PICKLE_SCAN_LIMIT, type CheckpointInspection } from './checkpoint-reader';
export { scanCheckpointFile, scanCheckpoints, type FileScanReport } from './checkpoint-scan';
export { findCheckpoints, isCheckpointName, CHECKPOINT_EXTENSIONS } from './checkpoint-files';
export { digestCheckpoint, sha256File } from './digest';
export { writeSnapshot, readManifest, verifyManifest } from './manifest-store';
export { diffCheckpoints, type CheckpointDiff } from './checkpoint-diff';
