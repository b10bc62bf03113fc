import { float32At, float64At } from './protobuf';

/**
 * The common case, found without allocating: an Event holding only wall_time, step and a Summary
 * of `simple_value`s (what PyTorch's add_scalar and tensorboardX write). Filled by
 * {@link scanSimpleScalars}; tags are byte ranges of the payload.
 */
export class SimpleScalars {
  wallTime = 0;
  step = 0;
  count = 0;
  tagStart = new Int32Array(8);
  tagEnd = new Int32Array(8);
  values = new Float64Array(8);

  push(tagStart: number, tagEnd: number, value: number): void {
    if (this.count === this.values.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.tagStart = grow(this.tagStart);
      this.tagEnd = grow(this.tagEnd);
      this.values = grow(this.values);
    }
    this.tagStart[this.count] = tagStart;
    this.tagEnd[this.count] = tagEnd;
    this.values[this.count++] = value;
  }
}

/** Reads a short varint (< 2^28) at `p`; returns -1 if longer or past `end`. Position in `next`. */
function shortVarint(buf: Uint8Array, p: number, end: number, next: { p: number }): number {
  let v = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (p >= end) return -1;
    const b = buf[p++]!;
    v |= (b & 0x7f) << shift;
    if (b < 0x80) {
      next.p = p;
      return v;
    }
  }
  return -1;
}

const cursor = { p: 0 };

/**
 * Returns true and fills `out` when `payload` is exactly the simple-scalar shape; false for any
 * other field (the caller then uses the general decoder). Steps above 2^28 also go the general way.
 */
export function scanSimpleScalars(payload: Uint8Array, out: SimpleScalars, start = 0, end = payload.length): boolean {
  out.wallTime = 0;
  out.step = 0;
  out.count = 0;
  if (scanAddScalar(payload, out, start, end)) return true;
  let p = start;
  let sawSummary = false;
  while (p < end) {
    const key = payload[p++]!;
    if (key === 0x09) {
      if (p + 8 > end) return false;
      out.wallTime = float64At(payload, p);
      p += 8;
    } else if (key === 0x10) {
      const step = shortVarint(payload, p, end, cursor);
      if (step < 0) return false;
      out.step = step;
      p = cursor.p;
    } else if (key === 0x2a) {
      const length = shortVarint(payload, p, end, cursor);
      if (length < 0 || cursor.p + length > end) return false;
      p = cursor.p;
      if (!scanSummary(payload, p, p + length, out)) return false;
      p += length;
      sawSummary = true;
    } else {
      return false;
    }
  }
  return sawSummary;
}

/**
 * The event PyTorch's and tensorboardX's add_scalar write, matched byte for byte at fixed places:
 * wall_time, a step under 2^28, and a Summary of one Value holding a tag and a simple_value, each
 * length a single byte. A third of the scan's time went to walking this one layout field by
 * field. Anything else returns false and takes the general scan, which reads the same fields of
 * this layout to the same values: the checks that the layout ends exactly at `end` keep every
 * read inside the record.
 */
function scanAddScalar(buf: Uint8Array, out: SimpleScalars, start: number, end: number): boolean {
  if (buf[start] !== 0x09 || buf[start + 9] !== 0x10) return false;
  let p = start + 10;
  let b = buf[p++]!;
  let step = b & 0x7f;
  if (b >= 0x80) {
    b = buf[p++]!;
    step |= (b & 0x7f) << 7;
    if (b >= 0x80) {
      b = buf[p++]!;
      step |= (b & 0x7f) << 14;
      if (b >= 0x80) {
        b = buf[p++]!;
        step |= (b & 0x7f) << 21;
        if (b >= 0x80) return false;
      }
    }
  }
  // Summary (5), its one Value (1), the Value's tag (1): three one-byte lengths that must agree.
  const summaryLength = buf[p + 1]!;
  const tagLength = buf[p + 5]!;
  if (
    buf[p] !== 0x2a ||
    summaryLength >= 0x80 ||
    p + 2 + summaryLength !== end ||
    buf[p + 2] !== 0x0a ||
    buf[p + 3] !== summaryLength - 2 ||
    buf[p + 4] !== 0x0a ||
    tagLength >= 0x80 ||
    tagLength + 7 !== summaryLength - 2 ||
    buf[p + 6 + tagLength] !== 0x15
  ) {
    return false;
  }
  out.wallTime = float64At(buf, start + 1);
  out.step = step;
  out.push(p + 6, p + 6 + tagLength, float32At(buf, p + 7 + tagLength));
  return true;
}

function scanSummary(buf: Uint8Array, start: number, end: number, out: SimpleScalars): boolean {
  let p = start;
  while (p < end) {
    if (buf[p++] !== 0x0a) return false;
    const length = shortVarint(buf, p, end, cursor);
    if (length < 0 || cursor.p + length > end) return false;
    p = cursor.p;
    const valueEnd = p + length;
    let tagStart = -1;
    let tagEnd = -1;
    let value = NaN;
    let sawValue = false;
    while (p < valueEnd) {
      const key = buf[p++]!;
      if (key === 0x0a) {
        const n = shortVarint(buf, p, valueEnd, cursor);
        if (n < 0 || cursor.p + n > valueEnd) return false;
        tagStart = cursor.p;
        tagEnd = cursor.p + n;
        p = tagEnd;
      } else if (key === 0x15) {
        if (p + 4 > valueEnd) return false;
        value = float32At(buf, p);
        p += 4;
        sawValue = true;
      } else {
        return false;
      }
    }
    if (!sawValue || tagStart < 0) return false;
    out.push(tagStart, tagEnd, value);
  }
  return true;
}

/** FNV-1a hash of `buf[start, end)`, for looking tags up by their bytes. */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h >>> 0;
}
