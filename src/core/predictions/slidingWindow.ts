import type { ReferenceProfile } from './profile';
import { bump, type WindowEntry } from './windowReport';

/**
 * The most recent monitored rows with running sums over them (normal scores, reconstruction
 * errors, class, label and segment counts, errors, confidence), so an evaluation of the window
 * costs O(columns) whatever its length. Rows leave in arrival order.
 */
export class SlidingWindow {
  private ring: WindowEntry[] = [];
  private start = 0;
  readonly zSum: Float64Array;
  readonly z2Sum: Float64Array;
  readonly zCount: Float64Array;
  readonly recSum: Float64Array;
  readonly recCount: Float64Array;
  readonly catCounts: Map<string, number>[];
  readonly segCounts: Map<string, number>[];
  readonly predCounts = new Map<string, number>();
  readonly labelCounts = new Map<string, number>();
  labelled = 0;
  /** Wrong predictions among labelled rows (classification). */
  errors = 0;
  /** Sum of absolute errors (regression). */
  absErr = 0;
  confSum = 0;
  confCount = 0;
  calSum = 0;
  calCount = 0;
  suspicious = 0;

  private readonly ids: Map<string, WindowEntry> | undefined;

  constructor(
    private readonly profile: ReferenceProfile,
    segments: number,
    private readonly regression: boolean,
    indexIds = false,
  ) {
    if (indexIds) this.ids = new Map();
    const m = profile.numeric.length;
    this.zSum = new Float64Array(m);
    this.z2Sum = new Float64Array(m);
    this.zCount = new Float64Array(m);
    this.recSum = new Float64Array(profile.vectors.length);
    this.recCount = new Float64Array(profile.vectors.length);
    this.catCounts = profile.categorical.map(() => new Map());
    this.segCounts = Array.from({ length: segments }, () => new Map());
  }

  get size(): number {
    return this.ring.length - this.start;
  }

  /** The oldest row still in the window. */
  get oldest(): WindowEntry | undefined {
    return this.ring[this.start];
  }

  add(e: WindowEntry): void {
    this.ring.push(e);
    if (this.ids && e.row.id !== undefined) this.ids.set(e.row.id, e);
    this.account(e, 1);
  }

  /** The row with this id, while it is in the window (only when built with `indexIds`). */
  byId(id: string): WindowEntry | undefined {
    return this.ids?.get(id);
  }

  /** Swaps a row for an updated copy (a late label), keeping the sums right. */
  replace(old: WindowEntry, updated: WindowEntry): void {
    const at = this.ring.lastIndexOf(old);
    if (at < this.start) return;
    this.account(old, -1);
    this.ring[at] = updated;
    if (this.ids && updated.row.id !== undefined) this.ids.set(updated.row.id, updated);
    this.account(updated, 1);
  }

  /** Drops the oldest row and returns it (its arrays may then be reused). */
  evictOldest(): WindowEntry | undefined {
    const e = this.ring[this.start];
    if (!e) return undefined;
    this.ring[this.start] = undefined as unknown as WindowEntry;
    this.start++;
    if (this.ids && e.row.id !== undefined && this.ids.get(e.row.id) === e) this.ids.delete(e.row.id);
    // Compact now and then instead of shifting the array on every row.
    if (this.start > 4096 && this.start * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.start);
      this.start = 0;
    }
    this.account(e, -1);
    return e;
  }

  /** The last `last` rows (all rows when omitted), oldest first. */
  entries(last?: number): WindowEntry[] {
    const from = last === undefined ? this.start : Math.max(this.start, this.ring.length - last);
    return this.ring.slice(from);
  }

  private account(e: WindowEntry, sign: 1 | -1): void {
    const scores = e.scores;
    for (let i = 0; i < scores.length; i++) {
      const v = scores[i]!;
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
    const categorical = e.row.categorical;
    for (let i = 0; i < categorical.length; i++) bump(this.catCounts[i]!, categorical[i], sign);
    const segments = e.row.segments;
    for (let i = 0; i < segments.length; i++) bump(this.segCounts[i]!, segments[i], sign);
    bump(this.predCounts, e.row.prediction, sign);
    bump(this.labelCounts, e.row.label, sign);
    if (e.error >= 0) {
      this.labelled += sign;
      if (this.regression) this.absErr += sign * e.error;
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
    if (e.suspicious) this.suspicious += sign;
  }
}
