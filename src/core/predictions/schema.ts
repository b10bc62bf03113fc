import { MAX_RECORD_DEPTH } from './nesting';
import { DEFAULT_ATTRIBUTION_PATTERNS, attributedFeature, validateAttributionPattern } from '../attribution/columns';

/**
 * Explicit column roles for a prediction log, overriding what inference guesses. The same keys are
 * read from a `predictions` entry of `modelmon.json` and from `modelmon predictions --schema`.
 * Nested JSON fields are named with dots (`features.mean_intensity`).
 */
export interface PredictionSchemaOverride {
  /** Column holding the request time (ISO 8601 text or epoch seconds/milliseconds). */
  readonly timestamp?: string;
  /** Column identifying a request; used for duplicate detection and to join late labels. */
  readonly id?: string;
  /** Feature columns to monitor (numeric, categorical, or numeric arrays); replaces inference. */
  readonly features?: readonly string[];
  /** Columns among `features` to treat as categorical even when their values look numeric. */
  readonly categorical?: readonly string[];
  /** The model's output column; several names = several models, the first is the primary one. */
  readonly prediction?: string | readonly string[];
  /** Positive-class score of a binary classifier (0..1). */
  readonly score?: string;
  /** Array column of class probabilities, in class-index order. */
  readonly probabilities?: string;
  /** Ground-truth column; may be empty on many rows. */
  readonly label?: string;
  /** Columns whose values split traffic into segments (region, clinic, customer tier...). */
  readonly segment?: string | readonly string[];
  /** A separate JSON Lines or CSV file of late labels, joined to the log by `joinKey`. */
  readonly labelsFile?: string;
  /** Column present in both the log and `labelsFile` (defaults to `id`). */
  readonly joinKey?: string;
  /**
   * Per-row feature attributions (SHAP values...): the columns' pattern with `<feature>` where the
   * feature's name goes, e.g. `shap_<feature>` or `explanation.<feature>` for an object of them.
   * Default: `shap_<feature>`, `shap.<feature>`, `attribution_<feature>`, `attributions.<feature>`.
   */
  readonly attributions?: string;
}

/** A column of per-row attributions and the feature it attributes. */
export interface AttributionColumn {
  readonly column: string;
  readonly feature: string;
}

/** How a monitored feature column is compared with the reference. */
export type FeatureKind = 'numeric' | 'categorical' | 'vector';

export interface FeatureColumn {
  /** Dotted path of the column, e.g. `features.mean_intensity`, `input`. */
  readonly name: string;
  readonly kind: FeatureKind;
  /** Element count of a vector column, from the first row that had it. */
  readonly length?: number;
}

/** The resolved roles of every column of a prediction log. */
export interface PredictionSchema {
  readonly format: 'jsonl' | 'csv';
  readonly timestamp?: string;
  readonly id?: string;
  readonly features: readonly FeatureColumn[];
  /** Prediction columns; `predictions[0]` is the primary model. */
  readonly predictions: readonly string[];
  readonly score?: string;
  readonly probabilities?: string;
  readonly label?: string;
  readonly segments: readonly string[];
  /** Attribution columns (never monitored as features themselves); absent when the log has none. */
  readonly attributions?: readonly AttributionColumn[];
  /** Columns seen but not monitored for drift (latency, versions, free text ids). */
  readonly other: readonly string[];
  readonly task: 'classification' | 'regression';
  /** Every column name seen in the sample used for inference, in order. */
  readonly columns: readonly string[];
  /** Which roles came from the override rather than inference. */
  readonly overridden: readonly string[];
}

/** A leaf value of a flattened log record. */
export type FlatValue = number | string | boolean | null | readonly unknown[];

const TIMESTAMP = /^(ts|timestamp|time|datetime|date|event_time|created_at|request_time)$/i;
const ID = /^(id|request_id|requestid|prediction_id|uuid|row_id|event_id|example_id|sample_id)$/i;
const PREDICTION = /^(prediction|pred|predicted|y_pred|predicted_label|predicted_class|output)$/i;
const ALT_PREDICTION = /^(prediction|pred|y_pred)[_-]\w+$/i;
const SCORE = /^(score|y_score|proba|probability|prob|positive_score|prediction_score)$/i;
const PROBABILITIES = /^(probabilities|probs|probas|class_probabilities|proba|scores|predict_proba)$/i;
const LABEL = /^(label|y_true|target|ground_truth|actual|true_label|y)$/i;
const SEGMENT = /^(segment|group|cohort|region|country|site|slice|tenant|customer_segment)$/i;
const OTHER = /(latency|duration|elapsed|_ms$|_sec$|version|host|pod|^model$|^model_name$)/i;

function leaf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? path : path.slice(dot + 1);
}

/**
 * Flattens a parsed JSON object into dotted paths; arrays stay whole (vectors). Iterative, in the
 * order a depth-first walk meets the keys; objects nested past `maxDepth` levels are left out.
 */
export function flattenRecord(value: Record<string, unknown>, prefix = '', out = new Map<string, FlatValue>(), maxDepth = MAX_RECORD_DEPTH): Map<string, FlatValue> {
  const stack: { obj: Record<string, unknown>; keys: string[]; at: number; prefix: string }[] = [{ obj: value, keys: Object.keys(value), at: 0, prefix }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.at >= top.keys.length) {
      stack.pop();
      continue;
    }
    const key = top.keys[top.at++]!;
    const v = top.obj[key];
    const path = top.prefix ? `${top.prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      if (stack.length < maxDepth) stack.push({ obj: v as Record<string, unknown>, keys: Object.keys(v), at: 0, prefix: path });
    } else if (v !== undefined) out.set(path, v as FlatValue);
  }
  return out;
}

const NUMBER_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const MISSING_TEXT = /^(|na|n\/a|null|none|nil|-|#n\/a|#n\/a n\/a|#na|<na>)$/i;
/**
 * Non-finite numbers as pandas, numpy and Python write them (`inf`, `-inf`, `Infinity`, `nan`,
 * `-nan`, `1.#QNAN`, `-1.#IND`...): read as numbers, so one of them keeps its column numeric.
 */
const INFINITE_TEXT = /^[-+]?(inf|infinity)$/i;
const NAN_TEXT = /^([-+]?nan|[-+]?1\.#(ind|qnan))$/i;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * `[-+]digits[.digits]` with at most 15 digits, else NaN. Digits and power of ten are exact doubles,
 * so one division rounds exactly as Number() does (Clinger's fast path), without its runtime call.
 */
function plainDecimal(text: string): number {
  const n = text.length;
  const c0 = text.charCodeAt(0);
  let i = c0 === 45 || c0 === 43 ? 1 : 0;
  let m = 0;
  let digits = 0;
  let dot = -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot < 0) dot = i;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const v = dot < 0 ? m : m / POW10[n - 1 - dot]!;
  return c0 === 45 ? -v : v;
}

/** Reads a CSV cell: numbers (infinities and NaN included) become numbers, empty/NA/null become null, the rest stays text. */
export function csvCell(text: string): FlatValue {
  if (text === '') return null;
  const c = text.charCodeAt(0);
  // Fast path for plain numbers: a digit, sign or dot first and Number() accepting the rest.
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    const plain = plainDecimal(text);
    if (!Number.isNaN(plain)) return plain;
    const n = Number(text);
    // Number() also reads 0x/0b/0o prefixes, which are not decimal log values.
    if (!Number.isNaN(n) && !(c === 48 && /^0[xXbBoO]/.test(text))) return n;
  } else if (NUMBER_TEXT.test(text)) return Number(text);
  const t = text.trim();
  // Every marker is short: long text (timestamps, free text) skips the patterns.
  if (t.length > 9) return text;
  if (MISSING_TEXT.test(t)) return null;
  const s = t.charCodeAt(0);
  const first = t.charCodeAt(s === 45 || s === 43 ? 1 : 0) | 0x20;
  // i(nf), n(an), 1(.#QNAN): the only letters these spellings start with.
  if (first === 105 && INFINITE_TEXT.test(t)) return s === 45 ? -Infinity : Infinity;
  if ((first === 110 || first === 49) && NAN_TEXT.test(t)) return NaN;
  return text;
}

function isNumericArray(v: FlatValue | undefined): boolean {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');
}

const asList = (v: string | readonly string[] | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]);

/**
 * Infers column roles from a sample of flattened records, then applies the override. Names decide
 * the roles (timestamp, id, prediction, score, probabilities, label, segment); every other numeric,
 * categorical or numeric-array column is a monitored feature.
 */
export function inferPredictionSchema(
  sample: readonly ReadonlyMap<string, FlatValue>[],
  format: 'jsonl' | 'csv',
  override: PredictionSchemaOverride = {},
): PredictionSchema {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const rec of sample) for (const k of rec.keys()) if (!seen.has(k)) { seen.add(k); columns.push(k); }
  const values = (c: string) => sample.map((r) => r.get(c)).filter((v) => v !== null && v !== undefined) as FlatValue[];
  const find = (re: RegExp, ok: (c: string) => boolean = () => true) => columns.find((c) => re.test(leaf(c)) && ok(c));
  const scalarNumeric = (c: string) => values(c).length > 0 && values(c).every((v) => typeof v === 'number');
  const overridden: string[] = [];
  const pick = (key: keyof PredictionSchemaOverride, inferred: () => string | undefined): string | undefined => {
    const o = override[key];
    if (typeof o === 'string') { overridden.push(key); return o; }
    return inferred();
  };
  const timestamp = pick('timestamp', () => find(TIMESTAMP));
  const id = pick('id', () => find(ID));
  const probabilities = pick('probabilities', () => find(PROBABILITIES, (c) => isNumericArray(values(c)[0])));
  const score = pick('score', () => find(SCORE, scalarNumeric));
  let predictions = asList(override.prediction);
  if (predictions.length) overridden.push('prediction');
  else {
    const primary = find(PREDICTION, (c) => !c.includes('.')) ?? find(PREDICTION);
    if (primary) predictions = [primary, ...columns.filter((c) => c !== primary && (PREDICTION.test(leaf(c)) || ALT_PREDICTION.test(leaf(c))))];
  }
  const label = pick('label', () => find(LABEL));
  let segments = asList(override.segment);
  if (segments.length) overridden.push('segment');
  else segments = columns.filter((c) => SEGMENT.test(leaf(c)) && !scalarNumeric(c));
  const patterns = override.attributions !== undefined ? [override.attributions] : DEFAULT_ATTRIBUTION_PATTERNS;
  if (override.attributions !== undefined) overridden.push('attributions');
  const taken = new Set([timestamp, id, probabilities, score, label, ...predictions, ...segments]);
  const attributions: AttributionColumn[] = [];
  /** Columns named like attributions that hold no numbers (arrays, text): never features either. */
  const notAttributions: string[] = [];
  for (const c of columns) {
    if (taken.has(c)) continue;
    const feature = patterns.map((pattern) => attributedFeature(c, pattern)).find((f) => f !== undefined);
    if (feature === undefined) continue;
    // Any number makes it one: a stray "n/a" among the first rows must not turn SHAP values into a feature.
    if (values(c).some((v) => typeof v === 'number')) attributions.push({ column: c, feature });
    else notAttributions.push(c);
  }
  const roles = new Set([...taken, ...attributions.map((a) => a.column), ...notAttributions].filter((x): x is string => !!x));

  const categorical = new Set(override.categorical ?? []);
  if (override.categorical) overridden.push('categorical');
  const features: FeatureColumn[] = [];
  const other: string[] = [];
  const classify = (c: string): FeatureColumn | undefined => {
    const vs = values(c);
    if (categorical.has(c)) return { name: c, kind: 'categorical' };
    const first = vs[0];
    if (Array.isArray(first)) return isNumericArray(first) ? { name: c, kind: 'vector', length: first.length } : undefined;
    if (vs.length && vs.every((v) => typeof v === 'number')) return { name: c, kind: 'numeric' };
    // Free text that never repeats (ids, hashes) says nothing about drift.
    const distinct = new Set(vs.map(String)).size;
    if (vs.length >= 10 && distinct === vs.length) return undefined;
    return vs.length ? { name: c, kind: 'categorical' } : { name: c, kind: 'numeric' };
  };
  if (override.features) {
    overridden.push('features');
    for (const c of override.features) features.push(classify(c) ?? { name: c, kind: 'categorical' });
    for (const c of columns) if (!roles.has(c) && !override.features.includes(c)) other.push(c);
  } else {
    for (const c of columns) {
      if (roles.has(c)) continue;
      const f = OTHER.test(c) ? undefined : classify(c);
      if (f) features.push(f);
      else other.push(c);
    }
  }
  other.push(...notAttributions);
  const primary = predictions[0];
  let task: 'classification' | 'regression' = 'classification';
  if (!probabilities && !score && primary) {
    const pv = values(primary);
    if (pv.length && pv.every((v) => typeof v === 'number') && pv.some((v) => !Number.isInteger(v))) task = 'regression';
  }
  return {
    format,
    ...(timestamp ? { timestamp } : {}),
    ...(id ? { id } : {}),
    features,
    predictions,
    ...(score ? { score } : {}),
    ...(probabilities ? { probabilities } : {}),
    ...(label ? { label } : {}),
    segments,
    ...(attributions.length ? { attributions } : {}),
    other,
    task,
    columns,
    overridden,
  };
}

/** Checks an override read from JSON; returns messages naming each bad key (empty = valid). */
export function validateSchemaOverride(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['schema override must be an object'];
  const problems: string[] = [];
  const o = value as Record<string, unknown>;
  const strings = ['timestamp', 'id', 'score', 'probabilities', 'label', 'labelsFile', 'joinKey', 'attributions'];
  const lists = ['features', 'categorical'];
  const either = ['prediction', 'segment'];
  const isList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  for (const [k, v] of Object.entries(o)) {
    if (k === 'attributions') { const bad = validateAttributionPattern(v); if (bad) problems.push(`'attributions' ${bad}`); }
    else if (strings.includes(k)) { if (typeof v !== 'string') problems.push(`'${k}' must be a column name (string)`); }
    else if (lists.includes(k)) { if (!isList(v)) problems.push(`'${k}' must be a list of column names`); }
    else if (either.includes(k)) { if (typeof v !== 'string' && !isList(v)) problems.push(`'${k}' must be a column name or a list of them`); }
    else problems.push(`unknown key '${k}' (known: ${[...strings, ...lists, ...either].join(', ')})`);
  }
  return problems;
}
