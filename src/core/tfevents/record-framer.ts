import { maskedCrc32c, maskedCrc32c8 } from './crc32c';
import { RECORD_WINDOW_BYTES, soundRecordLengths } from './record-check';

/** A damaged stretch of an event file: where it starts and what was wrong. */
export interface Corruption {
  /** Byte offset in the file where the bad record (or garbage) begins. */
  offset: number;
  message: string;
}

export interface FramerOptions {
  /** Check each payload's CRC (default true). The length CRC is always checked. */
  verifyDataCrc?: boolean;
  /** Records longer than this are treated as corruption (default 128 MiB). */
  maxRecordBytes?: number;
  /**
   * Frame and check runs of sound records in WebAssembly where the runtime has it (default true):
   * the same checks, about 2.5x faster. false keeps every byte in JavaScript, the reference the
   * tests compare it with. Damaged bytes are always judged in JavaScript.
   */
  wasm?: boolean;
}

/** Called once per intact record; `payload` is a view that is only valid during the call. */
export type RecordSink = (payload: Uint8Array, offset: number) => void;
/** Called once per intact record with its payload as `buf[start, end)`, valid only during the call; allocates nothing. */
export type RecordRangeSink = (buf: Uint8Array, start: number, end: number, offset: number) => void;
export type CorruptionSink = (corruption: Corruption) => void;

export const DEFAULT_MAX_RECORD_BYTES = 128 * 1024 * 1024;
const HEADER = 12;
/** Bytes framed in JavaScript after WebAssembly declined a record, before it is tried again. */
const WASM_RETRY_BYTES = 64 * 1024;
const FOOTER = 4;

/**
 * Splits a growing byte stream into TFRecords: `u64 length | u32 masked crc(length) | payload |
 * u32 masked crc(payload)`.
 *
 * Feed it the file's bytes in order with {@link push}; a record cut short at the end is kept and
 * completed by later bytes, as happens while a writer is still writing. A bad length CRC or an
 * oversized length is reported once, then the framer scans forward byte by byte for the next
 * offset whose length CRC checks out and carries on from there; a bad payload CRC drops only that
 * record. Memory held is bounded by the longest accepted record, never by a length field alone.
 */
export class TfRecordFramer {
  /**
   * Gives `copy`, a structured clone of an instance (as a worker thread posts it), its class back,
   * with the classes of what it holds. Returns it, now an instance.
   */
  static revive(copy: object): TfRecordFramer {
    return Object.setPrototypeOf(copy, TfRecordFramer.prototype) as TfRecordFramer;
  }

  private readonly verifyDataCrc: boolean;
  private readonly maxRecordBytes: number;
  private readonly wasm: boolean;
  /** File offset of the first byte not yet framed (the start of the carried bytes, if any). */
  private offset = 0;
  private carry = new Uint8Array(0);
  private carryLength = 0;
  /** Total length of the carried record once its header checked out, else 0. */
  private carryNeed = 0;
  private resyncing = false;

  constructor(options: FramerOptions = {}) {
    this.verifyDataCrc = options.verifyDataCrc ?? true;
    const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    if (!Number.isInteger(max) || max < 1 || max > 0xffffffff) {
      throw new RangeError(`maxRecordBytes must be an integer in [1, 2^32), got ${max}`);
    }
    this.maxRecordBytes = max;
    this.wasm = options.wasm ?? true;
  }

  /** File offset up to which every byte has been framed or skipped. */
  get framedOffset(): number {
    return this.offset;
  }

  /** Bytes received but not yet part of a complete record (a record still being written). */
  get pendingBytes(): number {
    return this.carryLength;
  }

  /** Forgets all state, as for a file that was truncated or replaced. */
  reset(): void {
    this.offset = 0;
    this.carry = new Uint8Array(0);
    this.carryLength = 0;
    this.carryNeed = 0;
    this.resyncing = false;
  }

  /** Frames the next bytes of the file. */
  push(chunk: Uint8Array, onRecord: RecordSink, onCorruption: CorruptionSink): void {
    this.pushRanges(chunk, (buf, start, end, offset) => onRecord(buf.subarray(start, end), offset), onCorruption);
  }

  /** As {@link push}, handing each payload over as a byte range: no view is created per record. */
  pushRanges(chunk: Uint8Array, onRecord: RecordRangeSink, onCorruption: CorruptionSink): void {
    let rest = chunk;
    if (this.carryLength > 0) {
      if (!this.resyncing && this.carryNeed === 0 && this.carryLength < HEADER) {
        const take = Math.min(HEADER - this.carryLength, rest.length);
        this.append(rest.subarray(0, take));
        rest = rest.subarray(take);
        if (this.carryLength < HEADER) return;
        this.carryNeed = this.checkHeader(this.carry, 0, onCorruption);
      }
      if (this.carryNeed > 0) {
        // Complete the carried record with as few bytes of the chunk as it needs.
        const take = Math.min(this.carryNeed - this.carryLength, rest.length);
        this.append(rest.subarray(0, take));
        rest = rest.subarray(take);
        if (this.carryLength < this.carryNeed) return;
        this.emitRecord(this.carry, 0, this.carryNeed - HEADER - FOOTER, onRecord, onCorruption);
        this.offset += this.carryNeed;
        this.carryLength = 0;
        this.carryNeed = 0;
      } else {
        // A damaged header or a scan in progress: reframe carry and chunk together (rare).
        const joined = new Uint8Array(this.carryLength + rest.length);
        joined.set(this.carry.subarray(0, this.carryLength));
        joined.set(rest, this.carryLength);
        this.carryLength = 0;
        rest = joined;
      }
    }
    const used = this.frame(rest, onRecord, onCorruption);
    this.offset += used;
    if (used < rest.length) {
      this.carryLength = 0;
      this.append(rest.subarray(used));
      if (!this.resyncing && this.carryLength >= HEADER) this.carryNeed = this.headerLength(this.carry, 0);
    }
  }

  /**
   * Reports bytes left over at the end of a file that is read once: a record the writer never
   * finished. Returns undefined when the file ended on a record boundary.
   */
  finish(): Corruption | undefined {
    if (this.carryLength === 0 || this.resyncing) return undefined;
    const need = this.carryNeed > 0 ? ` of ${this.carryNeed}` : '';
    return {
      offset: this.offset,
      message: `file ends mid-record (${this.carryLength}${need} bytes present); the writer may still be writing it`,
    };
  }

  private append(bytes: Uint8Array): void {
    const needed = this.carryLength + bytes.length;
    if (needed > this.carry.length) {
      // A record whose header checked out gets its exact size at once: no doubling, no copy of copies.
      const size = this.carryNeed >= needed ? this.carryNeed : Math.max(needed, Math.min(this.carry.length * 2, this.maxRecordBytes + HEADER + FOOTER), 64);
      const grown = new Uint8Array(size);
      grown.set(this.carry.subarray(0, this.carryLength));
      this.carry = grown;
    }
    this.carry.set(bytes, this.carryLength);
    this.carryLength = needed;
  }

  /** Frames complete records in `buf` (which starts at this.offset); returns the bytes used. */
  private frame(buf: Uint8Array, onRecord: RecordRangeSink, onCorruption: CorruptionSink): number {
    let pos = 0;
    const end = buf.length;
    // Where WebAssembly is tried again after it declined a record: damaged records in a row (a
    // writer with wrong payload CRCs) would each cost a window's copy, so JavaScript frames the
    // next 64 KiB before the next try.
    let wasmFrom = this.wasm ? 0 : Infinity;
    for (;;) {
      if (this.resyncing) {
        const found = this.scan(buf, pos);
        if (found < 0) return Math.max(pos, end - HEADER + 1);
        pos = found;
        this.resyncing = false;
      }
      if (pos >= wasmFrom) {
        const from = pos;
        pos = this.frameSound(buf, pos, onRecord);
        if (pos === from) wasmFrom = pos + WASM_RETRY_BYTES;
      }
      if (end - pos < HEADER) return pos;
      const total = this.checkHeader(buf, pos, onCorruption, this.offset + pos);
      if (total === 0) {
        pos += 1;
        continue;
      }
      if (end - pos < total) return pos;
      this.emitRecord(buf, pos, total - HEADER - FOOTER, onRecord, onCorruption, this.offset + pos);
      pos += total;
    }
  }

  /**
   * Emits the run of sound records from `pos`, checked in WebAssembly a window at a time; returns
   * where it stopped: at a record that is incomplete, damaged or longer than a window, which the
   * JavaScript path then judges exactly as it judges every record without WebAssembly.
   */
  private frameSound(buf: Uint8Array, pos: number, onRecord: RecordRangeSink): number {
    const end = buf.length;
    while (end - pos >= HEADER + FOOTER && this.headerLength(buf, pos) <= RECORD_WINDOW_BYTES) {
      const lengths = soundRecordLengths(buf, pos, end, this.maxRecordBytes, this.verifyDataCrc);
      if (lengths.length === 0) break;
      for (let k = 0; k < lengths.length; k++) {
        const total = lengths[k]!;
        onRecord(buf, pos + HEADER, pos + total - FOOTER, this.offset + pos);
        pos += total;
      }
    }
    return pos;
  }

  /** Returns the record's total length if the header at `pos` is sound; else reports, starts a scan, returns 0. */
  private checkHeader(buf: Uint8Array, pos: number, onCorruption: CorruptionSink, at = this.offset): number {
    const lengthLow = readU32(buf, pos);
    const lengthHigh = readU32(buf, pos + 4);
    if (maskedCrc32c8(buf, pos) !== readU32(buf, pos + 8)) {
      onCorruption({ offset: at, message: 'record length checksum mismatch; skipping to the next intact record' });
    } else if (lengthHigh !== 0 || lengthLow > this.maxRecordBytes) {
      const length = lengthHigh * 2 ** 32 + lengthLow;
      onCorruption({
        offset: at,
        message: `record length ${length} exceeds the ${this.maxRecordBytes}-byte limit; skipping to the next intact record`,
      });
    } else {
      return lengthLow + HEADER + FOOTER;
    }
    this.resyncing = true;
    if (buf === this.carry) {
      // The damaged header sits in the carried bytes: rescan them from the next byte.
      const remaining = this.carry.slice(1, this.carryLength);
      this.offset += 1;
      this.carryLength = 0;
      this.append(remaining);
    }
    return 0;
  }

  private headerLength(buf: Uint8Array, pos: number): number {
    return readU32(buf, pos + 4) === 0 ? readU32(buf, pos) + HEADER + FOOTER : 0;
  }

  /** Next offset >= from whose 12 bytes form a sound header, or -1 when none is in `buf`. */
  private scan(buf: Uint8Array, from: number): number {
    for (let p = from; p + HEADER <= buf.length; p++) {
      if (buf[p + 4] !== 0 || buf[p + 5] !== 0 || buf[p + 6] !== 0 || buf[p + 7] !== 0) continue;
      if (readU32(buf, p) > this.maxRecordBytes) continue;
      if (maskedCrc32c(buf, p, p + 8) === readU32(buf, p + 8)) return p;
    }
    return -1;
  }

  private emitRecord(
    buf: Uint8Array,
    pos: number,
    length: number,
    onRecord: RecordRangeSink,
    onCorruption: CorruptionSink,
    at = this.offset,
  ): void {
    const start = pos + HEADER;
    if (this.verifyDataCrc && maskedCrc32c(buf, start, start + length) !== readU32(buf, start + length)) {
      onCorruption({ offset: at, message: `record payload checksum mismatch (${length} bytes); record skipped` });
      return;
    }
    onRecord(buf, start, start + length, at);
  }
}

function readU32(buf: Uint8Array, p: number): number {
  return (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
}
