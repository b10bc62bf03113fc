/** The integrity engine's pure API: readers, the pickle scanner, manifests, diffs and source checks. */
export type { Finding, Severity, Verdict } from './findings';
export { worseVerdict } from './findings';
export type { CheckpointFormat, TensorLayout, ByteRun } from './layout';
export { CheckpointFormatError } from './layout';
export { type DType, dtypeSize, decodeElements } from './dtype';
export { parseSafetensorsHeader, safetensorsHeaderLength, type SafetensorsHeader } from './safetensors';
export { analyzePickle, type PickleAnalysis, type PickleValue } from './pickle';
export { PickleScanner, scanPickle, type PickleScanResult, type ClassifiedImport } from './pickle-scanner';
export { classifyGlobal, type GlobalSafety } from './pickle-policy';
export { torchTensorsOf, type TorchTensorRef } from './torch-tensors';
export {
  compareWithManifest,
  parseManifestText,
  ManifestError,
  type Manifest,
  type ManifestEntry,
  type TensorDigest,
  type VerifyReport,
  type ChangedFile,
} from './manifest';
export { TensorDiffAccumulator, type TensorDifference } from './tensor-diff';
export { findUnsafeLoads, type UnsafeLoad, type UnsafeLoadKind, type SourceEdit, type SourcePosition } from './unsafe-loads';
export { checkpointAlerts, type CheckpointAlert, type CheckpointEvent } from './checkpoint-alerts';
