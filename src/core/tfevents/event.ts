import {
  ProtoError,
  ProtoReader,
  WIRE_BYTES,
  WIRE_FIXED32,
  WIRE_FIXED64,
  bfloat16ToNumber,
  decodeUtf8,
  halfToNumber,
} from './protobuf';

/** What a summary value holds, as far as monitoring needs it. */
export type ValueKind = 'scalar' | 'histogram' | 'text' | 'image' | 'audio' | 'hparams' | 'tensor';

/** Bucketed distribution; from `histo` (PyTorch) or a [k,3] tensor of (left, right, count) rows (TF2). */
export interface Histogram {
  min: number;
  max: number;
  count: number;
  sum: number;
  /** Right edge of each bucket. */
  bucketLimits: number[];
  bucketCounts: number[];
}

/** Image metadata (the pixels are not kept). */
export interface ImageInfo {
  width: number;
  height: number;
  colorspace: number;
  encodedBytes: number;
  /** How many images the value holds (TF2 image tensors can hold several). */
  count: number;
}

export interface AudioInfo {
  sampleRate: number;
  channels: number;
  frames: number;
  contentType: string;
  encodedBytes: number;
}

export type HParamValue = number | string | boolean;

/** The hparams plugin's three records: experiment definition, session start (values), session end. */
export interface HParamsInfo {
  experiment?: { hparams: { name: string; type: number }[]; metrics: string[] };
  sessionStart?: { hparams: Record<string, HParamValue>; groupName: string; startTimeSecs: number };
  sessionEnd?: { status: number; endTimeSecs: number };
}

/** A tensor that is not a scalar, histogram, text or image (e.g. a PR curve): its type and shape only. */
export interface TensorInfo {
  dtype: number;
  shape: number[];
}

export type SummaryData =
  | { kind: 'scalar'; value: number }
  | { kind: 'histogram'; histogram: Histogram }
  | { kind: 'text'; text: string }
  | { kind: 'image'; image: ImageInfo }
  | { kind: 'audio'; audio: AudioInfo }
  | { kind: 'hparams'; hparams: HParamsInfo }
  | { kind: 'tensor'; tensor: TensorInfo };

/** One tagged value of a Summary. `plugin` is '' when the value carried no metadata. */
export interface SummaryValue {
  tag: string;
  plugin: string;
  data: SummaryData;
}

export const SESSION_STATUS_START = 1;

export interface SessionLog {
  status: number;
  checkpointPath: string;
  message: string;
}

/** A decoded Event: wall time, step, and whichever payload it had (unknown fields are skipped). */
export interface TfEvent {
  wallTime: number;
  step: number;
  values: SummaryValue[];
  fileVersion?: string;
  sessionLog?: SessionLog;
}

/** Tells the decoder a tag's plugin when only the tag's first value carried the metadata. */
export type PluginHint = (tag: string) => string | undefined;

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

/**
 * Decodes one Event record's payload. Throws {@link ProtoError} when the bytes are not a
 * well-formed message; unknown fields, graphs and plugins are skipped.
 */
export function decodeEvent(payload: Uint8Array, pluginHint?: PluginHint): TfEvent {
  const r = new ProtoReader(payload);
  const event: TfEvent = { wallTime: 0, step: 0, values: [] };
  while (r.pos < r.end) {
    const key = r.key();
    switch (key) {
      case (1 << 3) | WIRE_FIXED64:
        event.wallTime = r.double();
        break;
      case 2 << 3:
        event.step = r.int64();
        break;
      case (3 << 3) | WIRE_BYTES:
        event.fileVersion = r.string();
        break;
      case (5 << 3) | WIRE_BYTES: {
        const end = r.delimited();
        readSummary(r, end, event.values, pluginHint);
        break;
      }
      case (7 << 3) | WIRE_BYTES:
        event.sessionLog = readSessionLog(r.sub());
        break;
      default:
        r.skip(key & 7);
    }
  }
  if (r.pos !== r.end) throw new ProtoError('event ends inside a field');
  return event;
}

function readSessionLog(r: ProtoReader): SessionLog {
  const log: SessionLog = { status: 0, checkpointPath: '', message: '' };
  while (r.pos < r.end) {
    const key = r.key();
    if (key === 1 << 3) log.status = r.varint();
    else if (key === ((2 << 3) | WIRE_BYTES)) log.checkpointPath = r.string();
    else if (key === ((3 << 3) | WIRE_BYTES)) log.message = r.string();
    else r.skip(key & 7);
  }
  return log;
}

function readSummary(r: ProtoReader, end: number, out: SummaryValue[], hint?: PluginHint): void {
  while (r.pos < end) {
    const key = r.key();
    if (key === ((1 << 3) | WIRE_BYTES)) {
      const valueEnd = r.delimited();
      const value = readValue(r, valueEnd, hint);
      if (value) out.push(value);
      r.pos = valueEnd;
    } else {
      r.skip(key & 7);
    }
  }
  if (r.pos !== end) throw new ProtoError('summary ends inside a field');
}

/** Summary.Value; fields may come in any order, so the payload is located first and read after. */
function readValue(r: ProtoReader, end: number, hint?: PluginHint): SummaryValue | undefined {
  let tag = '';
  let plugin = '';
  let pluginContent: [number, number] | undefined;
  let data: SummaryData | undefined;
  let payloadField = 0;
  let payloadStart = 0;
  let payloadEnd = 0;
  while (r.pos < end) {
    const key = r.key();
    const field = key >>> 3;
    if (key === ((1 << 3) | WIRE_BYTES)) {
      tag = r.string();
    } else if (key === ((2 << 3) | WIRE_FIXED32)) {
      data = { kind: 'scalar', value: r.float() };
    } else if (key === ((9 << 3) | WIRE_BYTES)) {
      const metaEnd = r.delimited();
      const meta = readMetadata(r, metaEnd);
      plugin = meta.plugin;
      pluginContent = meta.content;
      r.pos = metaEnd;
    } else if ((field === 4 || field === 5 || field === 6 || field === 8) && (key & 7) === WIRE_BYTES) {
      payloadEnd = r.delimited();
      payloadField = field;
      payloadStart = r.pos;
      r.pos = payloadEnd;
    } else {
      r.skip(key & 7);
    }
  }
  if (r.pos !== end) throw new ProtoError(`summary value '${tag}' ends inside a field`);
  if (!plugin && hint) plugin = hint(tag) ?? '';
  if (plugin === 'hparams' && pluginContent) {
    data = { kind: 'hparams', hparams: readHParams(new ProtoReader(r.buf, pluginContent[0], pluginContent[1])) };
  } else if (payloadField !== 0) {
    const p = new ProtoReader(r.buf, payloadStart, payloadEnd);
    if (payloadField === 5) data = { kind: 'histogram', histogram: readHistogram(p) };
    else if (payloadField === 4) data = { kind: 'image', image: readImage(p) };
    else if (payloadField === 6) data = { kind: 'audio', audio: readAudio(p) };
    else data = readTensor(p, plugin);
  }
  if (!data) return undefined;
  return { tag, plugin, data };
}

function readMetadata(r: ProtoReader, end: number): { plugin: string; content?: [number, number] } {
  let plugin = '';
  let content: [number, number] | undefined;
  while (r.pos < end) {
    const key = r.key();
    if (key === ((1 << 3) | WIRE_BYTES)) {
      const pdEnd = r.delimited();
      while (r.pos < pdEnd) {
        const k = r.key();
        if (k === ((1 << 3) | WIRE_BYTES)) plugin = r.string();
        else if (k === ((2 << 3) | WIRE_BYTES)) {
          const cEnd = r.delimited();
          content = [r.pos, cEnd];
          r.pos = cEnd;
        } else r.skip(k & 7);
      }
    } else {
      r.skip(key & 7);
    }
  }
  return content ? { plugin, content } : { plugin };
}

function readHistogram(r: ProtoReader): Histogram {
  const h: Histogram = { min: 0, max: 0, count: 0, sum: 0, bucketLimits: [], bucketCounts: [] };
  while (r.pos < r.end) {
    const key = r.key();
    switch (key) {
      case (1 << 3) | WIRE_FIXED64:
        h.min = r.double();
        break;
      case (2 << 3) | WIRE_FIXED64:
        h.max = r.double();
        break;
      case (3 << 3) | WIRE_FIXED64:
        h.count = r.double();
        break;
      case (4 << 3) | WIRE_FIXED64:
        h.sum = r.double();
        break;
      case (6 << 3) | WIRE_BYTES:
      case (6 << 3) | WIRE_FIXED64:
        readDoubles(r, key, h.bucketLimits);
        break;
      case (7 << 3) | WIRE_BYTES:
      case (7 << 3) | WIRE_FIXED64:
        readDoubles(r, key, h.bucketCounts);
        break;
      default:
        r.skip(key & 7);
    }
  }
  return h;
}

function readDoubles(r: ProtoReader, key: number, out: number[]): void {
  if ((key & 7) === WIRE_FIXED64) {
    out.push(r.double());
    return;
  }
  const end = r.delimited();
  while (r.pos + 8 <= end) out.push(r.double());
  r.pos = end;
}

function readImage(r: ProtoReader): ImageInfo {
  const image: ImageInfo = { width: 0, height: 0, colorspace: 0, encodedBytes: 0, count: 1 };
  while (r.pos < r.end) {
    const key = r.key();
    if (key === 1 << 3) image.height = r.varint();
    else if (key === 2 << 3) image.width = r.varint();
    else if (key === 3 << 3) image.colorspace = r.varint();
    else if (key === ((4 << 3) | WIRE_BYTES)) {
      const end = r.delimited();
      image.encodedBytes = end - r.pos;
      r.pos = end;
    } else r.skip(key & 7);
  }
  return image;
}

function readAudio(r: ProtoReader): AudioInfo {
  const audio: AudioInfo = { sampleRate: 0, channels: 0, frames: 0, contentType: '', encodedBytes: 0 };
  while (r.pos < r.end) {
    const key = r.key();
    if (key === ((1 << 3) | WIRE_FIXED32)) audio.sampleRate = r.float();
    else if (key === 2 << 3) audio.channels = r.varint();
    else if (key === 3 << 3) audio.frames = r.varint();
    else if (key === ((4 << 3) | WIRE_BYTES)) {
      const end = r.delimited();
      audio.encodedBytes = end - r.pos;
      r.pos = end;
    } else if (key === ((5 << 3) | WIRE_BYTES)) audio.contentType = r.string();
    else r.skip(key & 7);
  }
  return audio;
}

/** The fields of a TensorProto, located but not yet interpreted. */
interface RawTensor {
  dtype: number;
  shape: number[];
  content?: [number, number];
  numbers: number[];
  strings: [number, number][];
}

function readTensor(r: ProtoReader, plugin: string): SummaryData {
  const t: RawTensor = { dtype: 0, shape: [], numbers: [], strings: [] };
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
      t.strings.push([r.pos, end]);
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
  return interpretTensor(r.buf, t, plugin);
}

function readPacked(r: ProtoReader, wire: number, scalarWire: number, read: () => number, out: number[]): void {
  if (wire !== WIRE_BYTES) {
    if (wire !== scalarWire) {
      r.skip(wire);
      return;
    }
    out.push(read());
    return;
  }
  const end = r.delimited();
  const outer = r.end;
  r.end = end;
  while (r.pos < end) out.push(read());
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
    return t.numbers[Math.min(i, t.numbers.length - 1)] ?? NaN;
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

function interpretTensor(buf: Uint8Array, t: RawTensor, plugin: string): SummaryData {
  const elements = t.shape.reduce((a, b) => a * b, 1);
  const numeric = t.dtype in ELEMENT_BYTES;
  if (t.dtype === DT_STRING) {
    if (plugin === 'images' && t.strings.length >= 2) return { kind: 'image', image: imageFromStrings(buf, t.strings) };
    if (plugin === '' || plugin === 'text') {
      const parts = t.strings.map(([s, e]) => decodeUtf8(buf, s, Math.min(e, s + MAX_TEXT)));
      return { kind: 'text', text: parts.join('\n').slice(0, MAX_TEXT) };
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
    return { kind: 'histogram', histogram: histogramFromRows(buf, t, Math.max(0, Math.min(t.shape[0]!, Math.floor(available / 3)))) };
  }
  return { kind: 'tensor', tensor: { dtype: t.dtype, shape: t.shape } };
}

function histogramFromRows(buf: Uint8Array, t: RawTensor, rows: number): Histogram {
  const h: Histogram = { min: 0, max: 0, count: 0, sum: 0, bucketLimits: [], bucketCounts: [] };
  for (let i = 0; i < rows; i++) {
    const left = element(buf, t, i * 3);
    const right = element(buf, t, i * 3 + 1);
    const count = element(buf, t, i * 3 + 2);
    if (i === 0) h.min = left;
    h.max = right;
    h.count += count;
    h.sum += count * ((left + right) / 2);
    h.bucketLimits.push(right);
    h.bucketCounts.push(count);
  }
  return h;
}

function imageFromStrings(buf: Uint8Array, strings: [number, number][]): ImageInfo {
  const text = (i: number) => {
    const s = strings[i]!;
    return decodeUtf8(buf, s[0], Math.min(s[1], s[0] + 16));
  };
  let encoded = 0;
  for (let i = 2; i < strings.length; i++) encoded += strings[i]![1] - strings[i]![0];
  return {
    width: Number(text(0)) || 0,
    height: Number(text(1)) || 0,
    colorspace: 0,
    encodedBytes: encoded,
    count: strings.length - 2,
  };
}

function readHParams(r: ProtoReader): HParamsInfo {
  const info: HParamsInfo = {};
  while (r.pos < r.end) {
    const key = r.key();
    if (key === ((2 << 3) | WIRE_BYTES)) info.experiment = readExperiment(r.sub());
    else if (key === ((3 << 3) | WIRE_BYTES)) info.sessionStart = readSessionStart(r.sub());
    else if (key === ((4 << 3) | WIRE_BYTES)) {
      const s = r.sub();
      const end = { status: 0, endTimeSecs: 0 };
      while (s.pos < s.end) {
        const k = s.key();
        if (k === 1 << 3) end.status = s.varint();
        else if (k === ((2 << 3) | WIRE_FIXED64)) end.endTimeSecs = s.double();
        else s.skip(k & 7);
      }
      info.sessionEnd = end;
    } else r.skip(key & 7);
  }
  return info;
}

function readExperiment(r: ProtoReader): NonNullable<HParamsInfo['experiment']> {
  const experiment = { hparams: [] as { name: string; type: number }[], metrics: [] as string[] };
  while (r.pos < r.end) {
    const key = r.key();
    if (key === ((4 << 3) | WIRE_BYTES)) {
      const h = r.sub();
      const info = { name: '', type: 0 };
      while (h.pos < h.end) {
        const k = h.key();
        if (k === ((1 << 3) | WIRE_BYTES)) info.name = h.string();
        else if (k === 4 << 3) info.type = h.varint();
        else h.skip(k & 7);
      }
      experiment.hparams.push(info);
    } else if (key === ((5 << 3) | WIRE_BYTES)) {
      const m = r.sub();
      while (m.pos < m.end) {
        const k = m.key();
        if (k === ((1 << 3) | WIRE_BYTES)) {
          const name = m.sub();
          let group = '';
          let tag = '';
          while (name.pos < name.end) {
            const nk = name.key();
            if (nk === ((1 << 3) | WIRE_BYTES)) group = name.string();
            else if (nk === ((2 << 3) | WIRE_BYTES)) tag = name.string();
            else name.skip(nk & 7);
          }
          experiment.metrics.push(group ? `${group}/${tag}` : tag);
        } else m.skip(k & 7);
      }
    } else r.skip(key & 7);
  }
  return experiment;
}

function readSessionStart(r: ProtoReader): NonNullable<HParamsInfo['sessionStart']> {
  const start = { hparams: {} as Record<string, HParamValue>, groupName: '', startTimeSecs: 0 };
  while (r.pos < r.end) {
    const key = r.key();
    if (key === ((1 << 3) | WIRE_BYTES)) {
      const entry = r.sub();
      let name = '';
      let value: HParamValue = '';
      while (entry.pos < entry.end) {
        const k = entry.key();
        if (k === ((1 << 3) | WIRE_BYTES)) name = entry.string();
        else if (k === ((2 << 3) | WIRE_BYTES)) value = readStructValue(entry.sub());
        else entry.skip(k & 7);
      }
      start.hparams[name] = value;
    } else if (key === ((4 << 3) | WIRE_BYTES)) start.groupName = r.string();
    else if (key === ((5 << 3) | WIRE_FIXED64)) start.startTimeSecs = r.double();
    else r.skip(key & 7);
  }
  return start;
}

/** google.protobuf.Value, reduced to a number, string or boolean. */
function readStructValue(r: ProtoReader): HParamValue {
  let value: HParamValue = '';
  while (r.pos < r.end) {
    const key = r.key();
    if (key === ((2 << 3) | WIRE_FIXED64)) value = r.double();
    else if (key === ((3 << 3) | WIRE_BYTES)) value = r.string();
    else if (key === 4 << 3) value = r.varint() !== 0;
    else r.skip(key & 7);
  }
  return value;
}
