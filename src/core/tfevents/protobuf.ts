// Minimal protobuf wire-format reading: enough for Event/Summary, hand-written for speed.

/** A protobuf message that ends early or declares impossible lengths. */
export class ProtoError extends Error {
  override readonly name = 'ProtoError';
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const scratch = new ArrayBuffer(8);
const scratchBytes = new Uint8Array(scratch);
const scratchF64 = new Float64Array(scratch);
const scratchF32 = new Float32Array(scratch);
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Cursor over one message's bytes `[pos, end)` of `buf`. */
export class ProtoReader {
  pos: number;
  end: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** An unsigned varint up to 2^64 (exact below 2^53). */
  varint(): number {
    const buf = this.buf;
    let p = this.pos;
    let b = buf[p++]!;
    if (b < 0x80 && p <= this.end) {
      this.pos = p;
      return b;
    }
    let low = b & 0x7f;
    let shift = 7;
    while (shift < 28) {
      if (p >= this.end) throw new ProtoError(`varint runs past the end at byte ${p}`);
      b = buf[p++]!;
      low |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) {
        this.pos = p;
        return low >>> 0;
      }
    }
    this.pos = p;
    this.readHigh(low >>> 0);
    return this.high * 2 ** 32 + this.low;
  }

  /** A two's-complement int64 varint (negative values use all 10 bytes). */
  int64(): number {
    const v = this.varint();
    if (v < 2 ** 53) return v;
    if (this.high & 0x80000000) return -((~this.high >>> 0) * 2 ** 32 + (~this.low >>> 0) + 1);
    return v;
  }

  private low = 0;
  private high = 0;

  /** Bytes 5 to 10 of a varint whose first four bytes gave `low28`: sets low/high 32-bit halves exactly. */
  private readHigh(low28: number): void {
    const buf = this.buf;
    let p = this.pos;
    if (p >= this.end) throw new ProtoError(`varint runs past the end at byte ${p}`);
    let b = buf[p++]!;
    this.low = (low28 | ((b & 0x0f) << 28)) >>> 0;
    let high = (b & 0x7f) >>> 4;
    let shift = 3;
    while (b >= 0x80) {
      if (shift > 31) throw new ProtoError(`varint longer than 10 bytes at byte ${p}`);
      if (p >= this.end) throw new ProtoError(`varint runs past the end at byte ${p}`);
      b = buf[p++]!;
      high |= (b & 0x7f) << shift;
      shift += 7;
    }
    this.high = high >>> 0;
    this.pos = p;
  }

  /** A varint field key: returns field number * 8 + wire type. */
  key(): number {
    return this.varint();
  }

  double(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw new ProtoError(`double runs past the end at byte ${p}`);
    const buf = this.buf;
    for (let i = 0; i < 8; i++) scratchBytes[i] = buf[p + i]!;
    this.pos = p + 8;
    return scratchF64[0]!;
  }

  float(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw new ProtoError(`float runs past the end at byte ${p}`);
    const buf = this.buf;
    scratchBytes[0] = buf[p]!;
    scratchBytes[1] = buf[p + 1]!;
    scratchBytes[2] = buf[p + 2]!;
    scratchBytes[3] = buf[p + 3]!;
    this.pos = p + 4;
    return scratchF32[0]!;
  }

  /** Reads a length prefix and returns the end of the delimited bytes; pos is at their start. */
  delimited(): number {
    const length = this.varint();
    const end = this.pos + length;
    if (end > this.end) throw new ProtoError(`field of ${length} bytes runs past the end at byte ${this.pos}`);
    return end;
  }

  /** A nested reader over the next length-delimited field. */
  sub(): ProtoReader {
    const end = this.delimited();
    const r = new ProtoReader(this.buf, this.pos, end);
    this.pos = end;
    return r;
  }

  string(): string {
    const end = this.delimited();
    const s = decodeUtf8(this.buf, this.pos, end);
    this.pos = end;
    return s;
  }

  /** Skips a field's value of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_BYTES:
        this.pos = this.delimited();
        return;
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      default:
        throw new ProtoError(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
    if (this.pos > this.end) throw new ProtoError(`field runs past the end at byte ${this.end}`);
  }
}

/** UTF-8 text of `buf[start, end)`; short ASCII (most tags) skips the TextDecoder call. */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  }
  return utf8.decode(buf.subarray(start, end));
}

/** IEEE half precision bits to a number. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 bits (the top half of a float32) to a number. */
export function bfloat16ToNumber(bits: number): number {
  scratchBytes[0] = 0;
  scratchBytes[1] = 0;
  scratchBytes[2] = bits & 0xff;
  scratchBytes[3] = (bits >>> 8) & 0xff;
  return scratchF32[0]!;
}

/**
 * A DataView of the bytes the last float was read from. Records of one read buffer share it, so
 * a float costs one unaligned load: copying its bytes into a scratch array and reading them back
 * as one float stalls the CPU (the load cannot take its bytes from the separate stores) and was
 * 11 of the 25 ns the simple-scalar scan took an event. Holds on to one read buffer at most.
 */
let viewedBytes: Uint8Array | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/**
 * A DataView of `buf` (the one last asked for, when it is). It runs from `buf`'s first byte to its
 * buffer's end, so over a resizable buffer it tracks the length as `buf` does; callers read only
 * inside `buf`. Checking `buf.byteLength` on every call instead cost 15 % of a 500k-event read.
 */
export function viewOf(buf: Uint8Array): DataView<ArrayBufferLike> {
  if (buf !== viewedBytes) {
    view = new DataView(buf.buffer, buf.byteOffset);
    viewedBytes = buf;
  }
  return view;
}

/** Little-endian float32 at `p` (callers have checked that it lies inside `buf`). */
export function float32At(buf: Uint8Array, p: number): number {
  return viewOf(buf).getFloat32(p, true);
}

/** Little-endian float64 at `p` (callers have checked that it lies inside `buf`). */
export function float64At(buf: Uint8Array, p: number): number {
  return viewOf(buf).getFloat64(p, true);
}
