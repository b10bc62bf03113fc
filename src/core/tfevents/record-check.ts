import { instantiateWasm } from '../wasm';
import { CRC32C_TABLES } from './crc32c';
import { RECORD_CHECK_WASM } from './record-check-wasm';

// The layout record-check.wat fixes: slicing tables, then the list of record lengths, then the window.
const LENGTHS = 8192;
const LENGTH_CAP = 65_536;
const WINDOW = LENGTHS + 4 * LENGTH_CAP;
/** Bytes of a file checked in one call; a longer record is left to JavaScript. */
export const RECORD_WINDOW_BYTES = 1 << 20;

interface RecordCheckExports {
  memory: { buffer: ArrayBuffer };
  maskedCrc(p: number, end: number): number;
  frame(p: number, end: number, max: number, verify: number, out: number, cap: number): number;
}

interface RecordCheck {
  exports: RecordCheckExports;
  bytes: Uint8Array;
  words: Uint32Array;
}

let loaded: RecordCheck | null | undefined;

/** The compiled module, once per thread; null where WebAssembly is missing or refuses it (JavaScript then checks every byte). */
function recordCheck(): RecordCheck | null {
  if (loaded !== undefined) return loaded;
  const exports = instantiateWasm<RecordCheckExports>(RECORD_CHECK_WASM);
  if (!exports) return (loaded = null);
  try {
    // The memory is fixed in size, so these views never go stale.
    const words = new Uint32Array(exports.memory.buffer);
    // The slicing tables at offset 0 are JavaScript's own: one table for both paths.
    words.set(CRC32C_TABLES, 0);
    loaded = { exports, bytes: new Uint8Array(exports.memory.buffer), words };
  } catch {
    loaded = null;
  }
  return loaded;
}

/** True when records can be checked in WebAssembly on this thread. */
export function recordCheckAvailable(): boolean {
  return recordCheck() !== null;
}

const NONE = new Uint32Array(0);

/**
 * The sound TFRecords at the start of `buf[pos, end)`, as their total lengths in order, from one
 * window of at most {@link RECORD_WINDOW_BYTES}: each is whole, its length CRC checks out, its
 * length is at most `maxRecordBytes`, and (with `verifyPayload`) its payload CRC checks out. The
 * list ends before the first record that is not all of these; what that record is, the caller decides.
 */
export function soundRecordLengths(buf: Uint8Array, pos: number, end: number, maxRecordBytes: number, verifyPayload: boolean): Uint32Array {
  const check = recordCheck();
  if (!check) return NONE;
  const length = Math.min(end - pos, RECORD_WINDOW_BYTES);
  check.bytes.set(buf.subarray(pos, pos + length), WINDOW);
  const n = check.exports.frame(WINDOW, WINDOW + length, maxRecordBytes | 0, verifyPayload ? 1 : 0, LENGTHS, LENGTH_CAP);
  return n ? check.words.slice(LENGTHS >>> 2, (LENGTHS >>> 2) + n) : NONE;
}

/** TFRecord's masked CRC-32C of `bytes[start, end)` (at most one window) computed in WebAssembly, for tests; undefined without it. */
export function wasmMaskedCrc32c(bytes: Uint8Array, start: number, end: number): number | undefined {
  const check = recordCheck();
  if (!check || end - start > RECORD_WINDOW_BYTES) return undefined;
  check.bytes.set(bytes.subarray(start, end), WINDOW);
  return check.exports.maskedCrc(WINDOW, WINDOW + end - start) >>> 0;
}
