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
  /** One attribution per schema attribution column (NaN where missing); undefined when the log has none. */
  readonly attributions?: Float64Array;
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
  /** Numeric columns that held an infinity in this row (read as NaN, counted apart from missing). */
  readonly nonFinite?: string[];
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

const NO_COLUMNS: readonly string[] = [];
// Shared by every row without categorical, vector or extra prediction columns (rows never grow them).
const NONE = Object.freeze([]) as unknown as never[];

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
    const first = v.charCodeAt(0);
    const last = v.charCodeAt(v.length - 1);
    // Most class and segment values are plain ASCII words: no space to trim, no number to normalise.
    if (first > 57 && first < 127 && last > 32 && last < 127) return v;
    const t = v.trim();
    if (t === '') return undefined;
    return /^[-+]?\d+(\.0*)?$/.test(t) ? String(Number(t)) : t;
  }
  return JSON.stringify(v);
}

/** Epoch ms from ISO text or epoch seconds/milliseconds; undefined when unreadable. */
export function parseTimestamp(v: FlatValue | undefined): number | undefined {
  if (typeof v === 'number') {
    const ms = v < 1e11 ? v * 1000 : v;
    // Past ±8.64e15 ms (and for ±Infinity) there is no Date: the row keeps no timestamp.
    return Math.abs(ms) <= 8.64e15 ? ms : undefined;
  }
  if (typeof v === 'string') {
    const fast = utcTimestamp(v);
    if (fast !== undefined) return fast;
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return ms;
    if (/^\d+(\.\d+)?$/.test(v)) return parseTimestamp(Number(v));
  }
  return undefined;
}

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;
const twoDigits = (s: string, i: number): number => {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? 10 * a + b : -1;
};

/**
 * `YYYY-MM-DDTHH:MM:SS[.sss]Z`, the usual log timestamp, read without Date.parse (a per-row cost);
 * undefined for any other form or a day past 28, which Date.parse then reads (or rejects).
 */
function utcTimestamp(s: string): number | undefined {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return undefined;
  const century = twoDigits(s, 0);
  const year = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  let ms = 0;
  if (n === 24) {
    const h = digit(s, 20);
    const t = twoDigits(s, 21);
    if (s[19] !== '.' || h < 0 || h > 9 || t < 0) return undefined;
    ms = 100 * h + t;
  }
  if (century < 0 || year < 0 || month < 1 || month > 12 || day < 1 || day > 28 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  return Date.UTC(100 * century + year, month - 1, day, hour, minute, second, ms);
}

/** A value as a finite number, or why not: absent or NaN ('missing'), +-Infinity ('infinite'), not a number ('type'). */
function toNumber(v: FlatValue | undefined): number | 'missing' | 'infinite' | 'type' {
  if (v === null || v === undefined) return 'missing';
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.isNaN(v) ? 'missing' : 'infinite';
  if (typeof v === 'string') {
    const c = csvCell(v);
    if (c === null) return 'missing';
    return typeof c === 'number' ? toNumber(c) : 'type';
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
  private readonly attributions: Getter[];
  private readonly topKeys: Set<string>;
  private lastKeys: string[] = [];
  /** JSON: key order of the last records, and the numeric column at each position (-1: none). */
  private layoutKeys: string[] = [];
  private layoutNumeric = new Int32Array(0);
  /** Every numeric column is a key of the layout, so a record with that key order can be read in one pass. */
  private layoutComplete = false;
  /** Off for logs whose key order keeps changing, or records too wide to index. */
  private inOrder: boolean;
  private relayouts = 0;
  private decoded = 0;

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
    this.attributions = (schema.attributions ?? []).map((a) => getter(a.column));
    this.topKeys = new Set(schema.columns.map((c) => c.split('.')[0]!));
    this.inOrder = !header;
  }

  /**
   * JSON records whose keys come in the layout's order: numeric columns read in one for-in pass
   * (V8 reads `value[key]` there by field index instead of a lookup by name per column). False
   * when the record has another key order or a numeric column is not a plain number.
   */
  private readNumericInOrder(value: Record<string, unknown>, numeric: Float64Array): boolean {
    const layout = this.layoutKeys;
    const at = this.layoutNumeric;
    let j = 0;
    let plain = true;
    for (const k in value) {
      if (layout[j] !== k) return this.relayout(value);
      const c = at[j]!;
      if (c >= 0) {
        const v = value[k];
        // Anything but a finite number is read by name below, where it is counted.
        if (typeof v === 'number' && Number.isFinite(v)) numeric[c] = v;
        else plain = false;
      }
      j++;
    }
    if (j !== layout.length) return this.relayout(value);
    return plain && this.layoutComplete;
  }

  /** Takes this record's key order as the layout for the next records; false (read this one by name). */
  private relayout(value: Record<string, unknown>): false {
    const keys: string[] = [];
    for (const k in value) keys.push(k);
    if (keys.length > 1000 || (++this.relayouts > 100 && 4 * this.relayouts > this.decoded)) {
      this.inOrder = false;
      return false;
    }
    const column = new Map<string, number>();
    this.numericNames.forEach((name, i) => column.set(name, i));
    this.layoutKeys = keys;
    this.layoutNumeric = Int32Array.from(keys, (k) => column.get(k) ?? -1);
    const present = new Set(keys);
    this.layoutComplete = this.numericNames.every((name) => present.has(name));
    return false;
  }

  /** Top-level JSON keys of a record that the schema has never seen (a column appeared). */
  newColumns(r: RawRecord): readonly string[] {
    // Logs whose keys are data (one new key a row) would grow this set forever: stop looking.
    if (r.kind !== 'json' || this.topKeys.size > this.schema.columns.length + 100) return NO_COLUMNS;
    // Rows of one log mostly repeat the previous row's keys in order: compare before looking up.
    const last = this.lastKeys;
    let i = 0;
    let same = true;
    for (const k in r.value) {
      if (same && last[i] === k) i++;
      else {
        same = false;
        break;
      }
    }
    if (same && i === last.length) return NO_COLUMNS;
    const keys: string[] = [];
    let extra: string[] | undefined;
    for (const k in r.value) {
      keys.push(k);
      if (!this.topKeys.has(k)) (extra ??= []).push(k);
    }
    if (keys.length <= 1000) this.lastKeys = keys;
    if (extra) for (const k of extra) this.topKeys.add(k);
    return extra ?? NO_COLUMNS;
  }

  /** The row's attributions; a missing or unreadable one is NaN (not counted: attributions are not features). */
  private decodeAttributions(r: RawRecord): Float64Array {
    const out = new Float64Array(this.attributions.length);
    for (let i = 0; i < out.length; i++) {
      const v = toNumber(this.attributions[i]!(r));
      out[i] = typeof v === 'number' ? v : NaN;
    }
    return out;
  }

  /** `numeric`: an array to fill (one of a row that is no longer used), else a new one. */
  decode(r: RawRecord, index: number, line: number, numeric: Float64Array = new Float64Array(this.numeric.length)): PredictionRow {
    let typeIssues: string[] | undefined;
    let nonFinite: string[] | undefined;
    this.decoded++;
    if (!(this.inOrder && r.kind === 'json' && this.readNumericInOrder(r.value, numeric))) for (let i = 0; i < this.numeric.length; i++) {
      const v = toNumber(this.numeric[i]!(r));
      if (typeof v === 'number') numeric[i] = v;
      else {
        numeric[i] = NaN;
        if (v === 'type') (typeIssues ??= []).push(this.numericNames[i]!);
        else if (v === 'infinite') (nonFinite ??= []).push(this.numericNames[i]!);
      }
    }
    const categorical = this.categorical.length ? this.categorical.map((g) => classText(g(r))) : NONE;
    const vectors = !this.vectors.length ? NONE : this.vectors.map((g, i) => {
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
      altPredictions: this.alt.length ? this.alt.map((g) => classText(g(r))) : NONE,
      score: typeof scoreNum === 'number' ? scoreNum : undefined,
      probabilities: probs instanceof Float64Array ? probs : undefined,
      label: undefined,
      labelValue: undefined,
      segments: this.segments.map((g) => classText(g(r))),
      attributions: this.attributions.length ? this.decodeAttributions(r) : undefined,
      typeIssues,
      nonFinite,
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
