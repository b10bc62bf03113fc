import { splitCsvRecord } from './csv';
import { parseFieldPath, valueAt, type FieldPath } from './fieldPath';
import { csvCell } from './schema';

/** Captured-payload formats read without configuration. */
export type EnvelopeFormat = 'sagemaker-capture' | 'kserve-cloudevents';

/** Where each role sits in a captured document: a dotted path or a JSON pointer. */
export interface EnvelopeMapping {
  readonly features: string;
  readonly prediction?: string;
  readonly probabilities?: string;
  readonly label?: string;
  readonly timestamp?: string;
  readonly id?: string;
  readonly segment?: string;
}

export const ENVELOPE_ROLES = ['features', 'prediction', 'probabilities', 'label', 'timestamp', 'id', 'segment'] as const;

/** One monitored row unwrapped from an envelope, with the line of the document that held it. */
export interface EnvelopeRow {
  readonly record: Record<string, unknown>;
  readonly line: number;
}

export interface EnvelopeSink {
  row(row: EnvelopeRow): void;
  /** A document (or part of one) that gave no row; the message starts with its line. */
  problem(line: number, message: string): void;
}

/** Turns parsed JSON documents of one envelope format into monitored rows. */
export interface EnvelopeReader {
  push(doc: unknown, line: number): void;
  /** No more documents: reports what is still waiting for its other half. */
  end(): void;
}

// The names schema inference takes for an id and a timestamp: the envelope's own id and time
// are added only when the payload carries neither, so a payload's columns always win.
const ID_NAME = /^(id|request_id|requestid|prediction_id|uuid|row_id|event_id|example_id|sample_id)$/i;
const TIME_NAME = /^(ts|timestamp|time|datetime|date|event_time|created_at|request_time)$/i;

/** Which envelope a parsed first document looks like, if any. */
export function envelopeFormatOf(doc: unknown): EnvelopeFormat | undefined {
  if (!isObject(doc)) return undefined;
  if (isObject(doc.captureData)) return 'sagemaker-capture';
  if (typeof doc.specversion === 'string' && typeof doc.type === 'string' && /inference\.(request|response)$/.test(doc.type)) return 'kserve-cloudevents';
  return undefined;
}

/** A reader for a named format or a field mapping; throws a RangeError for a malformed mapping. */
export function envelopeReader(format: EnvelopeFormat | EnvelopeMapping, sink: EnvelopeSink): EnvelopeReader {
  if (format === 'sagemaker-capture') return new SageMakerCaptureReader(sink);
  if (format === 'kserve-cloudevents') return new KServeCloudEventReader(sink);
  return new MappedEnvelopeReader(format, sink);
}

/** Validates a field mapping from configuration; returns the problems, each naming its key. */
export function validateEnvelopeMapping(value: unknown): string[] {
  if (!isObject(value)) return ['the field mapping must be an object of role: path'];
  const problems: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (!(ENVELOPE_ROLES as readonly string[]).includes(k)) problems.push(`unknown role '${k}' (roles: ${ENVELOPE_ROLES.join(', ')})`);
    else if (typeof v !== 'string' || v === '') problems.push(`'${k}' must be a non-empty path`);
    else {
      try {
        parseFieldPath(v);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
  }
  if (value.features === undefined) problems.push("'features' is required");
  return problems;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const isScalar = (v: unknown) => v === null || typeof v !== 'object';

/** Features of one row: an object's own keys, or `feature_0..` for positional values. */
function featureColumns(v: unknown): Record<string, unknown> {
  if (isObject(v)) return v;
  const values = Array.isArray(v) ? v : [v];
  const out: Record<string, unknown> = {};
  values.forEach((x, i) => (out[`feature_${i}`] = x));
  return out;
}

/** Outputs of one row: a scalar is the prediction, a list the class probabilities, an object its keys. */
function outputColumns(v: unknown): Record<string, unknown> {
  if (isObject(v)) return v;
  if (Array.isArray(v)) return v.length === 1 ? { prediction: v[0] } : { probabilities: v };
  return { prediction: v };
}

function withMetadata(record: Record<string, unknown>, id: unknown, time: unknown): Record<string, unknown> {
  const keys = Object.keys(record);
  if (id !== undefined && id !== null && !keys.some((k) => nameIs(ID_NAMES, ID_NAME, k))) record.event_id = id;
  if (time !== undefined && time !== null && !keys.some((k) => nameIs(TIME_NAMES, TIME_NAME, k))) record.timestamp = time;
  return record;
}

// Every row of a log has the same column names: each is tested against a pattern once.
const ID_NAMES = new Map<string, boolean>();
const TIME_NAMES = new Map<string, boolean>();

function nameIs(known: Map<string, boolean>, pattern: RegExp, key: string): boolean {
  let is = known.get(key);
  if (is === undefined) {
    is = pattern.test(key);
    if (known.size < 4096) known.set(key, is);
  }
  return is;
}

/** A row: the payload's feature columns, then its output columns (an output replaces a feature of its name). */
function rowRecord(input: unknown, output: unknown): Record<string, unknown> {
  const features = featureColumns(input);
  const outputs = outputColumns(output);
  // A parsed payload object belongs to this row alone, so it takes the outputs in place: copying
  // its 30-odd columns was a fifth of reading an envelope. '__proto__' would be a setter there.
  if (features === input && Object.getPrototypeOf(features) === Object.prototype && !Object.hasOwn(outputs, '__proto__')) return Object.assign(features, outputs);
  return { ...features, ...outputs };
}

/** Decodes standard base64 text to UTF-8 (strictly: bad characters or bytes are an error). */
function decodeBase64(text: string): string {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new Error('is not valid base64');
  const binary = atob(clean);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error('decodes from base64 to bytes that are not UTF-8 text');
  }
}

/** CSV payload lines (one row each) as positional cells, numbers read as numbers. */
function csvRows(text: string): unknown[][] {
  const rows: unknown[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const cells = splitCsvRecord(line, ',');
    if (!cells) throw new Error('has a CSV line with an unclosed quote');
    rows.push(cells.map((c) => csvCell(c.trim())));
  }
  return rows;
}

/** JSON payloads that hold several rows: TF Serving / KServe `instances`, or a list of rows. */
function jsonInputRows(v: unknown): unknown[] {
  if (isObject(v) && Array.isArray(v.instances)) return v.instances;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => !isScalar(x))) return v;
  return [v];
}

function jsonOutputRows(v: unknown, inputs: number): unknown[] {
  if (isObject(v) && Array.isArray(v.predictions)) return v.predictions;
  // A list as long as a batch of several inputs holds one output per input.
  if (Array.isArray(v) && (v.every((x) => !isScalar(x)) || (inputs > 1 && v.length === inputs))) return v;
  return [v];
}

/** SageMaker Data Capture JSON lines: `captureData.endpointInput` / `endpointOutput` and `eventMetadata`. */
class SageMakerCaptureReader implements EnvelopeReader {
  constructor(private readonly sink: EnvelopeSink) {}

  push(doc: unknown, line: number): void {
    const capture = isObject(doc) && isObject(doc.captureData) ? doc.captureData : undefined;
    if (!capture) return this.sink.problem(line, `line ${line}: no captureData object (not a SageMaker Data Capture record); skipped`);
    let inputs: unknown[];
    let outputs: unknown[];
    try {
      inputs = this.payload(capture, 'endpointInput', (v) => jsonInputRows(v));
      outputs = this.payload(capture, 'endpointOutput', (v) => jsonOutputRows(v, inputs.length));
    } catch (e) {
      return this.sink.problem(line, `line ${line}: ${(e as Error).message}; skipped`);
    }
    if (inputs.length !== outputs.length) {
      return this.sink.problem(line, `line ${line}: endpointInput holds ${inputs.length} row(s) but endpointOutput ${outputs.length}; skipped`);
    }
    const meta = isObject(doc) && isObject((doc as Record<string, unknown>).eventMetadata) ? ((doc as Record<string, unknown>).eventMetadata as Record<string, unknown>) : {};
    inputs.forEach((input, i) => {
      const id = meta.eventId === undefined ? undefined : inputs.length > 1 ? `${String(meta.eventId)}-${i}` : meta.eventId;
      const record = withMetadata(rowRecord(input, outputs[i]), id, meta.inferenceTime);
      this.sink.row({ record, line });
    });
  }

  end(): void {}

  private payload(capture: Record<string, unknown>, side: 'endpointInput' | 'endpointOutput', jsonRows: (v: unknown) => unknown[]): unknown[] {
    const p = capture[side];
    if (!isObject(p)) throw new Error(`captureData.${side} is missing`);
    if (typeof p.data !== 'string') throw new Error(`captureData.${side}.data is missing`);
    const encoding = String(p.encoding ?? '').toUpperCase();
    let text = p.data;
    if (encoding === 'BASE64') {
      try {
        text = decodeBase64(text);
      } catch (e) {
        throw new Error(`captureData.${side}.data ${(e as Error).message}`);
      }
    }
    const type = String(p.observedContentType ?? '').toLowerCase();
    const json = encoding === 'JSON' || type.includes('json') || (!type.includes('csv') && /^\s*[[{]/.test(text));
    if (!json) {
      try {
        const rows = csvRows(text);
        // A single CSV line of outputs for a batch holds one output per input row.
        return side === 'endpointOutput' && rows.length === 1 ? (rows[0]!.length === 1 ? [rows[0]![0]] : [rows[0]]) : side === 'endpointInput' ? rows : rows.map((r) => (r.length === 1 ? r[0] : r));
      } catch (e) {
        throw new Error(`captureData.${side}.data ${(e as Error).message}`);
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new Error(`captureData.${side}.data is not valid JSON (${(e as Error).message})`);
    }
    return jsonRows(value);
  }
}

interface HalfEvent {
  readonly data: unknown;
  readonly line: number;
  readonly time: unknown;
}

/** Unpaired events kept waiting for their other half; older ones are reported and dropped. */
const MAX_PENDING_EVENTS = 10000;

/**
 * KServe payload logging as CloudEvents JSON lines: a request event and a response event share
 * an `id`; rows are emitted when both have arrived, in either order.
 */
class KServeCloudEventReader implements EnvelopeReader {
  private readonly pending = new Map<string, { request?: HalfEvent; response?: HalfEvent }>();

  constructor(private readonly sink: EnvelopeSink) {}

  push(doc: unknown, line: number): void {
    if (!isObject(doc)) return this.sink.problem(line, `line ${line}: not a CloudEvent object; skipped`);
    const id = doc.id;
    if (typeof id !== 'string' && typeof id !== 'number') return this.sink.problem(line, `line ${line}: CloudEvent has no id; skipped`);
    const type = typeof doc.type === 'string' ? doc.type : '';
    const half = type.endsWith('.request') ? 'request' : type.endsWith('.response') ? 'response' : undefined;
    if (!half) return this.sink.problem(line, `line ${line}: CloudEvent type '${type}' is neither an inference request nor a response; skipped`);
    let data: unknown;
    try {
      data = eventData(doc);
    } catch (e) {
      return this.sink.problem(line, `line ${line}: CloudEvent ${(e as Error).message}; skipped`);
    }
    const key = String(id);
    const entry = this.pending.get(key) ?? {};
    if (entry[half]) this.sink.problem(entry[half].line, `line ${entry[half].line}: ${half} ${key} is repeated at line ${line}; the later one is used`);
    entry[half] = { data, line, time: doc.time };
    if (entry.request && entry.response) {
      this.pending.delete(key);
      this.emit(key, entry.request, entry.response);
      return;
    }
    this.pending.set(key, entry);
    if (this.pending.size > MAX_PENDING_EVENTS) {
      const [oldKey, old] = this.pending.entries().next().value!;
      this.pending.delete(oldKey);
      this.unpaired(oldKey, old);
    }
  }

  end(): void {
    for (const [key, e] of this.pending) this.unpaired(key, e);
    this.pending.clear();
  }

  private unpaired(key: string, e: { request?: HalfEvent; response?: HalfEvent }): void {
    const have = e.request ? 'request' : 'response';
    const line = (e.request ?? e.response)!.line;
    this.sink.problem(line, `line ${line}: ${have} ${key} has no matching ${have === 'request' ? 'response' : 'request'}; skipped`);
  }

  private emit(key: string, request: HalfEvent, response: HalfEvent): void {
    let inputs: unknown[];
    let outputs: unknown[];
    try {
      inputs = requestRows(request.data);
      outputs = responseRows(response.data, inputs.length);
    } catch (e) {
      return this.sink.problem(request.line, `line ${request.line}: event ${key}: ${(e as Error).message}; skipped`);
    }
    if (inputs.length !== outputs.length) {
      return this.sink.problem(request.line, `line ${request.line}: event ${key}: request holds ${inputs.length} row(s) but its response (line ${response.line}) ${outputs.length}; skipped`);
    }
    inputs.forEach((input, i) => {
      const record = withMetadata(rowRecord(input, outputs[i]), inputs.length > 1 ? `${key}-${i}` : key, request.time);
      this.sink.row({ record, line: request.line });
    });
  }
}

function eventData(doc: Record<string, unknown>): unknown {
  if (typeof doc.data_base64 === 'string') {
    let text: string;
    try {
      text = decodeBase64(doc.data_base64);
    } catch (e) {
      throw new Error(`data_base64 ${(e as Error).message}`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new Error('data_base64 does not hold JSON');
    }
  }
  if (doc.data === undefined) throw new Error('has neither data nor data_base64');
  if (typeof doc.data !== 'string') return doc.data;
  try {
    return JSON.parse(doc.data);
  } catch {
    throw new Error('data is text that is not JSON');
  }
}

interface Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: readonly unknown[];
}

function isTensorList(v: unknown): v is Tensor[] {
  return Array.isArray(v) && v.length > 0 && v.every((t) => isObject(t) && typeof t.name === 'string' && Array.isArray(t.shape) && Array.isArray(t.data));
}

/** Open Inference Protocol (v2) tensors split into rows by their first dimension. */
function tensorRows(tensors: Tensor[], positional: boolean, side: string): Record<string, unknown>[] {
  const n = tensors[0]!.shape[0] ?? 1;
  const rows: Record<string, unknown>[] = Array.from({ length: n }, () => ({}));
  for (const t of tensors) {
    if ((t.shape[0] ?? 1) !== n) throw new Error(`${side} tensors disagree on the batch size`);
    const width = t.shape.slice(1).reduce((a, b) => a * b, 1);
    if (t.data.flat().length !== n * width) throw new Error(`${side} tensor '${t.name}' holds ${t.data.flat().length} values for shape [${t.shape.join(', ')}]`);
    const flat = t.data.flat();
    for (let r = 0; r < n; r++) {
      const slice = flat.slice(r * width, (r + 1) * width);
      // A lone tensor's values are the row's columns; several tensors are named columns.
      if (tensors.length === 1) Object.assign(rows[r]!, positional ? featureColumns(slice) : outputColumns(slice));
      else rows[r]![t.name] = width === 1 ? slice[0] : slice;
    }
  }
  return rows;
}

function requestRows(data: unknown): unknown[] {
  if (isObject(data) && isTensorList(data.inputs)) return tensorRows(data.inputs, true, 'request');
  if (isObject(data) && Array.isArray(data.instances)) return data.instances;
  if (isObject(data) && Array.isArray(data.inputs)) return data.inputs;
  throw new Error('request has neither instances nor inputs');
}

function responseRows(data: unknown, inputs: number): unknown[] {
  if (isObject(data) && isTensorList(data.outputs)) return tensorRows(data.outputs, false, 'response');
  if (isObject(data) && Array.isArray(data.predictions)) return data.predictions;
  if (isObject(data) && Array.isArray(data.outputs)) return data.outputs;
  if (Array.isArray(data) && data.length === inputs) return data;
  throw new Error('response has neither predictions nor outputs');
}

/** Any other envelope, described in modelmon.json by a path for each role. */
class MappedEnvelopeReader implements EnvelopeReader {
  private readonly paths: [string, FieldPath][];

  constructor(mapping: EnvelopeMapping, private readonly sink: EnvelopeSink) {
    const problems = validateEnvelopeMapping(mapping);
    if (problems.length) throw new RangeError(`field mapping: ${problems.join('; ')}`);
    this.paths = Object.entries(mapping).map(([role, path]) => [role, parseFieldPath(path as string)]);
  }

  push(doc: unknown, line: number): void {
    const record: Record<string, unknown> = {};
    for (const [role, path] of this.paths) {
      const v = valueAt(doc, path);
      if (role === 'features') {
        if (v === undefined) return this.sink.problem(line, `line ${line}: features path '${path.join('.')}' is missing; skipped`);
        const features = featureColumns(v);
        for (const k of Object.keys(features)) {
          // A payload column named '__proto__' stays a column: assigning it would set the prototype.
          if (k === '__proto__') Object.defineProperty(record, k, { value: features[k], enumerable: true, writable: true, configurable: true });
          else record[k] = features[k];
        }
      } else if (v !== undefined) record[role] = v;
      else if (role === 'prediction') return this.sink.problem(line, `line ${line}: prediction path '${path.join('.')}' is missing; skipped`);
    }
    this.sink.row({ record, line });
  }

  end(): void {}
}
