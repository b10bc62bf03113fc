import type { DType } from './dtype';

/** A byte range of a checkpoint file: `length` bytes from absolute `offset`. */
export interface ByteRun {
  readonly offset: number;
  readonly length: number;
}

/** Where one tensor's elements lie in a checkpoint file, in row-major element order. */
export interface TensorLayout {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Usually one run; a strided view of a torch storage gives several. */
  readonly runs: readonly ByteRun[];
  /** torch.save records `byteorder`; big-endian files decode differently (hashes stay bytewise). */
  readonly bigEndian: boolean;
  /**
   * A view that reads storage elements more than once (stride 0, overlapping strides): `runs` is
   * then the storage span it reads, not its elements in order, so digests stay bounded by the storage.
   */
  readonly storageSpan?: true;
}

/** Checkpoint formats this engine recognises. */
export type CheckpointFormat = 'safetensors' | 'torch-zip' | 'torch-legacy' | 'pickle' | 'unknown';

/** Thrown by the readers for a file that is not what it claims to be; its message is for the user. */
export class CheckpointFormatError extends Error {
  override readonly name = 'CheckpointFormatError';
}

/** Product of a shape's dimensions (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
