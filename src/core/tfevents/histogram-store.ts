import type { Histogram } from './event';

// A kept histogram point is one ArrayBuffer: a Float64 header [min, max, count, sum, buckets,
// flags], then the bucket limits and the counts, each as float32 when every value round-trips
// exactly (the usual case for counts, and for limits TF2 wrote as float32), else float64. Against
// two number[] and three objects per point this keeps 8 to 16 bytes a bucket, never more.

const HEADER = 6;
const LIMITS_F32 = 1;
const COUNTS_F32 = 2;

function fitsFloat32(values: readonly number[]): boolean {
  for (const x of values) if (Math.fround(x) !== x && x === x) return false;
  return true;
}

/** Packs a histogram into one buffer (see above); `unpackHistogram` gives it back unchanged. */
export function packHistogram(h: Histogram): ArrayBuffer {
  const limits32 = fitsFloat32(h.bucketLimits);
  const counts32 = fitsFloat32(h.bucketCounts);
  const limitBytes = h.bucketLimits.length * (limits32 ? 4 : 8);
  // Float64 counts must start on an 8-byte boundary.
  const countsAt = HEADER * 8 + Math.ceil(limitBytes / 8) * 8;
  const buffer = new ArrayBuffer(countsAt + h.bucketCounts.length * (counts32 ? 4 : 8));
  const header = new Float64Array(buffer, 0, HEADER);
  header.set([h.min, h.max, h.count, h.sum, h.bucketLimits.length, (limits32 ? LIMITS_F32 : 0) | (counts32 ? COUNTS_F32 : 0)]);
  (limits32 ? new Float32Array(buffer, HEADER * 8, h.bucketLimits.length) : new Float64Array(buffer, HEADER * 8, h.bucketLimits.length)).set(h.bucketLimits);
  (counts32 ? new Float32Array(buffer, countsAt) : new Float64Array(buffer, countsAt)).set(h.bucketCounts);
  return buffer;
}

/** The histogram a buffer of {@link packHistogram} holds, as plain arrays. */
export function unpackHistogram(buffer: ArrayBuffer): Histogram {
  const header = new Float64Array(buffer, 0, HEADER);
  const limitCount = header[4]!;
  const flags = header[5]!;
  const limits32 = (flags & LIMITS_F32) !== 0;
  const countsAt = HEADER * 8 + Math.ceil((limitCount * (limits32 ? 4 : 8)) / 8) * 8;
  const limits = limits32 ? new Float32Array(buffer, HEADER * 8, limitCount) : new Float64Array(buffer, HEADER * 8, limitCount);
  const counts = flags & COUNTS_F32 ? new Float32Array(buffer, countsAt) : new Float64Array(buffer, countsAt);
  return { min: header[0]!, max: header[1]!, count: header[2]!, sum: header[3]!, bucketLimits: Array.from(limits), bucketCounts: Array.from(counts) };
}
