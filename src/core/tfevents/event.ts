import { readHParams } from './hparams';
import { ProtoError, ProtoReader, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64 } from './protobuf';
import { readTensor } from './tensor';

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
  const count = Math.floor((end - r.pos) / 8);
  // One copy into an aligned buffer beats decoding eight bytes at a time.
  const doubles = new Float64Array(r.buf.buffer.slice(r.buf.byteOffset + r.pos, r.buf.byteOffset + r.pos + count * 8));
  for (let i = 0; i < count; i++) out.push(doubles[i]!);
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
