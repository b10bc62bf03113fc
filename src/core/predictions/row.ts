import { detach } from './lines';
import { csvCell, type FlatValue, type PredictionSchema } from './schema';

/** One decoded prediction-log row, in the schema's column order. */
export interface PredictionRow {
  /** 0-based index over data rows (a CSV header is not a row). */
  readonly index: number;
  /** 1-based line of the row in its file. */
  readonly line: number;
  /** Epoch milliseconds, when the row has a readable timestamp. */
  readonly ts?: number;
  readonly tsText?: string;
  readonly id?: string;
  /** One value per numeric feature of the schema; NaN where missing or unreadable. */
  readonly numeric: Float64Array;
  /** One value per categorical feature; undefined where missing. */
  readonly categorical: (string | undefined)[];
  /** One array per vector feature; undefined where missing or malformed. */
  readonly vectors: (Float64Array | undefined)[];
  /** Primary prediction as text (classification) ... */
  readonly prediction?: string;
  /** ... or as a number (regression). */
  readonly predictionValue?: number;
  /** Predictions of the other models in the log, same order as `schema.predictions.slice(1)`. */
  readonly altPredictions: (string | undefined)[];
  readonly score?: number;
  readonly probabilities?: Float64Array;
  label?: string;
  labelValue?: number;
  readonly segments: (string | undefined)[];
  /** Columns whose value had the wrong type in this row (a number column holding text...). */
  readonly typeIssues?: string[];
}

/** The row with every string copied, so a row kept long (the reference) pins no read chunk. */
export function detachRow(row: PredictionRow): PredictionRow {
  const d = (s: string | undefined) => (s === undefined ? undefined : detach(s));
  return {
    ...row,
    tsText: d(row.tsText),
    id: d(row.id),
    prediction: d(row.prediction),
    label: d(row.label),
    categorical: row.categorical.map(d),
    segments: row.segments.map(d),
    altPredictions: row.altPredictions.map(d),
  };
}

/** A row's values before decoding: a parsed JSON object or CSV fields under a header. */
export type RawRecord = { readonly kind: 'json'; readonly value: Record<string, unknown> } | { readonly kind: 'csv'; readonly fields: readonly string[] };

type Getter = (r: RawRecord) => FlatValue | undefined;

function jsonGetter(path: string): Getter {
  const parts = path.split('.');
  if (parts.length === 1) return (r) => (r.kind === 'json' ? (r.value[path] as FlatValue | undefined) : undefined);
  return (r) => {
    if (r.kind !== 'json') return undefined;
    // A key may itself contain a dot; try the literal key first.
    if (path in r.value) return r.value[path] as FlatValue;
    let v: unknown = r.value;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v as FlatValue | undefined;
  };
}

function csvGetter(index: number): Getter {
  if (index < 0) return () => undefined;
  return (r) => (r.kind === 'csv' ? csvCell(r.fields[index] ?? '') : undefined);
}

/** Text form of a class value, so 1, 1.0 and "1" compare equal. */
export function classText(v: FlatValue | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return undefined;
    return /^[-+]?\d+(\.0*)?$/.test(t) ? String(Number(t)) : t;
  }
  return JSON.stringify(v);
}

/** Epoch ms from ISO text or epoch seconds/milliseconds; undefined when unreadable. */
export function parseTimestamp(v: FlatValue | undefined): number | undefined {
  if (typeof v === 'number') return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return ms;
    if (/^\d+(\.\d+)?$/.test(v)) return parseTimestamp(Number(v));
  }
  return undefined;
}

function toNumber(v: FlatValue | undefined): number | 'missing' | 'type' {
  if (v === null || v === undefined) return 'missing';
  if (typeof v === 'number') return Number.isFinite(v) ? v : 'missing';
  if (typeof v === 'string') {
    const c = csvCell(v);
    if (c === null) return 'missing';
    return typeof c === 'number' ? c : 'type';
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return 'type';
}

function toVector(v: FlatValue | undefined, length: number | undefined): Float64Array | 'missing' | 'type' {
  if (v === null || v === undefined) return 'missing';
  let arr: unknown = v;
  if (typeof v === 'string') {
    try {
      arr = JSON.parse(v);
    } catch {
      return 'type';
    }
  }
  if (!Array.isArray(arr) || (length !== undefined && arr.length !== length)) return 'type';
  const out = new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    if (typeof x !== 'number') return 'type';
    out[i] = x;
  }
  return out;
}

/** Turns raw records into PredictionRows for one schema; column lookups are resolved once. */
export class RowDecoder {
  readonly numericNames: string[];
  readonly categoricalNames: string[];
  readonly vectorNames: string[];
  private readonly numeric: Getter[];
  private readonly categorical: Getter[];
  private readonly vectors: Getter[];
  private readonly vectorLengths: (number | undefined)[];
  private readonly ts: Getter | undefined;
  private readonly id: Getter | undefined;
  private readonly prediction: Getter | undefined;
  private readonly alt: Getter[];
  private readonly score: Getter | undefined;
  private readonly probabilities: Getter | undefined;
  private readonly label: Getter | undefined;
  private readonly segments: Getter[];
  private readonly topKeys: Set<string>;

  constructor(
    readonly schema: PredictionSchema,
    header?: readonly string[],
  ) {
    const getter = (name: string): Getter => (header ? csvGetter(header.indexOf(name)) : jsonGetter(name));
    const opt = (name: string | undefined) => (name ? getter(name) : undefined);
    const f = schema.features;
    this.numericNames = f.filter((c) => c.kind === 'numeric').map((c) => c.name);
    this.categoricalNames = f.filter((c) => c.kind === 'categorical').map((c) => c.name);
    const vec = f.filter((c) => c.kind === 'vector');
    this.vectorNames = vec.map((c) => c.name);
    this.vectorLengths = vec.map((c) => c.length);
    this.numeric = this.numericNames.map(getter);
    this.categorical = this.categoricalNames.map(getter);
    this.vectors = this.vectorNames.map(getter);
    this.ts = opt(schema.timestamp);
    this.id = opt(schema.id);
    this.prediction = opt(schema.predictions[0]);
    this.alt = schema.predictions.slice(1).map(getter);
    this.score = opt(schema.score);
    this.probabilities = opt(schema.probabilities);
    this.label = opt(schema.label);
    this.segments = schema.segments.map(getter);
    this.topKeys = new Set(schema.columns.map((c) => c.split('.')[0]!));
  }

  /** Top-level JSON keys of a record that the schema has never seen (a column appeared). */
  newColumns(r: RawRecord): string[] {
    // Logs whose keys are data (one new key a row) would grow this set forever: stop looking.
    if (r.kind !== 'json' || this.topKeys.size > this.schema.columns.length + 100) return [];
    let extra: string[] | undefined;
    for (const k in r.value) if (!this.topKeys.has(k)) (extra ??= []).push(k);
    if (extra) for (const k of extra) this.topKeys.add(k);
    return extra ?? [];
  }

  decode(r: RawRecord, index: number, line: number): PredictionRow {
    let typeIssues: string[] | undefined;
    const numeric = new Float64Array(this.numeric.length);
    for (let i = 0; i < this.numeric.length; i++) {
      const v = toNumber(this.numeric[i]!(r));
      if (typeof v === 'number') numeric[i] = v;
      else {
        numeric[i] = NaN;
        if (v === 'type') (typeIssues ??= []).push(this.numericNames[i]!);
      }
    }
    const categorical = this.categorical.map((g) => classText(g(r)));
    const vectors = this.vectors.map((g, i) => {
      const v = toVector(g(r), this.vectorLengths[i]);
      if (v === 'type') (typeIssues ??= []).push(this.vectorNames[i]!);
      return typeof v === 'string' ? undefined : v;
    });
    const tsRaw = this.ts?.(r);
    const ts = parseTimestamp(tsRaw);
    const rawPred = this.prediction?.(r);
    const regression = this.schema.task === 'regression';
    const predNum = regression ? toNumber(rawPred) : undefined;
    const scoreNum = this.score ? toNumber(this.score(r)) : undefined;
    if (scoreNum === 'type') (typeIssues ??= []).push(this.schema.score!);
    const probs = this.probabilities ? toVector(this.probabilities(r), undefined) : undefined;
    if (probs === 'type') (typeIssues ??= []).push(this.schema.probabilities!);
    const rawLabel = this.label?.(r);
    const labelNum = regression ? toNumber(rawLabel) : undefined;
    const id = this.id ? classText(this.id(r)) : undefined;
    const tsText = typeof tsRaw === 'string' ? tsRaw : ts !== undefined ? new Date(ts).toISOString() : undefined;
    // One object literal with a fixed shape: this runs for every row.
    const row: PredictionRow = {
      index,
      line,
      ts,
      tsText,
      id,
      numeric,
      categorical,
      vectors,
      prediction: regression ? undefined : classText(rawPred),
      predictionValue: typeof predNum === 'number' ? predNum : undefined,
      altPredictions: this.alt.length ? this.alt.map((g) => classText(g(r))) : [],
      score: typeof scoreNum === 'number' ? scoreNum : undefined,
      probabilities: probs instanceof Float64Array ? probs : undefined,
      label: undefined,
      labelValue: undefined,
      segments: this.segments.map((g) => classText(g(r))),
      typeIssues,
    };
    if (regression) {
      if (typeof labelNum === 'number') row.labelValue = labelNum;
    } else {
      const l = classText(rawLabel);
      if (l !== undefined) row.label = l;
    }
    return row;
  }
}
