import { ADWIN, PageHinkley } from '../drift';
import { AnomalyScorer } from './anomaly';
import { EpisodeTracker, type EvaluationPoint } from './episodes';
import { LineSplitter, detach, type LineProblem } from './lines';
import { compareClasses, entropy } from './metrics';
import { PredictionLineParser } from './parser';
import {
  buildReferenceProfile,
  calibratedAccuracy,
  packedRank,
  rankScore,
  reconstructionError,
  rowConfidence,
  type ProfileColumns,
  type ReferenceProfile,
} from './profile';
import type { PredictionAlert, PredictionReport, SegmentGap, SuspiciousRow, WindowReport } from './report';
import { RowDecoder, detachRow, type PredictionRow, type RawRecord } from './row';
import { flattenRecord, csvCell, inferPredictionSchema, type FlatValue, type PredictionSchema, type PredictionSchemaOverride } from './schema';
import { applyAlertRules, evaluateColumns } from './alertRules';
import { isMultipleTesting, MULTIPLE_TESTING_METHODS, type MultipleTesting } from './multipleTesting';
import { SlidingWindow } from './slidingWindow';
import { DataQualityMonitor } from './quality';
import { WindowReporter, fmt, gapOf, type FeatureEval, type WindowEntry } from './windowReport';
import { LateLabelLedger, type LateWindowAccuracy } from './lateLabels';
import { MultivariateDriftMonitor, explainedFeatures, multivariateVerdict, type DriftExplanation, type MultivariateSettings, type MultivariateVerdict, type NumericRow, type ReconstructionEvaluation } from '../multivariate';
import {
  buildEmbeddingReference,
  embeddingDrift,
  linearDomainAuc,
  resolveEmbeddingOptions,
  type EmbeddingDriftOptions,
  type EmbeddingDriftResult,
  type EmbeddingReference,
  type ResolvedEmbeddingOptions,
} from '../embedding';
import { PerformanceEstimator } from '../estimation/estimator';
import { AttributionSums, attributionDrift, buildAttributionReference, describeAttributionMove, type AttributionDrift, type AttributionReference } from '../attribution';

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
   * Default: the first 1000 rows. 1000 rows keep quantiles and class shares within a few points,
   * fit a 64-dimensional PCA, and sit at Evidently's switch from p-value tests to distances; a
   * fixed count (not a share) is what a growing log allows. Both fixture logs stay clean well
   * past it (1500 and 2000 rows), leaving clean windows to show there are no false alarms.
   */
  readonly reference?: ReferenceSpec;
  /** Rows per window (default 200). */
  readonly window?: number;
  /** Time-based windows of this many milliseconds instead of row windows. */
  readonly windowMs?: number;
  /** Rows between drift evaluations of the sliding window (default window / 8). */
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
  /** How per-feature p-values are corrected for the number of features (default Bonferroni). */
  readonly multipleTesting?: MultipleTesting;
  /** Where the log comes from (a path); kept for callers that pass options around. */
  readonly source?: string;
  /** Multivariate drift of the numeric columns (PCA reconstruction, domain-classifier explanation). */
  readonly multivariate?: MultivariateSettings;
  /** How vector (embedding) columns are compared: Evidently's methods, default model-based (AUC > 0.55). */
  readonly embedding?: EmbeddingDriftOptions;
}

/** Default reference size (see PredictionMonitorOptions.reference). */
export const DEFAULT_REFERENCE_ROWS = 1000;
export const DEFAULT_WINDOW_ROWS = 200;
const INFER_ROWS = 50;
const MAX_REFERENCE_ROWS = 20000;
const MAX_SEGMENT_VALUES = 20;
const MAX_TIME_WINDOW_ROWS = 100000;
const MIN_LABELLED = 30;

/** A CSV cell for schema inference: a quoted JSON array (a vector, class probabilities) is read as one. */
function csvValue(text: string): FlatValue {
  const v = csvCell(text);
  if (typeof v !== 'string' || !v.startsWith('[') || !v.endsWith(']')) return v;
  try {
    const parsed: unknown = JSON.parse(v);
    // Only a flat array is a vector; nested ones stay text (and cannot recurse in String()).
    return Array.isArray(parsed) && parsed.every((x) => x === null || typeof x !== 'object') ? (parsed as FlatValue) : v;
  } catch {
    return v;
  }
}

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
  private readonly multipleTesting: MultipleTesting;
  private schemaValue: PredictionSchema | undefined;
  private readonly logParser: PredictionLineParser;
  private referenceParser: PredictionLineParser | undefined;
  private readonly decoders = new Map<PredictionLineParser, RowDecoder>();
  private pending: { parser: PredictionLineParser; raw: RawRecord; line: number }[] = [];
  private splitter: LineSplitter | undefined;
  private referenceSplitter: LineSplitter | undefined;

  private rowCount = 0;
  private pushed = 0;
  private referenceRows: PredictionRow[] = [];
  private referenceSeen = 0;
  private profile: ReferenceProfile | undefined;
  private segmentProfiles: Map<string, ReferenceProfile>[] = [];
  private scorer: AnomalyScorer | undefined;
  private positiveClass: string | undefined;
  private referenceCount = 0;
  private rng = 12345;

  private window: SlidingWindow | undefined;
  private sinceClose = 0;
  private monitored = 0;
  private currentBucket: number | undefined;

  private adwin = new ADWIN({ delta: 0.002 });
  private confidenceDetector = new PageHinkley({ mode: 'down' });
  private adwinFired = false;
  private confidenceFired = false;
  private readonly tracker: EpisodeTracker;
  private lastEvaluation: FeatureEval[] = [];
  private lastEvaluatedAt = -1;
  /** Rows that left the window, whose arrays are reused. */
  private readonly spare: WindowEntry[] = [];
  private readonly spareNumeric: Float64Array[] = [];
  /** Monitored records parsed within one pushText call, processed together (see flushQueue). */
  private queue: { raw: RawRecord; line: number }[] = [];
  private queueing = false;

  private windows: WindowReport[] = [];
  private windowsDropped = 0;
  private suspiciousRows: SuspiciousRow[] = [];
  private suspiciousTotal = 0;
  private problems: LineProblem[] = [];
  private problemsTotal = 0;
  private readonly quality = new DataQualityMonitor();
  private lastRow: PredictionRow | undefined;
  private readonly notes: string[] = [];
  private segmentGapTotals: Map<string, { rows: number; labelled: number; correct: number; absErr: number }>[] = [];
  private reporter: WindowReporter | undefined;
  private estimator: PerformanceEstimator | undefined;
  private labels: Map<string, string | number> | undefined;
  private readonly late = new LateLabelLedger();
  private multivariate: MultivariateDriftMonitor | undefined;
  private lastReconstruction: ReconstructionEvaluation | undefined;
  private lastMultivariateVerdict: MultivariateVerdict | undefined;
  private multivariateAlert: PredictionAlert | undefined;
  private multivariateRefined = false;
  /** Open drift alerts whose explanation is replaced a window after they opened (see explainOpened). */
  private toRefine: PredictionAlert[] = [];
  /** The explanation of the latest evaluation, computed at most once however many episodes open there. */
  private explanationAt: { index: number; value: DriftExplanation | undefined } | undefined;
  private readonly embeddingOptions: ResolvedEmbeddingOptions;
  /** Each vector column's reference, with the column's index in a row's `vectors`. */
  private embeddingReferences: { readonly reference: EmbeddingReference; readonly column: number }[] = [];
  private embeddingResults = new Map<string, EmbeddingDriftResult>();
  private embeddingAt = -Infinity;
  /** Consecutive runs of each vector column's method that said drift. */
  private embeddingStreak = new Map<string, number>();
  private attributionReference: AttributionReference | undefined;
  private lastAttribution: AttributionDrift | undefined;

  constructor(options: PredictionMonitorOptions = {}) {
    this.opts = options;
    if (options.labels) this.labels = new Map(options.labels);
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
    this.multipleTesting = options.multipleTesting ?? 'bonferroni';
    if (!isMultipleTesting(this.multipleTesting)) {
      throw new RangeError(`multipleTesting must be one of ${MULTIPLE_TESTING_METHODS.join(', ')} (got ${String(options.multipleTesting)})`);
    }
    this.embeddingOptions = resolveEmbeddingOptions(options.embedding);
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

  /**
   * Alerts raised so far (the live list; do not modify). An open data-drift episode keeps one
   * alert whose `features` grow as more columns join it, strongest first, segments last.
   */
  get alerts(): readonly PredictionAlert[] {
    return this.tracker.alerts;
  }

  /** Feeds one line of the reference file (only with `reference: { kind: 'external' }`). */
  pushReferenceLine(text: string, line: number): void {
    if (this.profile) throw new Error('the reference is already complete');
    if (this.referenceFull) return;
    this.referenceParser ??= new PredictionLineParser((raw, l) => this.record(this.referenceParser!, raw, l), (p) => this.problem(p, 'reference'), this.opts.format);
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
    this.queueing = true;
    try {
      this.splitter.push(chunk);
    } finally {
      this.queueing = false;
      this.flushQueue();
    }
  }

  /** Feeds an already-parsed record (a JSON object) as if it were line `line`. */
  push(record: Record<string, unknown>, line = this.pushed + 1): void {
    this.pushed = line;
    this.logParser.format ??= 'jsonl';
    this.record(this.logParser, { kind: 'json', value: record }, line);
  }

  /**
   * Runs `feed` (calls of pushLine or push) as one batch, monitored as pushText monitors the rows
   * of one chunk: readers that split lines or build records themselves keep pushText's speed.
   */
  batch(feed: () => void): void {
    this.queueing = true;
    try {
      feed();
    } finally {
      this.queueing = false;
      this.flushQueue();
    }
  }

  /** Reports input that never became a record (an envelope field missing, a payload that does not decode). */
  reportProblem(line: number, message: string): void {
    this.problem({ line, message });
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
          : this.problemsTotal
            ? `no valid data rows were read: ${this.problemsTotal} line(s) could not be read (first ${this.problems[0]!.message})`
            : 'no valid data rows were read',
      );
    }
    // The last, partial window is reported when it holds enough rows to say something.
    const least = this.opts.windowMs === undefined ? Math.max(20, this.windowRows / 4) : 20;
    if (this.profile && this.sinceClose >= least) this.closeWindow();
  }

  private problem(p: LineProblem, where?: string): void {
    this.flushQueue();
    this.problemsTotal++;
    this.quality.unreadableLine();
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
    if (this.queueing && this.profile && parser === this.logParser) {
      this.queue.push({ raw, line });
      if (this.queue.length >= QUEUE_ROWS) this.flushQueue();
      return;
    }
    this.decodeAndProcess(parser, raw, line);
  }

  /**
   * Monitors the queued rows in arrival order, as decodeAndProcess would one by one; only the
   * decoding and the reference ranks are done first, column by column over the rows, so each
   * column's reference stays in cache (a per-row hot spot when done row by row).
   */
  private flushQueue(): void {
    const queue = this.queue;
    if (!queue.length) return;
    this.queue = [];
    const decoder = this.decoder(this.logParser);
    const p = this.profile!;
    const columns = decoder.numericNames.length;
    const rows: PredictionRow[] = [];
    const arrays: WindowArrays[] = [];
    for (let k = 0; k < queue.length; k++) {
      const { raw, line } = queue[k]!;
      const reuse = this.spareNumeric.pop();
      rows.push(decoder.decode(raw, this.rowCount + k, line, reuse?.length === columns ? reuse : undefined));
      arrays.push(this.spare.pop() ?? { ranks: new Int32Array(p.numeric.length), scores: new Float64Array(p.numeric.length), rec: p.vectors.length ? new Float64Array(p.vectors.length) : NO_VECTORS });
    }
    for (let i = 0; i < p.numeric.length; i++) {
      const f = p.numeric[i]!;
      for (let k = 0; k < rows.length; k++) rankInto(f, rows[k]!.numeric[i]!, i, arrays[k]!);
    }
    for (let k = 0; k < queue.length; k++) this.process(this.logParser, decoder, queue[k]!.raw, rows[k]!, queue[k]!.line, arrays[k]);
  }

  private fixSchema(): void {
    if (this.schemaValue || this.pending.length === 0) return;
    const sample = this.pending.map(({ parser, raw }) => {
      if (raw.kind === 'json') return flattenRecord(raw.value);
      const m = new Map<string, FlatValue>();
      parser.header!.forEach((h, i) => m.set(h, csvValue(raw.fields[i] ?? '')));
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
    const reuse = this.profile && !fromReference ? this.spareNumeric.pop() : undefined;
    const row = decoder.decode(raw, index, line, reuse?.length === decoder.numericNames.length ? reuse : undefined);
    this.process(parser, decoder, raw, row, line);
  }

  /** Everything after decoding; `ranked`: the row's reference ranks and scores, already filled. */
  private process(parser: PredictionLineParser, decoder: RowDecoder, raw: RawRecord, row: PredictionRow, line: number, ranked?: WindowArrays): void {
    const fromReference = parser !== this.logParser;
    if (fromReference) this.referenceSeen++;
    else this.rowCount++;
    for (const c of decoder.newColumns(raw)) {
      this.quality.columnAppeared(c);
      this.tracker.update(`quality:appeared:${c}`, 'data_quality', this.point(row), true, () => ({
        features: [c],
        message: `line ${line}: new column '${c}' appeared (not in the first ${INFER_ROWS} rows)`,
        severity: 'warning',
      }), { confirm: 1 });
    }
    this.joinLabel(row);
    this.quality.row(row, decoder.numericNames, this.profile);
    if (!this.profile) {
      this.collectReference(row, fromReference);
      if (!this.profile) return;
      if (fromReference) return;
      if (this.referenceSpec.kind === 'rows') return; // the row just completed the reference
    }
    if (fromReference) return;
    this.monitorRow(row, ranked);
  }

  private point(row: PredictionRow): EvaluationPoint {
    return { index: row.index, line: row.line, ts: row.tsText === undefined ? null : detach(row.tsText) };
  }

  private joinLabel(row: PredictionRow): void {
    const labels = this.labels;
    if (!labels || row.label !== undefined || row.labelValue !== undefined || row.id === undefined) return;
    const v = labels.get(row.id);
    if (v !== undefined) this.setLabel(row, v);
  }

  private setLabel(row: PredictionRow, v: string | number): void {
    if (this.schemaValue!.task === 'regression') {
      const n = Number(v);
      if (Number.isFinite(n)) row.labelValue = n;
    } else row.label = typeof v === 'number' ? String(v) : v;
  }

  /** Error (1 wrong / 0 right, or |error| for regression; -1 unlabelled) and the true class's probability. */
  private outcome(row: PredictionRow, prediction: string | undefined): { error: number; trueClassProbability: number } {
    if (this.schemaValue!.task === 'regression') {
      const ok = row.labelValue !== undefined && row.predictionValue !== undefined;
      return { error: ok ? Math.abs(row.labelValue! - row.predictionValue!) : -1, trueClassProbability: NaN };
    }
    if (row.label === undefined || prediction === undefined) return { error: -1, trueClassProbability: NaN };
    let trueClassProbability = NaN;
    if (row.probabilities) {
      const k = Number(row.label);
      if (Number.isInteger(k) && k >= 0 && k < row.probabilities.length) trueClassProbability = row.probabilities[k]!;
    } else if (row.score !== undefined && this.positiveClass !== undefined) {
      trueClassProbability = row.label === this.positiveClass ? row.score : 1 - row.score;
    }
    return { error: row.label === prediction ? 0 : 1, trueClassProbability };
  }

  /**
   * A label that arrived after its row (a labels file being appended to): joins rows still to
   * come, and the row itself when it is still in the sliding window (its window is then scored
   * with it). Returns true when a row in the window took the label.
   */
  addLabel(id: string, label: string | number): boolean {
    (this.labels ??= new Map()).set(id, label);
    this.late.label(id, label);
    const window = this.window;
    const entry = window?.byId(id);
    if (!window || !entry || entry.error >= 0) return false;
    const row = { ...entry.row };
    this.setLabel(row, label);
    const { error, trueClassProbability } = this.outcome(row, row.prediction);
    if (error < 0) return false;
    if (this.schemaValue!.task === 'classification') {
      this.adwin.update(error);
      if (this.adwin.driftDetected) this.adwinFired = true;
    }
    window.replace(entry, { ...entry, row, error, trueClassProbability });
    return true;
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
    row = detachRow(row);
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
    const eo = this.embeddingOptions;
    this.embeddingReferences = decoder.vectorNames.flatMap((name, column) => {
      const vectors = rows.map((r) => r.vectors[column]).filter((v): v is Float64Array => !!v);
      return vectors.length >= 20 ? [{ reference: buildEmbeddingReference(name, vectors, eo.maxReferenceRows, eo.seed), column }] : [];
    });
    if (schema.attributions) {
      this.attributionReference = buildAttributionReference(schema.attributions.map((a) => a.feature), rows.map((r) => r.attributions));
      if (!this.attributionReference) this.notes.push(`attributions: fewer than 20 reference rows carry ${schema.attributions[0]!.column} or its siblings; attribution drift is not compared`);
    }
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
    // Rows are indexed by id only when labels can arrive late (a labels source was given).
    this.estimator = PerformanceEstimator.fit(rows, { task: schema.task, positiveClass: this.positiveClass, numericNames: decoder.numericNames });
    this.window = new SlidingWindow(profile, schema.segments.length, schema.task === 'regression', !!this.opts.labels);
    this.multivariate = MultivariateDriftMonitor.create(rows.map((r) => r.numeric), profile.numeric.map((f) => f.name), this.opts.multivariate);
    this.referenceRows = [];
    this.quality.nextWindow();
    this.reporter = new WindowReporter({ schema, profile, positiveClass: this.positiveClass, segmentProfiles: this.segmentProfiles, segmentGapTotals: this.segmentGapTotals, ...(this.estimator ? { estimator: this.estimator } : {}) });
  }

  private monitorRow(row: PredictionRow, ranked?: WindowArrays): void {
    const p = this.profile!;
    const schema = this.schemaValue!;
    if (this.opts.windowMs !== undefined && row.ts !== undefined) {
      const bucket = Math.floor(row.ts / this.opts.windowMs);
      if (this.currentBucket !== undefined && bucket !== this.currentBucket && this.sinceClose > 0) this.closeWindow();
      this.currentBucket = bucket;
    }
    // Arrays of rows that left the window are reused: typed-array allocation is a per-row hot spot.
    const spare = ranked ?? this.spare.pop();
    const ranks = spare?.ranks ?? new Int32Array(p.numeric.length);
    const scores = spare?.scores ?? new Float64Array(p.numeric.length);
    if (!ranked) {
      const arrays = { ranks, scores, rec: NO_VECTORS };
      for (let i = 0; i < ranks.length; i++) rankInto(p.numeric[i]!, row.numeric[i]!, i, arrays);
    }
    const rec = spare?.rec ?? (p.vectors.length ? new Float64Array(p.vectors.length) : NO_VECTORS);
    for (let v = 0; v < rec.length; v++) {
      const x = row.vectors[v];
      rec[v] = x && x.length === p.vectors[v]!.length ? reconstructionError(p.vectors[v]!, x) : NaN;
    }
    const c = rowConfidence(row);
    const prediction = row.prediction ?? (c?.argmax !== undefined ? String(c.argmax) : undefined);
    const { error, trueClassProbability } = this.outcome(row, prediction);
    const anomalyScore = this.scorer!.score(row, false).score;
    const suspicious = anomalyScore > this.scorer!.threshold;
    if (suspicious) {
      const anomaly = this.scorer!.score(row);
      this.suspiciousTotal++;
      if (this.suspiciousRows.length < (this.opts.maxSuspicious ?? 1000)) {
        this.suspiciousRows.push({ index: row.index, line: row.line, score: fmt(anomaly.score), reasons: anomaly.reasons });
      }
    }
    const entry: WindowEntry = {
      row: prediction !== undefined && row.prediction === undefined ? { ...row, prediction } : row,
      ranks,
      scores,
      rec,
      confidence: c?.confidence ?? NaN,
      entropy: row.probabilities ? entropy(row.probabilities) : row.score !== undefined ? binaryEntropy(row.score) : NaN,
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
    this.window!.add(entry);
    this.monitored++;
    this.sinceClose++;
    this.lastRow = row;
    const cap = this.opts.windowMs !== undefined ? MAX_TIME_WINDOW_ROWS : this.windowRows;
    const window = this.window!;
    while (window.size > cap) this.recycle(window.evictOldest());
    if (this.opts.windowMs !== undefined && row.ts !== undefined) {
      const oldest = row.ts - this.opts.windowMs;
      while (window.size > 1 && (window.oldest!.row.ts ?? Infinity) < oldest) this.recycle(window.evictOldest());
    }
    const size = window.size;
    if (this.monitored % this.step === 0 && size >= Math.min(this.windowRows, 50)) this.evaluate();
    if (this.opts.windowMs === undefined && this.sinceClose >= this.windowRows) this.closeWindow();
  }

  private recycle(e: WindowEntry | undefined): void {
    if (!e) return;
    if (this.spare.length < 64) this.spare.push(e);
    if (this.spareNumeric.length < 64) this.spareNumeric.push(e.row.numeric);
  }

  private evaluate(): void {
    if (!this.lastRow || this.lastEvaluatedAt === this.lastRow.index) return;
    const at = this.point(this.lastRow);
    this.lastEvaluatedAt = at.index;
    const profile = this.profile!;
    const window = this.window!;
    this.lastEvaluation = evaluateColumns(profile, window, this.embeddingReferences.length ? this.embeddingDrift(at.index) : undefined, this.embeddingStreak, this.multipleTesting);
    const alertsBefore = this.tracker.alerts.length;
    applyAlertRules(this.tracker, {
      at,
      profile,
      schema: this.schemaValue!,
      window,
      features: this.lastEvaluation,
      alertP: this.alertP,
      anomalyQuantile: this.opts.anomalyQuantile ?? 0.995,
      errorDetectorFired: this.adwinFired,
      confidenceDetectorFired: this.confidenceFired,
    });
    this.adwinFired = false;
    this.confidenceFired = false;
    this.multivariateRule(at);
    this.attributionRule(at);
    this.explainOpened(at, alertsBefore);
  }

  /** attribution_drift: a feature moved into or out of the top of the attribution ranking. */
  private attributionRule(at: EvaluationPoint): void {
    const reference = this.attributionReference;
    if (!reference) return;
    const sums = AttributionSums.of(reference.features.length, this.window!.entries().map((e) => e.row.attributions));
    const d = attributionDrift(reference, sums, this.alertP, this.multipleTesting);
    this.lastAttribution = d;
    if (!d) return;
    const moved = d.features.filter((f) => f.moved);
    this.tracker.update('attribution_drift', 'attribution_drift', at, d.drifted, () => ({
      features: d.moved,
      featureStrength: new Map(moved.map((f) => [f.feature, Math.abs(f.z)])),
      message: () => {
        const parts = moved.slice(0, 4).map(describeAttributionMove);
        if (moved.length > 4) parts.push(`${moved.length - 4} more`);
        return `line ${at.line}: attribution drift over the last ${d.rows} rows: the model leans on other features than in the reference: ${parts.join('; ')}`;
      },
      severity: 'warning',
      strength: Math.max(0, ...moved.map((f) => Math.abs(f.z))),
    }));
  }

  private numericWindow(): NumericRow[] {
    return this.window!.entries().map((e) => ({ index: e.row.index, values: e.row.numeric }));
  }

  /** The domain classifier's explanation of the window at `at`, computed once per evaluation. */
  private explanation(at: EvaluationPoint): DriftExplanation | undefined {
    if (this.explanationAt?.index !== at.index) this.explanationAt = { index: at.index, value: this.multivariate?.explain(this.numericWindow()) };
    return this.explanationAt.value;
  }

  /** multivariate_drift: the window's mean reconstruction error outside its reference band. */
  private multivariateRule(at: EvaluationPoint): void {
    const mv = this.multivariate;
    if (!mv) return;
    const ev = mv.evaluate(this.numericWindow());
    this.lastReconstruction = ev;
    const open = this.tracker.openEpisode('multivariate_drift');
    // The window that opens an episode still holds rows from before the change, so the episode is
    // explained once more when a whole window has passed since it opened: two classifier runs at most.
    const refine = !!open && !this.multivariateRefined && at.index - open.start >= this.windowRows;
    const alert = this.tracker.update('multivariate_drift', 'multivariate_drift', at, ev.drifted, () => {
      if (open && !refine) return { features: [], joining: [], message: '', severity: 'warning', strength: ev.shift };
      const e = this.explanation(at);
      const features = e ? explainedFeatures(e) : [];
      if (refine) {
        this.multivariateRefined = true;
        if (e && this.multivariateAlert) this.tracker.explain(this.multivariateAlert, e);
      }
      return {
        features,
        joining: features,
        featureStrength: new Map(e?.features.map((f) => [f.feature, f.importance])),
        message: () =>
          `line ${at.line}: multivariate drift over the last ${ev.rows} rows: mean PCA reconstruction error ${fmt(ev.value, 3)} is ${ev.value > ev.upper ? 'above' : 'below'} the reference band ${fmt(ev.lower, 3)}–${fmt(ev.upper, 3)} (${mv.model.components} components, ${(100 * mv.model.explainedVariance).toFixed(0)}% of the variance)` +
          (e ? `; a domain classifier tells the window from the reference with AUC ${e.auc.toFixed(2)}${features.length ? `, mostly by ${features.join(', ')}` : ''}` : ''),
        severity: 'warning',
        strength: ev.shift,
      };
    });
    if (alert) {
      this.multivariateAlert = alert;
      this.multivariateRefined = false;
    }
  }

  /**
   * Every drift episode, whatever raised it, carries the explanation of the window it opened in,
   * replaced once a whole window later (the opening window still holds rows from before the
   * change) if the episode is still open: two classifier runs per episode at most.
   */
  private explainOpened(at: EvaluationPoint, from: number): void {
    if (!this.multivariate) return;
    const alerts = this.tracker.alerts;
    for (let i = from; i < alerts.length; i++) {
      const a = alerts[i]!;
      if (a.kind === 'data_quality' || a.kind === 'anomaly') continue;
      const e = this.explanation(at);
      if (!e) continue;
      this.tracker.explain(a, e);
      if (a.kind !== 'multivariate_drift' && this.toRefine.length < 64) this.toRefine.push(a);
    }
    this.toRefine = this.toRefine.filter((a) => {
      if (!this.tracker.isOpen(a)) return false;
      if (at.index - a.index < this.windowRows) return true;
      const e = this.explanation(at);
      if (e) this.tracker.explain(a, e);
      return false;
    });
  }

  /**
   * Each vector column's embedding drift over the sliding window, run again once `every` rows
   * (default half a window) have arrived since the last run. The methods' thresholds are set
   * for whole windows, so a column is compared once the window holds a full window of rows with
   * it (50 for time windows); until then it keeps no result.
   */
  private embeddingDrift(index: number): ReadonlyMap<string, EmbeddingDriftResult> {
    const every = this.embeddingOptions.every ?? Math.max(this.step, Math.floor(this.windowRows / 2));
    if (index - this.embeddingAt < every) return this.embeddingResults;
    const entries = this.window!.entries();
    const least = this.opts.windowMs === undefined ? this.windowRows : 50;
    if (entries.length < least) return this.embeddingResults;
    this.embeddingAt = index;
    const results = new Map<string, EmbeddingDriftResult>();
    for (const { reference, column } of this.embeddingReferences) {
      const vectors: Float64Array[] = [];
      for (const e of entries) {
        const v = e.row.vectors[column];
        if (v && v.length === reference.dimension) vectors.push(v);
      }
      if (vectors.length < least) continue;
      const r = embeddingDrift(reference, vectors, this.embeddingOptions, linearDomainAuc);
      results.set(reference.name, r);
      this.embeddingStreak.set(reference.name, r.drifted ? (this.embeddingStreak.get(reference.name) ?? 0) + 1 : 0);
    }
    this.embeddingResults = results;
    return results;
  }

  private closeWindow(): void {
    if (!this.profile) return;
    this.evaluate();
    const entries = this.window!.entries(this.sinceClose);
    this.sinceClose = 0;
    if (!entries.length) return;
    const decision = { threshold: this.alertP, episode: this.tracker.openEpisode('data_drift') };
    let report = this.reporter!.report(entries, this.windows.length + this.windowsDropped, this.lastEvaluation, this.quality.current, decision);
    if (this.lastReconstruction) {
      const multivariateDrift = multivariateVerdict(this.lastReconstruction, report.start, this.tracker.openEpisode('multivariate_drift'), this.lastMultivariateVerdict);
      this.lastMultivariateVerdict = multivariateDrift;
      report = { ...report, multivariateDrift };
    }
    if (this.lastAttribution) report = { ...report, attribution: this.lastAttribution };
    if (this.labels && this.schemaValue!.task === 'classification') {
      this.late.windowClosed(this.windows.length + this.windowsDropped, report.start, report.end, entries.map((e) => ({ id: e.row.id, prediction: e.row.prediction, error: e.error })));
    }
    this.quality.windowAlerts(report, this.profile, this.schemaValue!.id, this.tracker);
    this.windows.push(report);
    const max = this.opts.maxWindows ?? 1000;
    if (this.windows.length > max) {
      this.windows.shift();
      this.windowsDropped++;
    }
    this.quality.nextWindow();
  }

  /** Closed windows' realised accuracy after labels that arrived late (addLabel), beside their estimates. */
  lateLabelAccuracy(): LateWindowAccuracy[] {
    return this.late.accuracies();
  }

  /** The live state of the monitor as plain data. */
  snapshot(): PredictionReport {
    const schema = this.schemaValue ?? null;
    const p = this.profile;
    const spec = this.referenceSpec;
    const source = spec.kind === 'rows' ? `first ${spec.rows} rows` : spec.kind === 'range' ? 'time range' : 'reference file';
    const gap = this.overallGap();
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
        ...(this.estimator ? { estimation: this.estimator.setup } : {}),
        ...(this.multivariate ? { multivariate: this.multivariate.setup() } : {}),
      },
      windows: [...this.windows],
      windowsDropped: this.windowsDropped,
      alerts: [...this.tracker.alerts],
      suspicious: this.suspiciousRows.map((s) => s.index),
      suspiciousRows: this.suspiciousRows,
      suspiciousTotal: this.suspiciousTotal,
      anomalyThreshold: this.scorer && Number.isFinite(this.scorer.threshold) ? fmt(this.scorer.threshold) : null,
      driftRanking: this.lastEvaluation.map((e) => ({ feature: e.feature, alertPValue: e.alertPValue, shift: fmt(e.shift, 2) })),
      episodes: this.tracker.episodes(),
      quality: this.quality.summary(),
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

const NO_VECTORS = new Float64Array(0);
/** Rows a pushText call queues before monitoring them (see flushQueue). */
const QUEUE_ROWS = 64;

/** The per-row arrays of a window entry. */
type WindowArrays = Pick<WindowEntry, 'ranks' | 'scores' | 'rec'>;

/** Reference rank and normal score of value `x` of numeric column `i`; -1 and NaN when missing. */
function rankInto(f: ReferenceProfile['numeric'][number], x: number, i: number, out: WindowArrays): void {
  if (Number.isNaN(x) || f.sorted.length === 0) {
    out.ranks[i] = -1;
    out.scores[i] = NaN;
  } else {
    const q = packedRank(f, x);
    out.ranks[i] = q;
    out.scores[i] = rankScore(f, q);
  }
}

function binaryEntropy(p: number): number {
  return (p > 0 ? -p * Math.log(p) : 0) + (p < 1 ? -(1 - p) * Math.log(1 - p) : 0);
}

