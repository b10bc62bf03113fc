// TensorProto: scalars of every numeric dtype, [k,3] histograms, text and TF2 image tensors.
import type { Histogram, ImageInfo, SummaryData } from './event';
import { ProtoReader, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, bfloat16ToNumber, decodeUtf8, halfToNumber } from './protobuf';

const MAX_TEXT = 64 * 1024;
const DT_FLOAT = 1,
  DT_DOUBLE = 2,
  DT_INT32 = 3,
  DT_UINT8 = 4,
  DT_INT16 = 5,
  DT_INT8 = 6,
  DT_STRING = 7,
  DT_INT64 = 9,
  DT_BOOL = 10,
  DT_BFLOAT16 = 14,
  DT_UINT16 = 17,
  DT_HALF = 19,
  DT_UINT32 = 22,
  DT_UINT64 = 23;

/** Most buckets a histogram keeps; wider ones are merged in adjacent groups, count and sum intact. */
export const MAX_HISTOGRAM_BUCKETS = 4096;
/** Typed-list values decoded per tensor: a scalar needs one, the widest kept histogram 3 per bucket. */
const MAX_LIST_VALUES = 3 * MAX_HISTOGRAM_BUCKETS;
/** Strings located per tensor: text keeps MAX_TEXT characters, an image needs its first two. */
const MAX_STRINGS = 1024;

/** Numbers of a typed list, decoded up to a cap; the bytes of the rest are only counted. */
class CappedNumbers {
  values = new Float64Array(16);
  length = 0;
  skippedBytes = 0;

  constructor(readonly cap: number) {}

  push(x: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(Math.min(this.cap, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = x;
  }

  get full(): boolean {
    return this.length >= this.cap;
  }
}

/** The fields of a TensorProto, located but not yet interpreted. */
interface RawTensor {
  dtype: number;
  shape: number[];
  content?: [number, number];
  numbers: CappedNumbers;
  /** The first MAX_STRINGS strings' byte ranges; all of them counted in stringCount and stringBytes. */
  strings: [number, number][];
  stringCount: number;
  stringBytes: number;
}

/**
 * Reads a TensorProto and interprets it by dtype, shape and (if known) plugin. Only what is
 * interpreted is decoded: at most MAX_LIST_VALUES numbers and MAX_STRINGS strings, so memory is
 * bounded whatever the record holds; what was left out is described in `notes`.
 */
export function readTensor(r: ProtoReader, plugin: string, notes?: string[]): SummaryData {
  const t: RawTensor = { dtype: 0, shape: [], numbers: new CappedNumbers(MAX_LIST_VALUES), strings: [], stringCount: 0, stringBytes: 0 };
  while (r.pos < r.end) {
    const key = r.key();
    const field = key >>> 3;
    const wire = key & 7;
    if (key === 1 << 3) t.dtype = r.varint();
    else if (key === ((2 << 3) | WIRE_BYTES)) t.shape = readShape(r.sub());
    else if (key === ((4 << 3) | WIRE_BYTES)) {
      const end = r.delimited();
      t.content = [r.pos, end];
      r.pos = end;
    } else if (key === ((8 << 3) | WIRE_BYTES)) {
      const end = r.delimited();
      if (t.strings.length < MAX_STRINGS) t.strings.push([r.pos, end]);
      t.stringCount++;
      t.stringBytes += end - r.pos;
      r.pos = end;
    } else if (field === 5) readPacked(r, wire, WIRE_FIXED32, () => r.float(), t.numbers);
    else if (field === 6) readPacked(r, wire, WIRE_FIXED64, () => r.double(), t.numbers);
    else if (field === 7 || field === 10 || field === 11 || field === 16 || field === 17) {
      readPacked(r, wire, 0, () => (field === 7 || field === 10 ? r.int64() : r.varint()), t.numbers);
    } else if (field === 13) {
      const convert = t.dtype === DT_BFLOAT16 ? bfloat16ToNumber : halfToNumber;
      readPacked(r, wire, 0, () => convert(r.varint() & 0xffff), t.numbers);
    } else r.skip(wire);
  }
  const data = interpretTensor(r.buf, t, plugin, notes);
  if (notes && t.numbers.skippedBytes > 0) {
    const what = data.kind === 'tensor' ? `tensor (dtype ${t.dtype}, shape [${t.shape.join(',')}]) kept as type and shape only` : `${data.kind} tensor`;
    notes.push(`${what}: ${t.numbers.skippedBytes} bytes of values after the first ${t.numbers.cap} were not decoded`);
  }
  return data;
}

/** Reads one typed-list field, packed or not; values past the cap are skipped, their bytes counted. */
function readPacked(r: ProtoReader, wire: number, scalarWire: number, read: () => number, out: CappedNumbers): void {
  if (wire !== WIRE_BYTES) {
    if (wire !== scalarWire || out.full) {
      const start = r.pos;
      r.skip(wire);
      if (wire === scalarWire) out.skippedBytes += r.pos - start;
      return;
    }
    out.push(read());
    return;
  }
  const end = r.delimited();
  const outer = r.end;
  r.end = end;
  while (r.pos < end && !out.full) out.push(read());
  out.skippedBytes += end - r.pos;
  r.pos = end;
  r.end = outer;
}

function readShape(r: ProtoReader): number[] {
  const dims: number[] = [];
  while (r.pos < r.end) {
    const key = r.key();
    if (key === ((2 << 3) | WIRE_BYTES)) {
      const d = r.sub();
      let size = 0;
      while (d.pos < d.end) {
        const k = d.key();
        if (k === 1 << 3) size = d.int64();
        else d.skip(k & 7);
      }
      dims.push(size);
    } else r.skip(key & 7);
  }
  return dims;
}

const ELEMENT_BYTES: Record<number, number> = {
  [DT_FLOAT]: 4,
  [DT_DOUBLE]: 8,
  [DT_INT32]: 4,
  [DT_UINT8]: 1,
  [DT_INT16]: 2,
  [DT_INT8]: 1,
  [DT_INT64]: 8,
  [DT_BOOL]: 1,
  [DT_BFLOAT16]: 2,
  [DT_UINT16]: 2,
  [DT_HALF]: 2,
  [DT_UINT32]: 4,
  [DT_UINT64]: 8,
};

/** Element i of a numeric tensor, from tensor_content when present, else from the typed list. */
function element(buf: Uint8Array, t: RawTensor, i: number): number {
  if (!t.content) {
    // A typed list shorter than the shape repeats its last value (TensorProto's rule).
    const n = t.numbers;
    return n.length ? n.values[Math.min(i, n.length - 1)]! : NaN;
  }
  const size = ELEMENT_BYTES[t.dtype] ?? 0;
  const p = t.content[0] + i * size;
  if (size === 0 || p + size > t.content[1]) return NaN;
  const view = new DataView(buf.buffer, buf.byteOffset + p, size);
  switch (t.dtype) {
    case DT_FLOAT:
      return view.getFloat32(0, true);
    case DT_DOUBLE:
      return view.getFloat64(0, true);
    case DT_INT32:
      return view.getInt32(0, true);
    case DT_UINT32:
      return view.getUint32(0, true);
    case DT_UINT8:
    case DT_BOOL:
      return view.getUint8(0);
    case DT_INT8:
      return view.getInt8(0);
    case DT_INT16:
      return view.getInt16(0, true);
    case DT_UINT16:
      return view.getUint16(0, true);
    case DT_INT64:
      return Number(view.getBigInt64(0, true));
    case DT_UINT64:
      return Number(view.getBigUint64(0, true));
    case DT_HALF:
      return halfToNumber(view.getUint16(0, true));
    case DT_BFLOAT16:
      return bfloat16ToNumber(view.getUint16(0, true));
    default:
      return NaN;
  }
}

function interpretTensor(buf: Uint8Array, t: RawTensor, plugin: string, notes?: string[]): SummaryData {
  const elements = t.shape.reduce((a, b) => a * b, 1);
  const numeric = t.dtype in ELEMENT_BYTES;
  if (t.dtype === DT_STRING) {
    if (plugin === 'images' && t.stringCount >= 2) return { kind: 'image', image: imageFromStrings(buf, t) };
    if (plugin === '' || plugin === 'text') {
      let text = '';
      for (let i = 0; i < t.strings.length && text.length <= MAX_TEXT; i++) {
        const [s, e] = t.strings[i]!;
        text += (i > 0 ? '\n' : '') + decodeUtf8(buf, s, Math.min(e, s + MAX_TEXT));
      }
      if (notes && t.stringCount > t.strings.length) {
        notes.push(`text of ${t.stringCount} strings (${t.stringBytes} bytes): only the first ${MAX_TEXT} characters of the first ${t.strings.length} are kept`);
      }
      return { kind: 'text', text: text.slice(0, MAX_TEXT) };
    }
  } else if (numeric && elements === 1 && (plugin === '' || plugin === 'scalars')) {
    return { kind: 'scalar', value: element(buf, t, 0) };
  } else if (
    numeric &&
    t.shape.length === 2 &&
    t.shape[1] === 3 &&
    (plugin === 'histograms' || (plugin === '' && t.dtype !== DT_INT32))
  ) {
    // Rows come from the data present, never from the declared shape alone (a hostile shape can't loop).
    const available = t.content ? (t.content[1] - t.content[0]) / (ELEMENT_BYTES[t.dtype] ?? 1) : t.numbers.length;
    const rows = Math.max(0, Math.min(t.shape[0]!, Math.floor(available / 3)));
    if (notes && rows > MAX_HISTOGRAM_BUCKETS) notes.push(`histogram of ${rows} buckets merged into ${Math.ceil(rows / Math.ceil(rows / MAX_HISTOGRAM_BUCKETS))} (count and sum kept)`);
    return { kind: 'histogram', histogram: histogramFromRows(buf, t, rows) };
  }
  return { kind: 'tensor', tensor: { dtype: t.dtype, shape: t.shape } };
}

/** Buckets from (left, right, count) rows; more than MAX_HISTOGRAM_BUCKETS rows merge in equal groups. */
function histogramFromRows(buf: Uint8Array, t: RawTensor, rows: number): Histogram {
  const h: Histogram = { min: 0, max: 0, count: 0, sum: 0, bucketLimits: [], bucketCounts: [] };
  const group = Math.max(1, Math.ceil(rows / MAX_HISTOGRAM_BUCKETS));
  let groupCount = 0;
  for (let i = 0; i < rows; i++) {
    const left = element(buf, t, i * 3);
    const right = element(buf, t, i * 3 + 1);
    const count = element(buf, t, i * 3 + 2);
    if (i === 0) h.min = left;
    h.max = right;
    h.count += count;
    h.sum += count * ((left + right) / 2);
    groupCount += count;
    if ((i + 1) % group === 0 || i === rows - 1) {
      h.bucketLimits.push(right);
      h.bucketCounts.push(groupCount);
      groupCount = 0;
    }
  }
  return h;
}

function imageFromStrings(buf: Uint8Array, t: RawTensor): ImageInfo {
  const text = (i: number) => {
    const s = t.strings[i]!;
    return decodeUtf8(buf, s[0], Math.min(s[1], s[0] + 16));
  };
  const [width, height] = [t.strings[0]!, t.strings[1]!];
  return {
    width: Number(text(0)) || 0,
    height: Number(text(1)) || 0,
    colorspace: 0,
    encodedBytes: t.stringBytes - (width[1] - width[0]) - (height[1] - height[0]),
    count: t.stringCount - 2,
  };
}
