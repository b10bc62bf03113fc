import type { SummaryData, ValueKind } from './event';
import { NumberColumn, StepColumn, WallTimeColumn } from './columns';
import { packHistogram, unpackHistogram } from './histogram-store';

/** One scalar point. */
export interface ScalarPoint {
  step: number;
  wallTime: number;
  value: number;
}

/** One non-scalar point (histogram, text, image, ...). */
export interface DataPoint {
  step: number;
  wallTime: number;
  data: SummaryData;
}

export interface SeriesLimits {
  /** Scalar points kept per tag before downsampling (default 10,000; at least 16). */
  maxScalarPoints?: number;
  /** Histogram/image/text points kept per tag before thinning (default 200; at least 4). */
  maxDataPoints?: number;
}

/** Shared by the series of one run: how far a sibling has grown, so the others grow there at once. */
export interface SeriesSizing {
  grownTo: number;
}

export const DEFAULT_MAX_SCALAR_POINTS = 10_000;
export const DEFAULT_MAX_DATA_POINTS = 200;
const BUCKET = 8;

/**
 * The time series of one tag in one run, ordered by strictly increasing step.
 *
 * Memory is bounded: past the limit, scalar points are downsampled in buckets of eight keeping
 * each bucket's first NaN, +Inf and -Inf and its finite minimum and maximum, and always the
 * first and the latest point; non-scalar points keep every other one. `totalPoints` still counts every
 * point logged, and the NaN/Inf statistics stay exact.
 *
 * Storage is columnar (see columns.ts): steps as a progression or uint32, values float32 where
 * exact, wall times float64, and per-point weights only once downsampling needs them.
 */
export class TagSeries {
  /**
   * Gives `copy`, a structured clone of an instance (as a worker thread posts it), its class back,
   * with the classes of what it holds. Returns it, now an instance.
   */
  static revive(copy: object): TagSeries {
    const series = Object.setPrototypeOf(copy, TagSeries.prototype) as TagSeries;
    StepColumn.revive(series.steps);
    WallTimeColumn.revive(series.wallTimes);
    if (series.values) NumberColumn.revive(series.values);
    if (series.weights) NumberColumn.revive(series.weights);
    return series;
  }

  /** Bumped on every change, so derived results can be cached per version. */
  version = 0;
  /** Step where the current timeline segment starts after a restart cut it (undefined: never cut). */
  segmentStartStep: number | undefined;
  /** Non-finite values logged in the current timeline, and the first step with one. */
  nonFiniteCount = 0;
  firstNonFiniteStep: number | undefined;
  firstNonFiniteValue = 0;

  private length = 0;
  /** The step of the latest point while there is one (the add path reads it for every point). */
  private latestStep = 0;
  private allocated: number;
  private readonly steps: StepColumn;
  private readonly wallTimes: WallTimeColumn;
  private readonly values: NumberColumn | undefined;
  /** Non-scalar payloads; histograms packed into one buffer each (see histogram-store). */
  private data: (SummaryData | ArrayBuffer)[] | undefined;
  /** How many logged points each kept point stands for; absent (all 1) until downsampling. */
  private weights: NumberColumn | undefined;
  private total = 0;
  private readonly capacity: number;

  constructor(
    readonly tag: string,
    readonly kind: ValueKind,
    public plugin: string,
    limits: SeriesLimits = {},
    private readonly sizing: SeriesSizing = { grownTo: 0 },
  ) {
    const scalar = kind === 'scalar';
    const limit = scalar ? (limits.maxScalarPoints ?? DEFAULT_MAX_SCALAR_POINTS) : (limits.maxDataPoints ?? DEFAULT_MAX_DATA_POINTS);
    const minimum = scalar ? 16 : 4;
    if (!Number.isInteger(limit) || limit < minimum) {
      const name = scalar ? 'maxScalarPoints' : 'maxDataPoints';
      throw new RangeError(`${name} must be an integer >= ${minimum}, got ${limit}`);
    }
    this.capacity = limit;
    const initial = Math.min(limit, 64);
    this.allocated = initial;
    this.steps = new StepColumn(initial);
    this.wallTimes = new WallTimeColumn(initial);
    if (scalar) this.values = new NumberColumn('f32', initial);
    else this.data = [];
  }

  /** Points held in memory (at most the limit). */
  get size(): number {
    return this.length;
  }

  /** Points logged in the current timeline, including those downsampling merged away. */
  get totalPoints(): number {
    return this.total;
  }

  get firstStep(): number | undefined {
    return this.length ? this.steps.at(0) : undefined;
  }

  get lastStep(): number | undefined {
    return this.length ? this.steps.at(this.length - 1) : undefined;
  }

  /** The latest scalar value (exact even after downsampling); undefined for other kinds. */
  get lastValue(): number | undefined {
    return this.values && this.length ? this.values.at(this.length - 1) : undefined;
  }

  /** The latest point's payload for non-scalar kinds. */
  get lastData(): SummaryData | undefined {
    return this.data && this.length ? unpack(this.data[this.length - 1]!) : undefined;
  }

  stepAt(i: number): number {
    return this.steps.at(i);
  }

  wallTimeAt(i: number): number {
    return this.wallTimes.at(i);
  }

  /** Scalar value at index i (NaN for non-scalar kinds). */
  valueAt(i: number): number {
    return this.values ? this.values.at(i) : NaN;
  }

  /** Index of the first kept point with step >= `step` (size when none). */
  indexOfStep(step: number): number {
    return this.steps.lowerBound(step, this.length);
  }

  /** Bytes held by this series' arrays (capacity included), for memory accounting. */
  get storageBytes(): number {
    return this.steps.bytes + this.wallTimes.bytes + (this.values?.bytes ?? 0) + (this.weights?.bytes ?? 0) + (this.data ? this.length * 8 : 0);
  }

  /** Releases spare capacity (over an eighth) once a series was read in full: it will mostly not grow much again. */
  trim(): void {
    if (this.length === 0 || this.allocated - this.length <= this.allocated >>> 3) return;
    this.resize(this.length);
  }

  /** Scalar points in step order (a copy). */
  points(): ScalarPoint[] {
    const out: ScalarPoint[] = [];
    for (let i = 0; i < this.length; i++) out.push({ step: this.steps.at(i), wallTime: this.wallTimes.at(i), value: this.valueAt(i) });
    return out;
  }

  /** Scalar points as parallel arrays (copies), the cheap shape for charts and webview messages. */
  scalarArrays(): { steps: Float64Array; wallTimes: Float64Array; values: Float64Array } {
    return {
      steps: this.steps.toFloat64(this.length),
      wallTimes: this.wallTimes.toFloat64(this.length),
      values: this.values ? this.values.toFloat64(this.length) : new Float64Array(this.length).fill(NaN),
    };
  }

  /** Non-scalar points in step order (a copy of the list). */
  dataPoints(): DataPoint[] {
    const out: DataPoint[] = [];
    if (!this.data) return out;
    for (let i = 0; i < this.length; i++) out.push({ step: this.steps.at(i), wallTime: this.wallTimes.at(i), data: unpack(this.data[i]!) });
    return out;
  }

  /**
   * Adds a point. A step at or before the latest one first drops every point with step >= it
   * (see {@link RunStore} for the restart rule); returns true when that cut the timeline.
   */
  add(step: number, wallTime: number, value: number, data?: SummaryData): boolean {
    let cut = false;
    const latest = this.latestStep;
    if (this.length && step <= latest) {
      // The same step again replaces its point; an earlier step cuts the timeline.
      cut = this.dropFrom(step, step < latest) > 0 && step < latest;
    }
    if (this.length === this.capacity) this.compact();
    if (this.length === this.allocated) this.grow();
    const i = this.length++;
    this.steps.append(i, step);
    this.latestStep = step;
    this.wallTimes.set(i, wallTime);
    this.weights?.set(i, 1);
    this.total++;
    if (this.values) {
      this.values.set(i, value);
      if (!Number.isFinite(value)) {
        this.nonFiniteCount++;
        if (this.firstNonFiniteStep === undefined) {
          this.firstNonFiniteStep = step;
          this.firstNonFiniteValue = value;
        }
      }
    } else if (data) {
      this.data![i] = data.kind === 'histogram' ? packHistogram(data.histogram) : data;
    }
    this.version++;
    return cut;
  }

  /** Removes every point with step >= `step`; returns how many logged points that removed. */
  dropFrom(step: number, startsSegment = true): number {
    const from = this.indexOfStep(step);
    if (from >= this.length) return 0;
    let removed = 0;
    for (let i = from; i < this.length; i++) removed += this.weights ? this.weights.at(i) : 1;
    this.length = from;
    if (from) this.latestStep = this.steps.at(from - 1);
    this.total -= removed;
    if (this.data) this.data.length = from;
    if (startsSegment) this.segmentStartStep = step;
    if (this.values) this.recountNonFinite();
    this.version++;
    return removed;
  }

  private recountNonFinite(): void {
    this.nonFiniteCount = 0;
    this.firstNonFiniteStep = undefined;
    for (let i = 0; i < this.length; i++) {
      const v = this.values!.at(i);
      if (Number.isFinite(v)) continue;
      this.nonFiniteCount += this.weights ? this.weights.at(i) : 1;
      if (this.firstNonFiniteStep === undefined) {
        this.firstNonFiniteStep = this.steps.at(i);
        this.firstNonFiniteValue = v;
      }
    }
  }

  /**
   * Tags of one run are logged together, so a series grows straight to where a sibling already
   * grew; else it quadruples, up to the limit (4,096 to 10,000 at the default, not through 8,192:
   * each new array is fresh memory, and in a fresh process the 20 series of the 500k-event bench
   * spent 5 ms faulting in the pages of that step). Trimmed after the first read.
   */
  private grow(): void {
    const next = Math.min(this.capacity, Math.max(this.allocated * 4, this.sizing.grownTo));
    this.sizing.grownTo = Math.max(this.sizing.grownTo, next);
    this.resize(next);
  }

  private resize(size: number): void {
    this.steps.resize(size, this.length);
    this.wallTimes.resize(size, this.length);
    this.weights?.resize(size, this.length);
    this.values?.resize(size, this.length);
    this.allocated = size;
  }

  /** Thins the kept points; dropped points' weights move to the kept point before them. */
  private compact(): void {
    const n = this.length;
    const keep = this.values ? keepExtremes(this.values, n) : keepEveryOther(n);
    // Kept points leave the step progression; weights start counting merged points.
    if (!this.weights) {
      this.weights = new NumberColumn('u32', this.allocated);
      this.weights.fill(1, n);
    }
    const kept = this.steps.retain(keep, n);
    this.wallTimes.retain(keep, n);
    this.weights.retainSumming(keep, n);
    if (this.values) this.values.retain(keep, n);
    else {
      const data = this.data!;
      let w = 0;
      for (let i = 0; i < n; i++) if (keep[i]) data[w++] = data[i]!;
      data.length = w;
    }
    this.length = kept;
  }
}

/**
 * Which of the first `n` values downsampling keeps: the first and the latest, and in each bucket
 * of eight between them its first NaN, +Inf and -Inf and its finite minimum and maximum (the
 * first of equals). At most five of eight survive, so every pass shrinks the series.
 */
function keepExtremes(v: NumberColumn, n: number): Uint8Array {
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  for (let b = 1; b < n - 1; b += BUCKET) {
    const e = Math.min(b + BUCKET, n - 1);
    let nan = -1;
    let posInf = -1;
    let negInf = -1;
    let lo = -1;
    let hi = -1;
    let low = 0;
    let high = 0;
    for (let i = b; i < e; i++) {
      const x = v.at(i);
      if (x !== x) {
        if (nan < 0) nan = i;
      } else if (x === Infinity) {
        if (posInf < 0) posInf = i;
      } else if (x === -Infinity) {
        if (negInf < 0) negInf = i;
      } else if (lo < 0) {
        lo = hi = i;
        low = high = x;
      } else if (x < low) {
        lo = i;
        low = x;
      } else if (x > high) {
        hi = i;
        high = x;
      }
    }
    if (nan >= 0) keep[nan] = 1;
    if (posInf >= 0) keep[posInf] = 1;
    if (negInf >= 0) keep[negInf] = 1;
    if (lo >= 0) {
      keep[lo] = 1;
      keep[hi] = 1;
    }
  }
  return keep;
}

/** Non-scalar points keep every other one (and the latest). */
function keepEveryOther(n: number): Uint8Array {
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i += 2) keep[i] = 1;
  keep[n - 1] = 1;
  return keep;
}

function unpack(stored: SummaryData | ArrayBuffer): SummaryData {
  return stored instanceof ArrayBuffer ? { kind: 'histogram', histogram: unpackHistogram(stored) } : stored;
}
