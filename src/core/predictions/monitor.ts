import { ADWIN, PageHinkley } from '../drift';
import { AnomalyScorer } from './anomaly';
import { categoricalColumnTest, numericColumnTest } from './columnTest';
import { EpisodeTracker, type EvaluationPoint } from './episodes';
import { LineSplitter, type LineProblem } from './lines';
import {
  classificationMetrics,
  compareClasses,
  entropy,
  expectedCalibrationError,
  logLoss,
  regressionMetrics,
  rocAuc,
  type ClassificationMetrics,
  type RegressionMetrics,
} from './metrics';
import { normalTwoSidedP } from '../stats';
import { chiSquareHomogeneity } from './numeric';
import { PredictionLineParser } from './parser';
import {
  buildReferenceProfile,
  calibratedAccuracy,
  normalScore,
  reconstructionError,
  rowConfidence,
  type ProfileColumns,
  type ReferenceProfile,
} from './profile';
import type {
  FeatureDrift,
  MultivariateDrift,
  PredictionAlert,
  PredictionReport,
  QualityCounts,
  SegmentGap,
  SegmentWindow,
  ShiftSummary,
  SuspiciousRow,
  WindowReport,
} from './report';
import { RowDecoder, type PredictionRow, type RawRecord } from './row';
import { flattenRecord, csvCell, inferPredictionSchema, type FlatValue, type PredictionSchema, type PredictionSchemaOverride } from './schema';

/** Where the reference rows come from. */
export type ReferenceSpec =
  | { readonly kind: 'rows'; readonly rows: number }
  | { readonly kind: 'range'; readonly start?: number; readonly end: number }
  /** Rows fed with pushReferenceLine/pushReferenceText, then endReference(); at most `rows` of them. */
  | { readonly kind: 'external'; readonly rows?: number };

/** Options of a PredictionMonitor; every field has a default that works on typical logs. */
export interface PredictionMonitorOptions {
  readonly schema?: PredictionSchemaOverride;
  readonly format?: 'jsonl' | 'csv';
  /**
   * Default: the first 1000 rows. 1000 rows keep every quantile and class share within a few
   * points, fit a 64-dimensional PCA, and sit at Evidently's switch from p-value tests to
   * distances; a fixed count (not a share) is what a growing log allows.
   */
  readonly reference?: ReferenceSpec;
  /** Rows per window (default 200). */
  readonly window?: number;
  /** Time-based windows of this many milliseconds instead of row windows. */
  readonly windowMs?: number;
  /** Rows between drift evaluations of the sliding window (default window / 4). */
  readonly step?: number;
  /** Late labels by join key (the schema's `joinKey`, default its `id`). */
  readonly labels?: ReadonlyMap<string, string | number>;
  readonly maxSuspicious?: number;
  readonly maxWindows?: number;
  readonly maxProblems?: number;
  readonly maxLineChars?: number;
  /** Reference-score quantile above which a row is suspicious (default 0.995). */
  readonly anomalyQuantile?: number;
  /** Family-wise p-value below which drift opens an episode (default 0.001). */
  readonly alertPValue?: number;
  /** Where the log comes from, for messages and the report. */
  readonly source?: string;
}

/** Default reference size (see PredictionMonitorOptions.reference). */
export const DEFAULT_REFERENCE_ROWS = 1000;
export const DEFAULT_WINDOW_ROWS = 200;
const INFER_ROWS = 50;
const MAX_REFERENCE_ROWS = 20000;
const MAX_SEGMENT_VALUES = 20;
const MAX_TIME_WINDOW_ROWS = 100000;
const MAX_RECENT_IDS = 100000;
const NAME_P = 0.05;
const MIN_LABELLED = 30;

interface Entry {
  readonly row: PredictionRow;
  readonly z: Float64Array;
  readonly rec: Float64Array;
  readonly confidence: number;
  readonly entropy: number;
  readonly calibrated: number;
  /** 1 wrong, 0 right, -1 unlabelled. */
  readonly error: number;
  readonly trueClassProbability: number;
  readonly suspicious: boolean;
}

interface FeatureEval {
  readonly feature: string;
  readonly kind: FeatureDrift['kind'];
  readonly alertPValue: number;
  readonly shift: number;
}

class QualityWindow {
  missing: number[];
  typeChanges = new Map<string, number>();
  outOfRange: number[];
  newCategories = new Map<string, Set<string>>();
  duplicateIds = 0;
  unparseable = 0;
  rows = 0;
  constructor() {
    this.missing = [];
    this.outOfRange = [];
  }
}

const share = (m: ReadonlyMap<string, number>): Record<string, number> => {
  let total = 0;
  for (const v of m.values()) total += v;
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort(compareClasses)) out[k] = total ? m.get(k)! / total : 0;
  return out;
};
const bump = (m: Map<string, number>, k: string | undefined, by = 1) => {
  if (k === undefined) return;
  const v = (m.get(k) ?? 0) + by;
  if (v === 0) m.delete(k);
  else m.set(k, v);
};
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const fmt = (x: number, d = 3) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

/**
 * Streaming monitor of one prediction log. Feed it lines (`pushLine`, or raw text with
 * `pushText`) or decoded rows (`push`); read `snapshot()` at any time for the live state.
 * Memory stays bounded: the reference (at most 20000 rows), one window of rows, and capped lists
 * of windows, alerts, suspicious rows and problems.
 *
 * @example
 * const m = new PredictionMonitor({ window: 200 });
 * for (const [i, text] of lines.entries()) m.pushLine(text, i + 1);
 * m.end();
 * const report = m.snapshot();
 */
export class PredictionMonitor {
  private readonly opts: PredictionMonitorOptions;
  private readonly referenceSpec: ReferenceSpec;
  private readonly windowRows: number;
  private readonly step: number;
  private readonly alertP: number;
  private schemaValue: PredictionSchema | undefined;
  private readonly logParser: PredictionLineParser;
  private referenceParser: PredictionLineParser | undefined;
  private readonly decoders = new Map<PredictionLineParser, RowDecoder>();
  private pending: { parser: PredictionLineParser; raw: RawRecord; line: number }[] = [];
  private splitter: LineSplitter | undefined;
  private referenceSplitter: LineSplitter | undefined;
  private referenceFeeding = false;

  private rowCount = 0;
  private referenceRows: PredictionRow[] = [];
  private referenceSeen = 0;
  private profile: ReferenceProfile | undefined;
  private segmentProfiles: Map<string, ReferenceProfile>[] = [];
  private scorer: AnomalyScorer | undefined;
  private positiveClass: string | undefined;
  private referenceCount = 0;
  private rng = 12345;

  private ring: Entry[] = [];
  private ringStart = 0;
  private sinceClose = 0;
  private monitored = 0;
  private zSum: Float64Array = new Float64Array(0);
  private zCount: Float64Array = new Float64Array(0);
  private z2Sum: Float64Array = new Float64Array(0);
  private recSum: Float64Array = new Float64Array(0);
  private recCount: Float64Array = new Float64Array(0);
  private catCounts: Map<string, number>[] = [];
  private segCounts: Map<string, number>[] = [];
  private predCounts = new Map<string, number>();
  private labelCounts = new Map<string, number>();
  private labelled = 0;
  private errors = 0;
  private absErr = 0;
  private confSum = 0;
  private confCount = 0;
  private calSum = 0;
  private calCount = 0;
  private suspiciousInRing = 0;
  private currentBucket: number | undefined;

  private adwin = new ADWIN({ delta: 0.002 });
  private confidenceDetector = new PageHinkley({ mode: 'down' });
  private adwinFired = false;
  private confidenceFired = false;
  private readonly tracker: EpisodeTracker;
  private lastEvaluation: FeatureEval[] = [];
  private lastEvaluatedAt = -1;

  private windows: WindowReport[] = [];
  private windowsDropped = 0;
  private suspiciousRows: SuspiciousRow[] = [];
  private suspiciousTotal = 0;
  private problems: LineProblem[] = [];
  private problemsTotal = 0;
  private quality: QualityWindow = new QualityWindow();
  private totals = {
    missing: new Map<string, number>(),
    typeChanges: new Map<string, number>(),
    outOfRange: new Map<string, number>(),
    newCategories: new Map<string, Set<string>>(),
    duplicateIds: 0,
    unparseable: 0,
  };
  private appeared: string[] = [];
  private disappeared = new Set<string>();
  private recentIds = new Set<string>();
  private recentIdOrder: string[] = [];
  private recentIdHead = 0;
  private lastRowAt: EvaluationPoint = { index: 0, line: 0, ts: null };
  private readonly notes: string[] = [];
  private segmentGapTotals: Map<string, { rows: number; labelled: number; correct: number; absErr: number }>[] = [];

  constructor(options: PredictionMonitorOptions = {}) {
    this.opts = options;
    this.referenceSpec = options.reference ?? { kind: 'rows', rows: DEFAULT_REFERENCE_ROWS };
    if (this.referenceSpec.kind === 'rows' && !(Number.isInteger(this.referenceSpec.rows) && this.referenceSpec.rows >= 20)) {
      throw new RangeError(`reference rows must be an integer >= 20 (got ${this.referenceSpec.rows})`);
    }
    this.windowRows = options.window ?? DEFAULT_WINDOW_ROWS;
    if (!(Number.isInteger(this.windowRows) && this.windowRows >= 20)) throw new RangeError(`window must be an integer >= 20 rows (got ${this.windowRows})`);
    if (options.windowMs !== undefined && !(options.windowMs > 0)) throw new RangeError(`windowMs must be > 0 (got ${options.windowMs})`);
    this.step = options.step ?? Math.max(5, Math.floor(this.windowRows / 8));
    if (!(Number.isInteger(this.step) && this.step >= 1)) throw new RangeError(`step must be a positive integer (got ${this.step})`);
    this.alertP = options.alertPValue ?? 1e-3;
    this.tracker = new EpisodeTracker(4, Math.max(1, Math.round(this.windowRows / this.step)));
    const onProblem = (p: LineProblem) => this.problem(p);
    this.logParser = new PredictionLineParser((raw, line) => this.record(this.logParser, raw, line), onProblem, options.format);
  }

  /** The resolved schema, once enough rows have been seen to infer it. */
  get schema(): PredictionSchema | undefined {
    return this.schemaValue;
  }

  /** Data rows read so far (valid rows of the monitored log). */
  get rows(): number {
    return this.rowCount;
  }

  /** Alerts raised so far (the live list; do not modify). */
  get alerts(): readonly PredictionAlert[] {
    return this.tracker.alerts;
  }

  /** Feeds one line of the reference file (only with `reference: { kind: 'external' }`). */
  pushReferenceLine(text: string, line: number): void {
    if (this.profile) throw new Error('the reference is already complete');
    if (this.referenceFull) return;
    this.referenceParser ??= new PredictionLineParser((raw, l) => this.record(this.referenceParser!, raw, l), (p) => this.problem(p, 'reference'), this.opts.format);
    this.referenceFeeding = true;
    this.referenceParser.pushLine(text, line);
  }

  /** Feeds raw text of the reference file in arbitrary chunks. */
  pushReferenceText(chunk: string): void {
    this.referenceSplitter ??= new LineSplitter(
      (l) => this.pushReferenceLine(l.text, l.line),
      (p) => this.problem(p, 'reference'),
      this.opts.maxLineChars,
    );
    this.referenceSplitter.push(chunk);
  }

  /** True once an external reference holds its `rows` rows (the rest of the file can be skipped). */
  get referenceFull(): boolean {
    const spec = this.referenceSpec;
    return !!this.profile || (spec.kind === 'external' && spec.rows !== undefined && this.referenceCount >= spec.rows);
  }

  /** Ends the external reference: the profile is computed now. */
  endReference(): void {
    this.referenceSplitter?.end();
    this.referenceParser?.end();
    this.fixSchema();
    this.referenceFeeding = false;
    if (!this.profile) this.finishReference();
  }

  /** Feeds one complete line of the monitored log (1-based line number). */
  pushLine(text: string, line: number): void {
    this.logParser.pushLine(text, line);
  }

  /** Feeds raw text of the log in arbitrary chunks; lines are split (and capped) here. */
  pushText(chunk: string): void {
    this.splitter ??= new LineSplitter(
      (l) => this.pushLine(l.text, l.line),
      (p) => this.problem(p),
      this.opts.maxLineChars,
    );
    this.splitter.push(chunk);
  }

  /** Feeds an already-parsed record (a JSON object) as if it were line `line`. */
  push(record: Record<string, unknown>, line = this.rowCount + 1): void {
    this.logParser.format ??= 'jsonl';
    this.record(this.logParser, { kind: 'json', value: record }, line);
  }

  /** The log is complete: flushes a last line without newline and infers the schema if still open. */
  end(): void {
    this.splitter?.end();
    this.logParser.end();
    this.fixSchema();
    if (!this.profile && this.referenceSpec.kind !== 'external') {
      const have = this.referenceRows.length;
      this.notes.push(
        have
          ? `the reference is incomplete: ${have} of ${this.referenceSpec.kind === 'rows' ? this.referenceSpec.rows : 'the range\'s'} rows; pass a smaller --reference-rows or a --reference file to compare windows`
          : 'no valid data rows were read',
      );
    }
    if (this.profile && this.sinceClose >= Math.max(20, this.windowRows / 4) && this.opts.windowMs === undefined) this.closeWindow();
  }

  /** Forgets everything (the log was truncated or replaced); options are kept. */
  reset(): void {
    Object.assign(this, new PredictionMonitor(this.opts));
  }

  private problem(p: LineProblem, where?: string): void {
    this.problemsTotal++;
    this.quality.unparseable++;
    this.totals.unparseable++;
    const message = where ? `${where} ${p.message}` : p.message;
    if (this.problems.length < (this.opts.maxProblems ?? 200)) this.problems.push({ line: p.line, message });
    // Raised at once (not at the window's end) so an editor can mark the line while the log grows.
    const at = { index: this.rowCount + this.pending.filter((x) => x.parser === this.logParser).length, line: p.line, ts: null };
    this.tracker.update('quality:unparseable', 'data_quality', at, true, () => ({ features: [], message, severity: 'warning' }), { confirm: 1 });
  }

  private record(parser: PredictionLineParser, raw: RawRecord, line: number): void {
    if (!this.schemaValue) {
      this.pending.push({ parser, raw, line });
      if (this.pending.length >= INFER_ROWS) this.fixSchema();
      return;
    }
    this.decodeAndProcess(parser, raw, line);
  }

  private fixSchema(): void {
    if (this.schemaValue || this.pending.length === 0) return;
    const sample = this.pending.map(({ parser, raw }) => {
      if (raw.kind === 'json') return flattenRecord(raw.value);
      const m = new Map<string, FlatValue>();
      parser.header!.forEach((h, i) => m.set(h, csvCell(raw.fields[i] ?? '')));
      return m;
    });
    const format = this.pending[0]!.parser.format ?? 'jsonl';
    this.schemaValue = inferPredictionSchema(sample, format, this.opts.schema);
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) this.decodeAndProcess(p.parser, p.raw, p.line);
  }

  private decoder(parser: PredictionLineParser): RowDecoder {
    let d = this.decoders.get(parser);
    if (!d) {
      d = new RowDecoder(this.schemaValue!, parser.format === 'csv' ? parser.header : undefined);
      this.decoders.set(parser, d);
    }
    return d;
  }

  private decodeAndProcess(parser: PredictionLineParser, raw: RawRecord, line: number): void {
    const decoder = this.decoder(parser);
    const fromReference = parser !== this.logParser;
    const index = fromReference ? this.referenceSeen : this.rowCount;
    const row = decoder.decode(raw, index, line);
    if (fromReference) this.referenceSeen++;
    else this.rowCount++;
    for (const c of decoder.newColumns(raw)) {
      if (this.appeared.length < 100) this.appeared.push(c);
      this.tracker.update(`quality:appeared:${c}`, 'data_quality', this.point(row), true, () => ({
        features: [c],
        message: `line ${line}: new column '${c}' appeared (not in the first ${INFER_ROWS} rows)`,
        severity: 'warning',
      }), { confirm: 1 });
    }
    this.joinLabel(row);
    this.rowQuality(row, decoder);
    if (!this.profile) {
      this.collectReference(row, fromReference);
      if (!this.profile) return;
      if (fromReference) return;
      if (this.referenceSpec.kind === 'rows') return; // the row just completed the reference
    }
    if (fromReference) return;
    this.monitorRow(row);
  }

  private point(row: PredictionRow): EvaluationPoint {
    return { index: row.index, line: row.line, ts: row.tsText ?? null };
  }

  private joinLabel(row: PredictionRow): void {
    const labels = this.opts.labels;
    if (!labels || (row.label !== undefined || row.labelValue !== undefined)) return;
    const key = row.id;
    if (key === undefined) return;
    const v = labels.get(key);
    if (v === undefined) return;
    if (this.schemaValue!.task === 'regression') {
      const n = Number(v);
      if (Number.isFinite(n)) row.labelValue = n;
    } else row.label = String(v);
  }

  private rowQuality(row: PredictionRow, decoder: RowDecoder): void {
    const q = this.quality;
    q.rows++;
    if (row.typeIssues) for (const c of row.typeIssues) {
      bump(q.typeChanges, c);
      bump(this.totals.typeChanges, c);
    }
    for (let i = 0; i < row.numeric.length; i++) {
      if (Number.isNaN(row.numeric[i]!)) {
        q.missing[i] = (q.missing[i] ?? 0) + 1;
        bump(this.totals.missing, decoder.numericNames[i]);
      }
    }
    if (row.id !== undefined) {
      if (this.recentIds.has(row.id)) {
        q.duplicateIds++;
        this.totals.duplicateIds++;
      } else {
        // A bounded FIFO of recent ids: duplicates within the last 100000 rows are caught.
        if (this.recentIdOrder.length < MAX_RECENT_IDS) this.recentIdOrder.push(row.id);
        else {
          this.recentIds.delete(this.recentIdOrder[this.recentIdHead]!);
          this.recentIdOrder[this.recentIdHead] = row.id;
          this.recentIdHead = (this.recentIdHead + 1) % MAX_RECENT_IDS;
        }
        this.recentIds.add(row.id);
      }
    }
    const p = this.profile;
    if (!p) return;
    for (let i = 0; i < p.numeric.length; i++) {
      const x = row.numeric[i]!;
      const f = p.numeric[i]!;
      if (x > f.max || x < f.min) {
        q.outOfRange[i] = (q.outOfRange[i] ?? 0) + 1;
        bump(this.totals.outOfRange, f.name);
      }
    }
    for (let i = 0; i < p.categorical.length; i++) {
      const v = row.categorical[i];
      const c = p.categorical[i]!;
      if (v !== undefined && !c.counts.has(v)) {
        const seen = q.newCategories.get(c.name) ?? new Set<string>();
        if (seen.size < 20) seen.add(v);
        q.newCategories.set(c.name, seen);
        const all = this.totals.newCategories.get(c.name) ?? new Set<string>();
        if (all.size < 20) all.add(v);
        this.totals.newCategories.set(c.name, all);
      }
    }
  }

  private collectReference(row: PredictionRow, fromReference: boolean): void {
    const spec = this.referenceSpec;
    if (spec.kind === 'external') {
      if (!fromReference) {
        // Log rows arriving before the reference ended: the reference is what we have.
        this.finishReference();
        return;
      }
      if (spec.rows === undefined || this.referenceCount < spec.rows) this.addReference(row);
      return;
    }
    if (spec.kind === 'range') {
      const ts = row.ts;
      if (ts === undefined || (spec.start !== undefined && ts < spec.start)) return;
      if (ts < spec.end) {
        this.addReference(row);
        return;
      }
      this.finishReference();
      return;
    }
    this.addReference(row);
    if (this.referenceRows.length >= spec.rows) this.finishReference();
  }

  private addReference(row: PredictionRow): void {
    const n = ++this.referenceCount;
    if (this.referenceRows.length < MAX_REFERENCE_ROWS) this.referenceRows.push(row);
    else {
      // Reservoir sampling (seeded, so runs repeat) keeps a uniform sample of a long reference.
      this.rng = (Math.imul(this.rng, 1664525) + 1013904223) >>> 0;
      const j = Math.floor((this.rng / 4294967296) * n);
      if (j < MAX_REFERENCE_ROWS) this.referenceRows[j] = row;
    }
  }

  private finishReference(): void {
    const schema = this.schemaValue;
    const rows = this.referenceRows;
    if (!schema || rows.length < 20) {
      if (schema && !this.notes.some((n) => n.startsWith('reference'))) this.notes.push(`reference has only ${rows.length} rows (at least 20 needed); nothing is compared`);
      if (!schema || this.referenceSpec.kind !== 'external') return;
      return;
    }
    const decoder = this.decoders.get(this.logParser) ?? this.decoder(this.referenceParser ?? this.logParser);
    const cols: ProfileColumns = {
      numericNames: decoder.numericNames,
      categoricalNames: decoder.categoricalNames,
      vectorNames: decoder.vectorNames,
      segments: schema.segments.length,
      regression: schema.task === 'regression',
    };
    const profile = buildReferenceProfile(rows, cols);
    this.profile = profile;
    this.scorer = new AnomalyScorer(profile, rows, this.opts.anomalyQuantile ?? 0.995);
    this.segmentProfiles = schema.segments.map((_, j) => {
      const byValue = new Map<string, PredictionRow[]>();
      for (const r of rows) {
        const v = r.segments[j];
        if (v === undefined) continue;
        const list = byValue.get(v) ?? [];
        list.push(r);
        byValue.set(v, list);
      }
      const out = new Map<string, ReferenceProfile>();
      const top = [...byValue.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, MAX_SEGMENT_VALUES);
      for (const [v, list] of top) if (list.length >= 30) out.set(v, buildReferenceProfile(list, { ...cols, vectorNames: [] }));
      return out;
    });
    this.segmentGapTotals = schema.segments.map(() => new Map());
    const classes = [...new Set([...profile.labelCounts.keys(), ...profile.predictionCounts.keys()])];
    if (schema.score && classes.length <= 2) {
      this.positiveClass = classes.find((c) => /^(1|true|yes|positive|pos)$/i.test(c)) ?? classes.sort(compareClasses)[classes.length - 1];
    }
    this.zSum = new Float64Array(profile.numeric.length);
    this.zCount = new Float64Array(profile.numeric.length);
    this.z2Sum = new Float64Array(profile.numeric.length);
    this.recSum = new Float64Array(profile.vectors.length);
    this.recCount = new Float64Array(profile.vectors.length);
    this.catCounts = profile.categorical.map(() => new Map());
    this.segCounts = schema.segments.map(() => new Map());
    this.referenceRows = [];
    this.quality = new QualityWindow();
  }

  private monitorRow(row: PredictionRow): void {
    const p = this.profile!;
    const schema = this.schemaValue!;
    if (this.opts.windowMs !== undefined && row.ts !== undefined) {
      const bucket = Math.floor(row.ts / this.opts.windowMs);
      if (this.currentBucket !== undefined && bucket !== this.currentBucket && this.sinceClose > 0) this.closeWindow();
      this.currentBucket = bucket;
    }
    const z = new Float64Array(p.numeric.length);
    for (let i = 0; i < z.length; i++) {
      const x = row.numeric[i]!;
      z[i] = Number.isNaN(x) || p.numeric[i]!.sorted.length === 0 ? NaN : normalScore(p.numeric[i]!, x);
    }
    const rec = new Float64Array(p.vectors.length);
    for (let v = 0; v < rec.length; v++) {
      const x = row.vectors[v];
      rec[v] = x && x.length === p.vectors[v]!.length ? reconstructionError(p.vectors[v]!, x) : NaN;
    }
    const c = rowConfidence(row);
    const prediction = row.prediction ?? (c?.argmax !== undefined ? String(c.argmax) : undefined);
    let error = -1;
    let trueClassProbability = NaN;
    if (schema.task === 'regression') {
      if (row.labelValue !== undefined && row.predictionValue !== undefined) error = Math.abs(row.labelValue - row.predictionValue);
    } else if (row.label !== undefined && prediction !== undefined) {
      error = row.label === prediction ? 0 : 1;
      if (row.probabilities) {
        const k = Number(row.label);
        if (Number.isInteger(k) && k >= 0 && k < row.probabilities.length) trueClassProbability = row.probabilities[k]!;
      } else if (row.score !== undefined && this.positiveClass !== undefined) {
        trueClassProbability = row.label === this.positiveClass ? row.score : 1 - row.score;
      }
    }
    const anomalyScore = this.scorer!.score(row, false).score;
    const suspicious = anomalyScore > this.scorer!.threshold;
    if (suspicious) {
      const anomaly = this.scorer!.score(row);
      this.suspiciousTotal++;
      if (this.suspiciousRows.length < (this.opts.maxSuspicious ?? 1000)) {
        this.suspiciousRows.push({ index: row.index, line: row.line, score: fmt(anomaly.score), reasons: anomaly.reasons });
      }
    }
    const entry: Entry = {
      row: prediction !== undefined && row.prediction === undefined ? { ...row, prediction } : row,
      z,
      rec,
      confidence: c?.confidence ?? NaN,
      entropy: row.probabilities ? entropy(row.probabilities) : row.score !== undefined ? entropy([row.score, 1 - row.score]) : NaN,
      calibrated: c && p.calibration ? calibratedAccuracy(p.calibration, c.confidence) : NaN,
      error,
      trueClassProbability,
      suspicious,
    };
    if (error >= 0 && schema.task === 'classification') {
      this.adwin.update(error);
      if (this.adwin.driftDetected) this.adwinFired = true;
    }
    if (c) {
      this.confidenceDetector.update(c.confidence);
      if (this.confidenceDetector.driftDetected) this.confidenceFired = true;
    }
    this.add(entry);
    this.monitored++;
    this.sinceClose++;
    this.lastRowAt = this.point(row);
    const cap = this.opts.windowMs !== undefined ? MAX_TIME_WINDOW_ROWS : this.windowRows;
    while (this.ring.length - this.ringStart > cap) this.evict();
    if (this.opts.windowMs !== undefined && row.ts !== undefined) {
      const oldest = row.ts - this.opts.windowMs;
      while (this.ring.length - this.ringStart > 1 && (this.ring[this.ringStart]!.row.ts ?? Infinity) < oldest) this.evict();
    }
    const size = this.ring.length - this.ringStart;
    if (this.monitored % this.step === 0 && size >= Math.min(this.windowRows, 50)) this.evaluate();
    if (this.opts.windowMs === undefined && this.sinceClose >= this.windowRows) this.closeWindow();
  }

  private add(e: Entry): void {
    this.ring.push(e);
    this.account(e, 1);
  }

  private evict(): void {
    const e = this.ring[this.ringStart]!;
    this.ring[this.ringStart] = undefined as unknown as Entry;
    this.ringStart++;
    if (this.ringStart > 4096 && this.ringStart * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.ringStart);
      this.ringStart = 0;
    }
    this.account(e, -1);
  }

  private account(e: Entry, sign: 1 | -1): void {
    for (let i = 0; i < e.z.length; i++) {
      const v = e.z[i]!;
      if (!Number.isNaN(v)) {
        this.zSum[i] = this.zSum[i]! + sign * v;
        this.z2Sum[i] = this.z2Sum[i]! + sign * v * v;
        this.zCount[i] = this.zCount[i]! + sign;
      }
    }
    for (let v = 0; v < e.rec.length; v++) {
      const x = e.rec[v]!;
      if (!Number.isNaN(x)) {
        this.recSum[v] = this.recSum[v]! + sign * x;
        this.recCount[v] = this.recCount[v]! + sign;
      }
    }
    e.row.categorical.forEach((v, i) => bump(this.catCounts[i]!, v, sign));
    e.row.segments.forEach((v, i) => bump(this.segCounts[i]!, v, sign));
    bump(this.predCounts, e.row.prediction, sign);
    bump(this.labelCounts, e.row.label, sign);
    if (e.error >= 0) {
      this.labelled += sign;
      if (this.schemaValue!.task === 'regression') this.absErr += sign * e.error;
      else this.errors += sign * e.error;
    }
    if (!Number.isNaN(e.confidence)) {
      this.confSum += sign * e.confidence;
      this.confCount += sign;
    }
    if (!Number.isNaN(e.calibrated)) {
      this.calSum += sign * e.calibrated;
      this.calCount += sign;
    }
    if (e.suspicious) this.suspiciousInRing += sign;
  }

  private entries(last?: number): Entry[] {
    const from = last === undefined ? this.ringStart : Math.max(this.ringStart, this.ring.length - last);
    return this.ring.slice(from);
  }

  /** Drift of every monitored column over the sliding window, with family-wise p-values. */
  private featureEvaluation(): FeatureEval[] {
    const p = this.profile!;
    const entries = this.entries();
    const tested = p.numeric.length + p.categorical.length + p.vectors.length;
    const out: FeatureEval[] = [];
    for (let i = 0; i < p.numeric.length; i++) {
      const f = p.numeric[i]!;
      const n = this.zCount[i]!;
      const N = f.sorted.length;
      if (n < 20 || N < 20) continue;
      // Location and spread of the window's normal scores against the reference's own: both
      // running sums, so an evaluation costs O(columns) however large the window.
      const t = (this.zSum[i]! / n - f.zMean) / Math.sqrt(f.zVar * (1 / n + 1 / N));
      const ts = (this.z2Sum[i]! / n - f.z2Mean) / Math.sqrt(f.z2Var * (1 / n + 1 / N));
      const pv = Math.min(1, 2 * Math.min(normalTwoSidedP(t), normalTwoSidedP(ts)));
      out.push({ feature: f.name, kind: 'numeric', alertPValue: Math.min(1, pv * tested), shift: t });
    }
    for (let i = 0; i < p.categorical.length; i++) {
      const ref = p.categorical[i]!;
      const cur = this.catCounts[i]!;
      const keys = [...new Set([...ref.counts.keys(), ...cur.keys()])];
      const r = chiSquareHomogeneity(keys.map((k) => ref.counts.get(k) ?? 0), keys.map((k) => cur.get(k) ?? 0));
      out.push({ feature: ref.name, kind: 'categorical', alertPValue: Math.min(1, r.pValue * tested), shift: Math.sqrt(r.statistic) });
    }
    for (let v = 0; v < p.vectors.length; v++) {
      const vp = p.vectors[v]!;
      const n = this.recCount[v]!;
      if (n < 20 || vp.errorSd <= 0) continue;
      const heldOut = Math.ceil(p.rows / 2);
      const t = (this.recSum[v]! / n - vp.errorMean) / (vp.errorSd * Math.sqrt(1 / n + 1 / heldOut));
      const pv = t > 0 ? normalTwoSidedP(t) / 2 : 1;
      out.push({ feature: vp.name, kind: 'vector', alertPValue: Math.min(1, pv * tested), shift: t });
    }
    return out.sort((a, b) => a.alertPValue - b.alertPValue || Math.abs(b.shift) - Math.abs(a.shift));
  }

  private evaluate(): void {
    const at = this.lastRowAt;
    if (this.lastEvaluatedAt === at.index) return;
    this.lastEvaluatedAt = at.index;
    const p = this.profile!;
    const schema = this.schemaValue!;
    const n = this.ring.length - this.ringStart;
    const features = this.featureEvaluation();
    this.lastEvaluation = features;
    const named = features.filter((f) => f.alertPValue < NAME_P);
    const segmentShifts = schema.segments.map((col, j) => {
      const ref = p.segmentCounts[j]!;
      const cur = this.segCounts[j]!;
      const keys = [...new Set([...ref.keys(), ...cur.keys()])].sort(compareClasses);
      const r = chiSquareHomogeneity(keys.map((k) => ref.get(k) ?? 0), keys.map((k) => cur.get(k) ?? 0));
      return { col, p: Math.min(1, r.pValue * schema.segments.length), text: describeShift(share(ref), share(cur)) };
    });
    const shiftedSegments = segmentShifts.filter((g) => g.p < this.alertP);
    const holds = features.some((f) => f.alertPValue < this.alertP) || shiftedSegments.length > 0;
    this.tracker.update('data_drift', 'data_drift', at, holds, () => {
      const parts = named
        .slice(0, 8)
        .map((f) => `${f.feature} (${f.kind === 'vector' ? 'PCA error' : 'shift'} ${f.shift >= 0 ? '+' : ''}${f.shift.toFixed(1)} sd)`);
      if (named.length > 8) parts.push(`${named.length - 8} more`);
      const segs = shiftedSegments.map((g) => `segment mix of '${g.col}' shifted (${g.text})`);
      return {
        features: [...named.map((f) => f.feature), ...shiftedSegments.map((g) => g.col)],
        trailing: schema.segments.slice(),
        joining: [...features.filter((f) => f.alertPValue < this.alertP).map((f) => f.feature), ...shiftedSegments.map((g) => g.col)],
        featureStrength: new Map(features.map((f) => [f.feature, Math.abs(f.shift)])),
        message: `line ${at.line}: data drift over the last ${n} rows vs the reference: ${[parts.length ? `drift in ${parts.join(', ')}` : '', ...segs].filter(Boolean).join('; ')}`,
        severity: 'warning',
        strength: Math.abs(named[0]?.shift ?? 0),
      };
    });
    const byLabels = this.labelled >= MIN_LABELLED && this.labelCounts.size > 0;
    const refCounts = byLabels ? p.labelCounts : p.predictionCounts;
    const curCounts = byLabels ? this.labelCounts : this.predCounts;
    if (schema.task === 'classification' && refCounts.size > 1) {
      const keys = [...new Set([...refCounts.keys(), ...curCounts.keys()])].sort(compareClasses);
      const r = chiSquareHomogeneity(keys.map((k) => refCounts.get(k) ?? 0), keys.map((k) => curCounts.get(k) ?? 0));
      const col = byLabels ? schema.label : schema.predictions[0];
      this.tracker.update('prior_shift', 'prior_shift', at, r.pValue < this.alertP, () => ({
        features: col ? [col] : [],
        message: `line ${at.line}: class mix (${byLabels ? 'labels' : 'predictions'}) shifted: ${describeShift(share(refCounts), share(curCounts))}`,
        severity: 'warning',
        strength: Math.sqrt(r.statistic),
      }));
    }
    if (schema.task === 'classification' && this.labelled >= MIN_LABELLED && Number.isFinite(p.accuracy)) {
      const refErr = 1 - p.accuracy;
      const err = this.errors / this.labelled;
      const sd = Math.sqrt(Math.max(refErr * (1 - refErr), 1e-4) / this.labelled);
      const elevated = err > refErr + 3 * sd && err - refErr > 0.02;
      this.tracker.update('concept_drift', 'concept_drift', at, elevated, () => ({
        features: [],
        message: `line ${at.line}: concept drift: the error rate rose to ${pct(err)} over the last ${this.labelled} labelled rows (reference ${pct(refErr)}; ADWIN detected a change)`,
        severity: 'error',
        strength: (err - refErr) / sd,
      }), { canStart: elevated && this.adwinFired, confirm: 1 });
      this.adwinFired = false;
      this.tracker.update('performance', 'performance', at, elevated, () => ({
        features: [],
        message: `line ${at.line}: accuracy ${pct(1 - err)} over the last ${this.labelled} labelled rows is below the reference band (${pct(p.accuracy)} - 3 sd)`,
        severity: 'error',
      }));
    } else if (schema.task === 'classification' && this.calCount >= MIN_LABELLED && Number.isFinite(p.accuracy)) {
      const est = this.calSum / this.calCount;
      const sd = Math.sqrt(Math.max(p.accuracy * (1 - p.accuracy), 1e-4) / this.calCount);
      const low = est < p.accuracy - 3 * sd && p.accuracy - est > 0.02;
      this.tracker.update('performance', 'performance', at, low, () => ({
        features: [],
        message: `line ${at.line}: estimated accuracy ${pct(est)} (from calibrated confidence, no labels) is below the reference band (${pct(p.accuracy)} - 3 sd)`,
        severity: 'warning',
      }));
    } else if (schema.task === 'regression' && this.labelled >= MIN_LABELLED && Number.isFinite(p.mae)) {
      const mae = this.absErr / this.labelled;
      const high = mae > 1.5 * p.mae;
      this.tracker.update('performance', 'performance', at, high, () => ({
        features: [],
        message: `line ${at.line}: MAE ${fmt(mae)} over the last ${this.labelled} labelled rows is 50% above the reference (${fmt(p.mae)})`,
        severity: 'error',
      }));
    }
    if (this.confCount >= MIN_LABELLED && Number.isFinite(p.confidenceMean)) {
      const conf = this.confSum / this.confCount;
      const low = conf < p.confidenceMean - 3 * (p.confidenceSd / Math.sqrt(this.confCount)) && p.confidenceMean - conf > 0.02;
      this.tracker.update('performance:confidence', 'performance', at, low, () => ({
        features: [],
        message: `line ${at.line}: mean confidence fell to ${fmt(conf)} (reference ${fmt(p.confidenceMean)}; Page-Hinkley detected the drop)`,
        severity: 'warning',
      }), { canStart: low && this.confidenceFired, confirm: 1 });
      this.confidenceFired = false;
    }
    const expected = (1 - (this.opts.anomalyQuantile ?? 0.995)) * n;
    this.tracker.update('anomaly', 'anomaly', at, this.suspiciousInRing >= Math.max(3, 4 * expected), () => ({
      features: [],
      message: `line ${at.line}: ${this.suspiciousInRing} suspicious inputs in the last ${n} rows (about ${expected.toFixed(1)} expected)`,
      severity: 'warning',
    }));
  }

  private closeWindow(): void {
    if (!this.profile) return;
    this.evaluate();
    const entries = this.entries(this.sinceClose);
    this.sinceClose = 0;
    if (!entries.length) return;
    const report = this.windowReport(entries);
    this.qualityAlerts(report);
    this.windows.push(report);
    const max = this.opts.maxWindows ?? 1000;
    if (this.windows.length > max) {
      this.windows.shift();
      this.windowsDropped++;
    }
    this.quality = new QualityWindow();
  }

  private performance(entries: readonly Entry[]): ClassificationMetrics | RegressionMetrics | undefined {
    const schema = this.schemaValue!;
    const lab = entries.filter((e) => e.error >= 0);
    if (!lab.length) return undefined;
    if (schema.task === 'regression') return regressionMetrics(lab.map((e) => e.row.labelValue!), lab.map((e) => e.row.predictionValue!));
    const base = classificationMetrics(lab.map((e) => e.row.label!), lab.map((e) => e.row.prediction!));
    const extra: { rocAuc?: number; logLoss?: number; ece?: number } = {};
    if (this.positiveClass !== undefined) {
      const scored = lab.filter((e) => e.row.score !== undefined);
      const auc = rocAuc(scored.map((e) => e.row.label === this.positiveClass), scored.map((e) => e.row.score!));
      if (Number.isFinite(auc)) extra.rocAuc = fmt(auc, 4);
    }
    const probs = lab.filter((e) => !Number.isNaN(e.trueClassProbability)).map((e) => e.trueClassProbability);
    if (probs.length) extra.logLoss = fmt(logLoss(probs), 4);
    const conf = lab.filter((e) => !Number.isNaN(e.confidence));
    if (conf.length) extra.ece = fmt(expectedCalibrationError(conf.map((e) => e.confidence), conf.map((e) => e.error === 0)), 4);
    return { ...base, ...extra };
  }

  private windowReport(entries: readonly Entry[]): WindowReport {
    const p = this.profile!;
    const schema = this.schemaValue!;
    const first = entries[0]!.row;
    const last = entries[entries.length - 1]!.row;
    const evals = new Map(this.lastEvaluation.map((e) => [e.feature, e]));
    const drift = this.columnDrift(entries, p, evals);
    const multivariate: MultivariateDrift[] = p.vectors.map((vp, v) => {
      const errs = entries.map((e) => e.rec[v]!).filter((x) => !Number.isNaN(x));
      const value = errs.length ? errs.reduce((s, x) => s + x, 0) / errs.length : NaN;
      const half = 3 * vp.errorSd / Math.sqrt(Math.max(1, errs.length));
      return { feature: vp.name, value: fmt(value, 4), lower: fmt(vp.errorMean - half, 4), upper: fmt(vp.errorMean + half, 4), drifted: value > vp.errorMean + half || value < vp.errorMean - half };
    });
    const confs = entries.map((e) => e.confidence).filter((x) => !Number.isNaN(x));
    const ents = entries.map((e) => e.entropy).filter((x) => !Number.isNaN(x));
    const cal = entries.map((e) => e.calibrated).filter((x) => !Number.isNaN(x));
    const avg = (xs: number[]) => (xs.length ? fmt(xs.reduce((s, x) => s + x, 0) / xs.length, 4) : undefined);
    const counts = (pick: (e: Entry) => string | undefined) => {
      const m = new Map<string, number>();
      for (const e of entries) bump(m, pick(e));
      return m;
    };
    const shift = (ref: ReadonlyMap<string, number>, cur: Map<string, number>): ShiftSummary | undefined => {
      if (!cur.size || ref.size < 2) return undefined;
      const keys = [...new Set([...ref.keys(), ...cur.keys()])].sort(compareClasses);
      const r = chiSquareHomogeneity(keys.map((k) => ref.get(k) ?? 0), keys.map((k) => cur.get(k) ?? 0));
      return { test: 'chi2', statistic: fmt(r.statistic), pValue: r.pValue, drifted: r.pValue < 0.05, current: share(cur), reference: share(ref) };
    };
    // Per-segment drift drills into the columns that matter in this window: the drifted and top-ranked ones.
    const focus = new Set([...drift.filter((d) => d.drifted && d.kind !== 'segment').slice(0, 10), ...drift.filter((d) => d.kind !== 'segment').slice(0, 5)].map((d) => d.feature));
    const segments = this.segmentWindows(entries, focus);
    const q = this.quality;
    const decoder = this.decoders.get(this.logParser)!;
    const perf = this.performance(entries);
    const meanConfidence = avg(confs);
    const meanEntropy = avg(ents);
    const estimatedAccuracy = avg(cal);
    const predictionDrift = schema.task === 'classification' ? shift(p.predictionCounts, counts((e) => e.row.prediction)) : undefined;
    const priorShift = schema.task === 'classification' ? shift(p.labelCounts, counts((e) => e.row.label)) : undefined;
    const segmentGap = largestGap(segments, schema.task);
    return {
      window: this.windows.length + this.windowsDropped,
      start: first.index,
      end: last.index + 1,
      startLine: first.line,
      endLine: last.line,
      startTs: first.tsText ?? null,
      endTs: last.tsText ?? null,
      rows: entries.length,
      labelled: entries.filter((e) => e.error >= 0).length,
      ...(perf ? { performance: perf } : {}),
      ...(meanConfidence !== undefined ? { meanConfidence } : {}),
      ...(meanEntropy !== undefined ? { meanEntropy } : {}),
      ...(estimatedAccuracy !== undefined ? { estimatedAccuracy } : {}),
      drift,
      driftedShare: drift.length ? fmt(drift.filter((d) => d.drifted).length / drift.length) : 0,
      multivariate,
      ...(predictionDrift ? { predictionDrift } : {}),
      ...(priorShift ? { priorShift } : {}),
      segments,
      ...(segmentGap ? { segmentGap } : {}),
      quality: {
        missing: Object.fromEntries(decoder.numericNames.map((n, i) => [n, q.missing[i] ?? 0]).filter(([, v]) => v)),
        typeChanges: Object.fromEntries(q.typeChanges),
        outOfRange: Object.fromEntries(p.numeric.map((f, i) => [f.name, q.outOfRange[i] ?? 0]).filter(([, v]) => v)),
        newCategories: Object.fromEntries([...q.newCategories].map(([k, v]) => [k, [...v]])),
        duplicateIds: q.duplicateIds,
        unparseableLines: q.unparseable,
      },
      suspicious: entries.filter((e) => e.suspicious).length,
    };
  }

  /** Default-test drift of each column of `entries` against `ref`, ranked strongest first. */
  private columnDrift(entries: readonly Entry[], ref: ReferenceProfile, evals?: ReadonlyMap<string, FeatureEval>, only?: ReadonlySet<string>): FeatureDrift[] {
    const out: FeatureDrift[] = [];
    const buffer = new Float64Array(entries.length);
    for (let i = 0; i < ref.numeric.length; i++) {
      const f = ref.numeric[i]!;
      if (only && !only.has(f.name)) continue;
      let k = 0;
      for (const e of entries) {
        const x = e.row.numeric[i]!;
        if (!Number.isNaN(x)) buffer[k++] = x;
      }
      const vals = buffer.subarray(0, k).sort();
      if (!vals.length || !f.sorted.length) continue;
      const r = numericColumnTest(f.sorted, vals, f.uniqueValues);
      const e = evals?.get(f.name);
      out.push({ feature: f.name, kind: 'numeric', ...r, statistic: fmt(r.statistic, 4), alertPValue: e?.alertPValue ?? 1, shift: fmt(e?.shift ?? 0, 2) });
    }
    for (let i = 0; i < ref.categorical.length; i++) {
      const c = ref.categorical[i]!;
      if (only && !only.has(c.name)) continue;
      const cur = new Map<string, number>();
      for (const e of entries) bump(cur, e.row.categorical[i]);
      const r = categoricalColumnTest(c.counts, cur, ref.rows);
      const e = evals?.get(c.name);
      out.push({ feature: c.name, kind: 'categorical', ...r, statistic: fmt(r.statistic, 4), alertPValue: e?.alertPValue ?? 1, shift: fmt(e?.shift ?? 0, 2) });
    }
    if (evals) {
      for (const vp of ref.vectors) {
        const e = evals.get(vp.name);
        if (!e) continue;
        out.push({ feature: vp.name, kind: 'vector', test: 'pca_reconstruction', statistic: fmt(e.shift, 2), threshold: 3, drifted: e.shift > 3, alertPValue: e.alertPValue, shift: fmt(e.shift, 2) });
      }
      this.schemaValue!.segments.forEach((col, j) => {
        const cur = new Map<string, number>();
        for (const e of entries) bump(cur, e.row.segments[j]);
        const r = categoricalColumnTest(ref.segmentCounts[j]!, cur, ref.rows);
        out.push({ feature: col, kind: 'segment', ...r, statistic: fmt(r.statistic, 4), alertPValue: 1, shift: 0 });
      });
    }
    return out.sort((a, b) => a.alertPValue - b.alertPValue || rankP(a) - rankP(b) || Math.abs(b.shift) - Math.abs(a.shift));
  }

  private segmentWindows(entries: readonly Entry[], focus: ReadonlySet<string>): SegmentWindow[] {
    const schema = this.schemaValue!;
    const out: SegmentWindow[] = [];
    schema.segments.forEach((col, j) => {
      const groups = new Map<string, Entry[]>();
      for (const e of entries) {
        const v = e.row.segments[j];
        if (v === undefined) continue;
        const g = groups.get(v);
        if (g) g.push(e);
        else if (groups.size < MAX_SEGMENT_VALUES) groups.set(v, [e]);
      }
      for (const [value, list] of [...groups].sort((a, b) => compareClasses(a[0], b[0]))) {
        const perf = this.performance(list);
        const confs = list.map((e) => e.confidence).filter((x) => !Number.isNaN(x));
        const cal = list.map((e) => e.calibrated).filter((x) => !Number.isNaN(x));
        const ref = this.segmentProfiles[j]?.get(value);
        const totals = this.segmentGapTotals[j]!;
        const t = totals.get(value) ?? { rows: 0, labelled: 0, correct: 0, absErr: 0 };
        for (const e of list) {
          t.rows++;
          if (e.error >= 0) {
            t.labelled++;
            if (schema.task === 'regression') t.absErr += e.error;
            else if (e.error === 0) t.correct++;
          }
        }
        if (totals.has(value) || totals.size < MAX_SEGMENT_VALUES) totals.set(value, t);
        out.push({
          column: col,
          value,
          rows: list.length,
          ...(perf ? { performance: perf } : {}),
          ...(confs.length ? { meanConfidence: fmt(confs.reduce((s, x) => s + x, 0) / confs.length, 4) } : {}),
          ...(cal.length ? { estimatedAccuracy: fmt(cal.reduce((s, x) => s + x, 0) / cal.length, 4) } : {}),
          drift: ref && list.length >= 20 ? this.columnDrift(list, ref, undefined, focus) : [],
        });
      }
    });
    return out;
  }

  private qualityAlerts(w: WindowReport): void {
    const at = { index: w.end - 1, line: w.endLine, ts: w.endTs };
    const p = this.profile!;
    const where = `lines ${w.startLine}-${w.endLine}`;
    for (const [col, n] of Object.entries(w.quality.typeChanges)) {
      this.tracker.update(`quality:type:${col}`, 'data_quality', at, n > 0, () => ({ features: [col], message: `${where}: ${n} value(s) of '${col}' have the wrong type`, severity: 'warning' }), { confirm: 1 });
    }
    for (const f of p.numeric) {
      const miss = (w.quality.missing[f.name] ?? 0) / w.rows;
      const gone = miss === 1 && f.missingRate < 1;
      if (gone) this.disappeared.add(f.name);
      this.tracker.update(`quality:missing:${f.name}`, 'data_quality', at, miss > f.missingRate + 0.1, () => ({
        features: [f.name],
        message: gone ? `${where}: column '${f.name}' disappeared (missing on every row)` : `${where}: '${f.name}' missing on ${pct(miss)} of rows (reference ${pct(f.missingRate)})`,
        severity: 'warning',
      }), { confirm: 1 });
      const oor = (w.quality.outOfRange[f.name] ?? 0) / w.rows;
      this.tracker.update(`quality:range:${f.name}`, 'data_quality', at, oor > 0.05, () => ({
        features: [f.name],
        message: `${where}: ${pct(oor)} of '${f.name}' values fall outside the reference range [${fmt(f.min)}, ${fmt(f.max)}]`,
        severity: 'warning',
      }), { confirm: 1 });
    }
    for (const [col, values] of Object.entries(w.quality.newCategories)) {
      this.tracker.update(`quality:category:${col}`, 'data_quality', at, values.length > 0, () => ({
        features: [col],
        message: `${where}: new categories in '${col}': ${values.slice(0, 5).join(', ')}`,
        severity: 'warning',
      }), { confirm: 1 });
    }
    this.tracker.update('quality:duplicates', 'data_quality', at, w.quality.duplicateIds > 0, () => ({
      features: this.schemaValue!.id ? [this.schemaValue!.id] : [],
      message: `${where}: ${w.quality.duplicateIds} duplicate id(s)`,
      severity: 'warning',
    }), { confirm: 1 });
    if (w.quality.unparseableLines === 0 && this.tracker.isActive('quality:unparseable')) {
      this.tracker.update('quality:unparseable', 'data_quality', at, false, () => ({ features: [], message: '', severity: 'warning' }));
    }
  }

  /** The live state of the monitor as plain data. */
  snapshot(): PredictionReport {
    const schema = this.schemaValue ?? null;
    const p = this.profile;
    const spec = this.referenceSpec;
    const source = spec.kind === 'rows' ? `first ${spec.rows} rows` : spec.kind === 'range' ? 'time range' : 'reference file';
    const gap = this.overallGap();
    const set = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v]]));
    const notes = [...this.notes];
    if (!schema) notes.push('no rows yet: the schema is inferred from the first rows');
    if (this.tracker.droppedAlerts) notes.push(`${this.tracker.droppedAlerts} alerts beyond the first 10000 were dropped`);
    return {
      rows: this.rowCount,
      schema,
      reference: {
        rows: p?.rows ?? this.referenceRows.length,
        start: p?.firstIndex ?? 0,
        end: p ? p.lastIndex + 1 : this.referenceRows.length,
        source,
        complete: !!p,
        accuracy: p && Number.isFinite(p.accuracy) ? fmt(p.accuracy, 4) : null,
      },
      windows: this.windows,
      windowsDropped: this.windowsDropped,
      alerts: [...this.tracker.alerts],
      suspicious: this.suspiciousRows.map((s) => s.index),
      suspiciousRows: this.suspiciousRows,
      suspiciousTotal: this.suspiciousTotal,
      anomalyThreshold: this.scorer && Number.isFinite(this.scorer.threshold) ? fmt(this.scorer.threshold) : null,
      driftRanking: this.lastEvaluation.map((e) => ({ feature: e.feature, alertPValue: e.alertPValue, shift: fmt(e.shift, 2) })),
      episodes: this.tracker.episodes(),
      quality: {
        missing: Object.fromEntries(this.totals.missing),
        typeChanges: Object.fromEntries(this.totals.typeChanges),
        outOfRange: Object.fromEntries(this.totals.outOfRange),
        newCategories: set(this.totals.newCategories),
        duplicateIds: this.totals.duplicateIds,
        unparseableLines: this.totals.unparseable,
        appearedColumns: [...this.appeared],
        disappearedColumns: [...this.disappeared],
      },
      problems: [...this.problems],
      problemsTotal: this.problemsTotal,
      ...(gap ? { segmentGap: gap } : {}),
      notes,
    };
  }

  private overallGap(): SegmentGap | undefined {
    const schema = this.schemaValue;
    if (!schema) return undefined;
    let best: SegmentGap | undefined;
    schema.segments.forEach((col, j) => {
      const rows = [...(this.segmentGapTotals[j] ?? new Map()).entries()]
        .filter(([, t]) => t.labelled >= MIN_LABELLED)
        .map(([value, t]) => ({ value, rows: t.rows, score: schema.task === 'regression' ? t.absErr / t.labelled : t.correct / t.labelled }));
      const g = gapOf(col, rows, schema.task);
      if (g && (!best || g.gap > best.gap)) best = g;
    });
    return best;
  }
}

function rankP(d: FeatureDrift): number {
  return d.pValue ?? (d.drifted ? 0 : 1) * (1 - d.statistic);
}

function describeShift(ref: Record<string, number>, cur: Record<string, number>): string {
  const keys = [...new Set([...Object.keys(ref), ...Object.keys(cur)])];
  const moves = keys
    .map((k) => ({ k, d: (cur[k] ?? 0) - (ref[k] ?? 0) }))
    .sort((a, b) => Math.abs(b.d) - Math.abs(a.d))
    .slice(0, 3);
  return moves.map(({ k }) => `${k} ${pct(ref[k] ?? 0)} -> ${pct(cur[k] ?? 0)}`).join(', ');
}

function gapOf(column: string, rows: { value: string; rows: number; score: number }[], task: 'classification' | 'regression'): SegmentGap | undefined {
  if (rows.length < 2) return undefined;
  // Higher accuracy is better; lower MAE is better.
  const sorted = [...rows].sort((a, b) => (task === 'regression' ? a.score - b.score : b.score - a.score));
  const best = sorted[0]!;
  const worst = sorted[sorted.length - 1]!;
  return {
    column,
    metric: task === 'regression' ? 'mae' : 'accuracy',
    best: { value: best.value, score: fmt(best.score, 4), rows: best.rows },
    worst: { value: worst.value, score: fmt(worst.score, 4), rows: worst.rows },
    gap: fmt(Math.abs(best.score - worst.score), 4),
  };
}

function largestGap(segments: readonly SegmentWindow[], task: 'classification' | 'regression'): SegmentGap | undefined {
  let best: SegmentGap | undefined;
  const byColumn = new Map<string, { value: string; rows: number; score: number }[]>();
  for (const s of segments) {
    const perf = s.performance;
    if (!perf || perf.labelled < 20) continue;
    const score = 'accuracy' in perf ? perf.accuracy : perf.mae;
    const list = byColumn.get(s.column) ?? [];
    list.push({ value: s.value, rows: s.rows, score });
    byColumn.set(s.column, list);
  }
  for (const [col, rows] of byColumn) {
    const g = gapOf(col, rows, task);
    if (g && (!best || g.gap > best.gap)) best = g;
  }
  return best;
}
