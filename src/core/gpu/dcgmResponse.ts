/**
 * The Prometheus HTTP API's answers to `/api/v1/query` (a vector) and `/api/v1/query_range` (a
 * matrix), checked field by field: a proxy's HTML page, an error object or a truncated body is
 * reported by what is wrong, never passed on half read.
 */

/** One series: its labels (without `__name__`), its metric name and its points. */
export interface PromSeries {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch, in order. */
  readonly timesMs: readonly number[];
  /** The sample values as Prometheus wrote them, parsed; `NaN`, `+Inf` and `-Inf` included. */
  readonly values: readonly number[];
}

/** A response that is not a usable API answer; `status` is Prometheus's `errorType` where it gave one. */
export class PromResponseError extends Error {
  override readonly name = 'PromResponseError';
  constructor(
    message: string,
    readonly errorType: string | null = null,
  ) {
    super(message);
  }
}

export interface PromResult {
  readonly series: PromSeries[];
  /** Prometheus's own warnings (e.g. a partial answer), to show beside the data. */
  readonly warnings: string[];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A sample value: Prometheus sends numbers as strings so that NaN and ±Inf survive JSON. */
function sampleValue(x: unknown, where: string): number {
  if (typeof x !== 'string') throw new PromResponseError(`${where}: the value is not a string`);
  if (x === 'NaN') return NaN;
  if (x === '+Inf' || x === 'Inf') return Infinity;
  if (x === '-Inf') return -Infinity;
  const v = Number(x);
  if (x.trim() === '' || Number.isNaN(v)) throw new PromResponseError(`${where}: '${x.slice(0, 40)}' is not a number`);
  return v;
}

function sampleTime(x: unknown, where: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new PromResponseError(`${where}: the timestamp is not a number`);
  return Math.round(x * 1000);
}

function labelsOf(x: unknown, where: string): { metric: string; labels: Record<string, string> } {
  if (!isObject(x)) throw new PromResponseError(`${where}.metric is not an object`);
  const labels: Record<string, string> = {};
  let metric = '';
  for (const [k, v] of Object.entries(x)) {
    if (typeof v !== 'string') throw new PromResponseError(`${where}.metric.${k} is not a string`);
    if (k === '__name__') metric = v;
    else labels[k] = v;
  }
  return { metric, labels };
}

/**
 * Parses an API answer of the expected kind. Prometheus's own errors (`"status": "error"`) become
 * a `PromResponseError` carrying its `errorType` and message.
 *
 * @example
 * parsePromResponse('{"status":"success","data":{"resultType":"vector","result":[]}}', 'vector')
 * // { series: [], warnings: [] }
 */
export function parsePromResponse(text: string, expected: 'vector' | 'matrix'): PromResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const start = text.trimStart().slice(0, 60).replace(/\s+/g, ' ');
    throw new PromResponseError(`the answer is not JSON (${(e as Error).message}); it starts '${start}'`);
  }
  if (!isObject(doc)) throw new PromResponseError('the answer is not a JSON object');
  const warnings = Array.isArray(doc.warnings) ? doc.warnings.filter((w): w is string => typeof w === 'string') : [];
  if (doc.status === 'error') {
    const type = typeof doc.errorType === 'string' ? doc.errorType : null;
    const msg = typeof doc.error === 'string' ? doc.error : 'no message';
    throw new PromResponseError(`Prometheus answered an error${type ? ` (${type})` : ''}: ${msg}`, type);
  }
  if (doc.status !== 'success') throw new PromResponseError(`the answer's status is ${JSON.stringify(doc.status) ?? 'missing'}, not "success"`);
  const data = doc.data;
  if (!isObject(data)) throw new PromResponseError('the answer has no data object');
  if (data.resultType !== expected) throw new PromResponseError(`data.resultType is ${JSON.stringify(data.resultType) ?? 'missing'}, expected "${expected}"`);
  if (!Array.isArray(data.result)) throw new PromResponseError('data.result is not a list');
  const series: PromSeries[] = [];
  data.result.forEach((r: unknown, i: number) => {
    const where = `data.result[${i}]`;
    if (!isObject(r)) throw new PromResponseError(`${where} is not an object`);
    const { metric, labels } = labelsOf(r.metric, where);
    if (expected === 'vector') {
      const p = r.value;
      if (!Array.isArray(p) || p.length !== 2) throw new PromResponseError(`${where}.value is not a [time, value] pair`);
      series.push({ metric, labels, timesMs: [sampleTime(p[0], `${where}.value`)], values: [sampleValue(p[1], `${where}.value`)] });
      return;
    }
    if (!Array.isArray(r.values)) throw new PromResponseError(`${where}.values is not a list`);
    const n = r.values.length;
    const timesMs = new Array<number>(n);
    const values = new Array<number>(n);
    for (let k = 0; k < n; k++) {
      const p: unknown = r.values[k];
      if (!Array.isArray(p) || p.length !== 2) throw new PromResponseError(`${where}.values[${k}] is not a [time, value] pair`);
      timesMs[k] = sampleTime(p[0], `${where}.values[${k}]`);
      values[k] = sampleValue(p[1], `${where}.values[${k}]`);
    }
    series.push({ metric, labels, timesMs, values });
  });
  return { series, warnings };
}
