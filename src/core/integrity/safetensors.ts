import { dtypeSize, isDType, type DType } from './dtype';
import { CheckpointFormatError, elementCount, type TensorLayout } from './layout';

/** The safetensors reference implementation refuses headers over 100 MB; so do we. */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

/** The parsed, validated header of a safetensors file. */
export interface SafetensorsHeader {
  /** Length of the JSON header (the u64 at offset 0). */
  readonly headerLength: number;
  /** Absolute offset of the data region (8 + headerLength). */
  readonly dataStart: number;
  /** Tensors in data order, with absolute byte ranges. */
  readonly tensors: readonly TensorLayout[];
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Reads the header length from a file's first 8 bytes and checks it fits in `fileSize`.
 * Throws {@link CheckpointFormatError} naming what is wrong.
 */
export function safetensorsHeaderLength(first8: Uint8Array, fileSize: number): number {
  if (first8.byteLength < 8 || fileSize < 8) throw new CheckpointFormatError('file is shorter than the 8-byte safetensors header length');
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_SAFETENSORS_HEADER)) throw new CheckpointFormatError(`safetensors header length ${n} exceeds the 100 MB limit`);
  const length = Number(n);
  if (8 + length > fileSize) throw new CheckpointFormatError(`safetensors header length ${length} runs past the end of the ${fileSize}-byte file`);
  return length;
}

/** True if these leading bytes look like a safetensors file (a sane length followed by `{`). */
export function looksLikeSafetensors(prefix: Uint8Array, fileSize: number): boolean {
  if (prefix.byteLength < 9) return false;
  try {
    safetensorsHeaderLength(prefix, fileSize);
  } catch {
    return false;
  }
  return prefix[8] === 0x7b;
}

function fail(message: string): never {
  throw new CheckpointFormatError(message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parses and validates a safetensors header: JSON object, known dtypes, shape x dtype size equal
 * to each byte range, ranges in bounds, non-overlapping and exactly covering the data region.
 * `headerBytes` is the JSON text (the `headerLength` bytes after the first 8).
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number): SafetensorsHeader {
  const headerLength = headerBytes.byteLength;
  const dataStart = 8 + headerLength;
  const dataLength = fileSize - dataStart;
  if (dataLength < 0) fail('safetensors header runs past the end of the file');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch {
    fail('safetensors header is not valid UTF-8 JSON');
  }
  if (!isObject(json)) fail('safetensors header is not a JSON object');
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isObject(value)) fail('safetensors __metadata__ is not an object');
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') fail(`safetensors __metadata__ value for '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (!isObject(value)) fail(`tensor '${name}': entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = value;
    if (typeof dtype !== 'string' || !isDType(dtype)) fail(`tensor '${name}': unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(nonNegativeInt)) fail(`tensor '${name}': shape must be a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(nonNegativeInt))
      fail(`tensor '${name}': data_offsets must be two non-negative integers`);
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(`tensor '${name}': data_offsets end ${end} is before begin ${begin}`);
    const expected = elementCount(shape as number[]) * dtypeSize(dtype);
    if (end - begin !== expected)
      fail(`tensor '${name}': shape [${shape.join(', ')}] of ${dtype} needs ${expected} bytes but data_offsets span ${end - begin}`);
    if (end > dataLength) fail(`tensor '${name}': data_offsets end ${end} is past the ${dataLength}-byte data region`);
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin < cursor) fail(`tensor '${e.name}': bytes ${e.begin}..${e.end} overlap the previous tensor`);
    if (e.begin > cursor) fail(`tensor '${e.name}': gap of ${e.begin - cursor} unaccounted bytes before it`);
    cursor = e.end;
  }
  if (cursor !== dataLength) fail(`tensors cover ${cursor} bytes but the data region holds ${dataLength}`);
  const tensors = entries.map<TensorLayout>((e) => ({
    name: e.name,
    dtype: e.dtype,
    shape: e.shape,
    runs: [{ offset: dataStart + e.begin, length: e.end - e.begin }],
    bigEndian: false,
  }));
  return { headerLength, dataStart, tensors, metadata };
}
