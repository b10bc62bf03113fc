import { CheckpointFormatError } from './layout';

/** One file of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  readonly name: string;
  /** 0 = stored, 8 = deflated; torch.save stores everything uncompressed. */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
}

/** Where the central directory lies, from the end-of-central-directory records. */
export interface CentralDirectoryLocation {
  readonly offset: number;
  readonly size: number;
  readonly entryCount: number;
  readonly zip64: boolean;
}

/** Bytes to read from the end of a file to be sure of finding the (ZIP64) end records. */
export const ZIP_TAIL_LENGTH = 22 + 0xffff + 20 + 56;
export const LOCAL_HEADER_LENGTH = 30;

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

function fail(message: string): never {
  throw new CheckpointFormatError(message);
}

function u64(view: DataView, at: number): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('zip record holds a size or offset too large to be real');
  return Number(v);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** True if the file starts like a zip archive (a local file header). */
export function looksLikeZip(prefix: Uint8Array): boolean {
  return prefix.byteLength >= 4 && viewOf(prefix).getUint32(0, true) === LOCAL_SIG;
}

/**
 * Finds the central directory from the last bytes of a zip (`tail` starts at absolute
 * `tailOffset`; read {@link ZIP_TAIL_LENGTH} bytes or the whole file). Handles ZIP64.
 */
export function locateCentralDirectory(tail: Uint8Array, tailOffset: number, fileSize: number): CentralDirectoryLocation {
  const view = viewOf(tail);
  let eocd = -1;
  for (let i = tail.byteLength - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD_SIG && i + 22 + view.getUint16(i + 20, true) === tail.byteLength) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('zip end-of-central-directory record not found (truncated or not a zip)');
  let entryCount = view.getUint16(eocd + 10, true);
  let size = view.getUint32(eocd + 12, true);
  let offset = view.getUint32(eocd + 16, true);
  let zip64 = false;
  const locator = eocd - 20;
  if (locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR_SIG) {
    zip64 = true;
    const recordAt = u64(view, locator + 8) - tailOffset;
    if (recordAt < 0 || recordAt + 56 > tail.byteLength || view.getUint32(recordAt, true) !== ZIP64_EOCD_SIG)
      fail('ZIP64 end-of-central-directory record is missing or misplaced');
    entryCount = u64(view, recordAt + 32);
    size = u64(view, recordAt + 40);
    offset = u64(view, recordAt + 48);
  }
  if (offset + size > fileSize) fail(`zip central directory (${size} bytes at ${offset}) runs past the end of the ${fileSize}-byte file`);
  // Each central entry takes at least 46 bytes: a bigger count is a lie.
  if (entryCount * 46 > size) fail(`zip claims ${entryCount} entries but its central directory holds only ${size} bytes`);
  return { offset, size, entryCount, zip64 };
}

/** Parses `count` central directory entries; sizes and offsets are checked against `fileSize`. */
export function parseCentralDirectory(bytes: Uint8Array, count: number, fileSize: number): ZipEntry[] {
  const view = viewOf(bytes);
  const entries: ZipEntry[] = [];
  const utf8 = new TextDecoder('utf-8');
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.byteLength || view.getUint32(at, true) !== CENTRAL_SIG) fail(`zip central directory entry ${n} is damaged`);
    const method = view.getUint16(at + 10, true);
    const crc32 = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    const nameAt = at + 46;
    const extraAt = nameAt + nameLength;
    const next = extraAt + extraLength + commentLength;
    if (next > bytes.byteLength) fail(`zip central directory entry ${n} runs past the directory`);
    const name = utf8.decode(bytes.subarray(nameAt, nameAt + nameLength));
    // ZIP64 extra field: only the fields saturated in the fixed part are present, in this order.
    for (let e = extraAt; e + 4 <= extraAt + extraLength; ) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let p = e + 4;
        const end = Math.min(p + len, extraAt + extraLength);
        if (size === 0xffffffff && p + 8 <= end) (size = u64(view, p)), (p += 8);
        if (compressedSize === 0xffffffff && p + 8 <= end) (compressedSize = u64(view, p)), (p += 8);
        if (localHeaderOffset === 0xffffffff && p + 8 <= end) localHeaderOffset = u64(view, p);
      }
      e += 4 + len;
    }
    if (localHeaderOffset + LOCAL_HEADER_LENGTH + compressedSize > fileSize)
      fail(`zip entry '${name}' (${compressedSize} bytes at ${localHeaderOffset}) runs past the end of the file`);
    entries.push({ name, method, compressedSize, size, crc32, localHeaderOffset });
    at = next;
  }
  return entries;
}

/** Absolute offset of an entry's data, from its 30-byte local header (whose extra field may pad it). */
export function entryDataOffset(localHeader: Uint8Array, entry: ZipEntry, fileSize: number): number {
  if (localHeader.byteLength < LOCAL_HEADER_LENGTH) fail(`zip local header of '${entry.name}' is truncated`);
  const view = viewOf(localHeader);
  if (view.getUint32(0, true) !== LOCAL_SIG) fail(`zip local header of '${entry.name}' is damaged`);
  const data = entry.localHeaderOffset + LOCAL_HEADER_LENGTH + view.getUint16(26, true) + view.getUint16(28, true);
  if (data + entry.compressedSize > fileSize) fail(`zip entry '${entry.name}' data runs past the end of the file`);
  return data;
}
