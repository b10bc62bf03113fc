import { readHParams } from './hparams';
import { ProtoError, ProtoReader, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64 } from './protobuf';
import { MAX_HISTOGRAM_BUCKETS, readTensor } from './tensor';

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
  /** What the decoder left out to stay bounded (a tensor's values, merged buckets), one line per value. */
  skipped?: string[];
}

/** Tells the decoder a tag's plugin when only the tag's first value carried the metadata. */
export type PluginHint = (tag: string) => string | undefined;


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
        readSummary(r, end, event, pluginHint);
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

function readSummary(r: ProtoReader, end: number, event: TfEvent, hint?: PluginHint): void {
  const notes: string[] = [];
  while (r.pos < end) {
    const key = r.key();
    if (key === ((1 << 3) | WIRE_BYTES)) {
      const valueEnd = r.delimited();
      const value = readValue(r, valueEnd, notes, hint);
      if (value) event.values.push(value);
      if (notes.length) {
        for (const note of notes) (event.skipped ??= []).push(`tag '${value?.tag ?? ''}': ${note}`);
        notes.length = 0;
      }
      r.pos = valueEnd;
    } else {
      r.skip(key & 7);
    }
  }
  if (r.pos !== end) throw new ProtoError('summary ends inside a field');
}

/** Summary.Value; fields may come in any order, so the payload is located first and read after. */
function readValue(r: ProtoReader, end: number, notes: string[], hint?: PluginHint): SummaryValue | undefined {
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
    if (payloadField === 5) data = { kind: 'histogram', histogram: readHistogram(p, notes) };
    else if (payloadField === 4) data = { kind: 'image', image: readImage(p) };
    else if (payloadField === 6) data = { kind: 'audio', audio: readAudio(p) };
    else data = readTensor(p, plugin, notes);
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

function readHistogram(r: ProtoReader, notes: string[]): Histogram {
  const h: Histogram = { min: 0, max: 0, count: 0, sum: 0, bucketLimits: [], bucketCounts: [] };
  const limits = new DoubleList();
  const counts = new DoubleList();
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
        limits.read(r, key);
        break;
      case (7 << 3) | WIRE_BYTES:
      case (7 << 3) | WIRE_FIXED64:
        counts.read(r, key);
        break;
      default:
        r.skip(key & 7);
    }
  }
  const buckets = Math.max(limits.length, counts.length);
  // Wider histograms merge adjacent buckets: each group keeps its last limit and its total count.
  const group = Math.max(1, Math.ceil(buckets / MAX_HISTOGRAM_BUCKETS));
  if (group > 1) notes.push(`histogram of ${buckets} buckets merged into ${Math.ceil(buckets / group)} (count and sum kept)`);
  for (let b = 0; b < buckets; b += group) {
    const last = Math.min(b + group, buckets) - 1;
    if (b < limits.length) h.bucketLimits.push(limits.values[Math.min(last, limits.length - 1)]!);
    if (b < counts.length) {
      let c = 0;
      for (let i = b; i <= last && i < counts.length; i++) c += counts.values[i]!;
      h.bucketCounts.push(c);
    }
  }
  return h;
}

/** A repeated double field, packed or not, into one growable typed array (no per-value boxing). */
class DoubleList {
  values = new Float64Array(0);
  length = 0;

  read(r: ProtoReader, key: number): void {
    if ((key & 7) === WIRE_FIXED64) {
      this.reserve(1);
      this.values[this.length++] = r.double();
      return;
    }
    const end = r.delimited();
    const count = Math.floor((end - r.pos) / 8);
    this.reserve(count);
    // One byte copy into the aligned array beats decoding eight bytes at a time.
    new Uint8Array(this.values.buffer, this.length * 8, count * 8).set(r.buf.subarray(r.pos, r.pos + count * 8));
    this.length += count;
    r.pos = end;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.values.length) return;
    const grown = new Float64Array(Math.max(this.length + n, this.values.length * 2, 16));
    grown.set(this.values.subarray(0, this.length));
    this.values = grown;
  }
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
