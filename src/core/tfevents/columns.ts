/**
 * Typed-array columns for tag series: each holds its numbers in the narrowest array that keeps
 * them exact, and widens itself to Float64Array the first time a number does not fit. Scalar
 * summaries are float32 and steps small integers, so a point usually costs 4 + 4 bytes here
 * instead of 8 + 8.
 */

type Narrow = 'u32' | 'f32' | 'f64';
type Store = Uint32Array | Float32Array | Float64Array;

function allocate(kind: Narrow, capacity: number): Store {
  return kind === 'u32' ? new Uint32Array(capacity) : kind === 'f32' ? new Float32Array(capacity) : new Float64Array(capacity);
}

function fits(kind: Narrow, x: number): boolean {
  if (kind === 'f64') return true;
  // NaN fits a Float32Array (the payload is not kept); -0 does too.
  if (kind === 'f32') return Math.fround(x) === x || x !== x;
  return x >>> 0 === x && !Object.is(x, -0);
}

/** A growable column of numbers that starts narrow (uint32 or float32) and widens on demand. */
export class NumberColumn {
  /**
   * Gives `copy`, a structured clone of an instance (as a worker thread posts it), its class back,
   * with the classes of what it holds. Returns it, now an instance.
   */
  static revive(copy: object): NumberColumn {
    return Object.setPrototypeOf(copy, NumberColumn.prototype) as NumberColumn;
  }

  private kind: Narrow;
  private data: Store;

  constructor(kind: Narrow, capacity: number) {
    this.kind = kind;
    this.data = allocate(kind, capacity);
  }

  get capacity(): number {
    return this.data.length;
  }

  /** Bytes held by the backing array. */
  get bytes(): number {
    return this.data.byteLength;
  }

  /** True once a value forced the column to float64. */
  get wide(): boolean {
    return this.kind === 'f64';
  }

  at(i: number): number {
    return this.data[i]!;
  }

  set(i: number, x: number): void {
    if (!fits(this.kind, x)) this.widen();
    this.data[i] = x;
  }

  /** Reallocates to `capacity` slots, keeping the first `length`. */
  resize(capacity: number, length: number): void {
    const next = allocate(this.kind, capacity);
    next.set(this.data.subarray(0, Math.min(length, capacity)));
    this.data = next;
  }

  /** A float64 copy of the first `length` values. */
  toFloat64(length: number): Float64Array {
    const out = new Float64Array(length);
    out.set(this.data.subarray(0, length));
    return out;
  }

  /** Sets slots [0, length) to `x`. */
  fill(x: number, length: number): void {
    if (!fits(this.kind, x)) this.widen();
    this.data.fill(x, 0, length);
  }

  /**
   * As {@link retain}, adding each dropped slot's value to the kept slot before it (slot 0 must
   * be kept): the weights of downsampled points. Sums of whole numbers stay exact in float64.
   */
  retainSumming(keep: Uint8Array, length: number): void {
    let data = this.data;
    let w = 0;
    for (let i = 0; i < length; i++) {
      if (keep[i]) {
        data[w++] = data[i]!;
        continue;
      }
      const sum = data[w - 1]! + data[i]!;
      if (!fits(this.kind, sum)) {
        this.widen();
        data = this.data;
      }
      data[w - 1] = sum;
    }
  }

  /**
   * Keeps the slots whose `keep` flag is set among the first `length`, in order, from slot 0;
   * returns how many. Values only move within the array they are in, so none needs the check
   * `set` makes.
   */
  retain(keep: Uint8Array, length: number): number {
    const data = this.data;
    let w = 0;
    for (let i = 0; i < length; i++) if (keep[i]) data[w++] = data[i]!;
    return w;
  }

  private widen(): void {
    const next = new Float64Array(this.data.length);
    next.set(this.data);
    this.data = next;
    this.kind = 'f64';
  }
}

/**
 * The steps of a series. Most writers log every k steps, so while the steps form an arithmetic
 * progression only its start and stride are kept; the first step off it materialises a column.
 */
export class StepColumn {
  /**
   * Gives `copy`, a structured clone of an instance (as a worker thread posts it), its class back,
   * with the classes of what it holds. Returns it, now an instance.
   */
  static revive(copy: object): StepColumn {
    const column = Object.setPrototypeOf(copy, StepColumn.prototype) as StepColumn;
    if (column.column) NumberColumn.revive(column.column);
    return column;
  }

  private start = 0;
  private stride = 0;
  private column: NumberColumn | undefined;
  private capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Bytes held by a materialised column (0 while the steps are a progression). */
  get bytes(): number {
    return this.column?.bytes ?? 0;
  }

  at(i: number): number {
    return this.column ? this.column.at(i) : this.start + i * this.stride;
  }

  /** Appends `step` as slot `i` (the current length). */
  append(i: number, step: number): void {
    if (!this.column) {
      if (i === 0) {
        this.start = step;
        this.stride = 0;
        return;
      }
      if (i === 1) {
        const stride = step - this.start;
        if (this.start + stride === step) {
          this.stride = stride;
          return;
        }
      } else if (this.start + i * this.stride === step) {
        return;
      }
      this.materialise(i);
    }
    this.column!.set(i, step);
  }

  /** Keeps the steps whose `keep` flag is set among the first `length`, in order (compaction), materialising the column; returns how many. */
  retain(keep: Uint8Array, length: number): number {
    this.materialise(length);
    return this.column!.retain(keep, length);
  }

  /** Changes capacity (slots kept: the first `length`). */
  resize(capacity: number, length: number): void {
    this.capacity = capacity;
    this.column?.resize(capacity, length);
  }

  /** Forces a column, as compaction moves points off the progression. */
  materialise(length: number): void {
    if (this.column) return;
    const column = new NumberColumn('u32', this.capacity);
    for (let i = 0; i < length; i++) column.set(i, this.start + i * this.stride);
    this.column = column;
  }

  toFloat64(length: number): Float64Array {
    if (this.column) return this.column.toFloat64(length);
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) out[i] = this.start + i * this.stride;
    return out;
  }

  /** Binary search: the first index in [0, length) whose step is >= `step` (length when none). */
  lowerBound(step: number, length: number): number {
    let lo = 0;
    let hi = length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid) < step) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Units of a wall time in the compact form: 2^-22 s, the spacing of doubles from 2^30 to 2^31 s (2004 to 2038). */
const WALL_UNITS = 4_194_304;
const WALL_UNIT = 1 / WALL_UNITS;
/** Points a block shares one base for (a float64 each, half a byte a point). */
const WALL_BLOCK_SHIFT = 4;
const WALL_BLOCK = 1 << WALL_BLOCK_SHIFT;

/** Blocks (bases) that `slots` wall times need. */
function wallBlocks(slots: number): number {
  return (slots + WALL_BLOCK - 1) >>> WALL_BLOCK_SHIFT;
}

/**
 * The wall times of a series, exact, in 4.5 bytes a point instead of 8. Every double from 2^30 to
 * 2^31 seconds is a whole number of 2^-22 s units, so a point keeps its distance in those units
 * from its block's first point (an int32, up to 512 s either way) and each block of 16 its first
 * point's units (a float64). The first wall time this cannot hold exactly (before 2004 or after
 * 2038, a fraction finer than 2^-22 s, -0, NaN, or 512 s away from its block's first point, as a
 * long pause can be) widens the column to plain float64 for good.
 */
export class WallTimeColumn {
  /**
   * Gives `copy`, a structured clone of an instance (as a worker thread posts it), its class back.
   * Returns it, now an instance.
   */
  static revive(copy: object): WallTimeColumn {
    return Object.setPrototypeOf(copy, WallTimeColumn.prototype) as WallTimeColumn;
  }

  private offsets: Int32Array | undefined;
  private bases: Float64Array | undefined;
  private wide: Float64Array | undefined;

  constructor(capacity: number) {
    this.offsets = new Int32Array(capacity);
    this.bases = new Float64Array(wallBlocks(capacity));
  }

  /** Bytes held by the backing arrays. */
  get bytes(): number {
    return this.wide ? this.wide.byteLength : this.offsets!.byteLength + this.bases!.byteLength;
  }

  /** True once a wall time forced plain float64. */
  get widened(): boolean {
    return this.wide !== undefined;
  }

  at(i: number): number {
    const offsets = this.offsets;
    return offsets ? (this.bases![i >>> WALL_BLOCK_SHIFT]! + offsets[i]!) * WALL_UNIT : this.wide![i]!;
  }

  /** Writes slot `i`, where slots [0, i) hold the series' earlier points (appending, or rewriting in order). */
  set(i: number, wallTime: number): void {
    const offsets = this.offsets;
    if (offsets) {
      const units = wallTime * WALL_UNITS;
      if (Number.isInteger(units) && Math.abs(units) <= Number.MAX_SAFE_INTEGER && !(units === 0 && 1 / units < 0)) {
        if ((i & (WALL_BLOCK - 1)) === 0) {
          this.bases![i >>> WALL_BLOCK_SHIFT] = units;
          offsets[i] = 0;
          return;
        }
        const d = units - this.bases![i >>> WALL_BLOCK_SHIFT]!;
        if (d >= -0x80000000 && d <= 0x7fffffff) {
          offsets[i] = d;
          return;
        }
      }
      this.widen(i);
    }
    this.wide![i] = wallTime;
  }

  /** Reallocates to `capacity` slots, keeping the first `length`. */
  resize(capacity: number, length: number): void {
    const keep = Math.min(length, capacity);
    if (this.wide) {
      const next = new Float64Array(capacity);
      next.set(this.wide.subarray(0, keep));
      this.wide = next;
      return;
    }
    const offsets = new Int32Array(capacity);
    offsets.set(this.offsets!.subarray(0, keep));
    const bases = new Float64Array(wallBlocks(capacity));
    bases.set(this.bases!.subarray(0, wallBlocks(keep)));
    this.offsets = offsets;
    this.bases = bases;
  }

  /** Keeps the slots whose `keep` flag is set among the first `length`, in order, from slot 0. */
  retain(keep: Uint8Array, length: number): void {
    // Read through the arrays as they are now: a write can widen the column midway (kept points
    // closer together in slots can be over 512 s apart), and the unread slots stay where they were.
    const { offsets, bases, wide } = this;
    // Slot i is read with its block's base as it was when i entered the block: a write to slot
    // w <= i takes a new base for i's block only when w is i itself, rewriting the same time.
    let base = 0;
    let w = 0;
    for (let i = 0; i < length; i++) {
      if (offsets && (i & (WALL_BLOCK - 1)) === 0) base = bases![i >>> WALL_BLOCK_SHIFT]!;
      if (keep[i]) this.set(w++, offsets ? (base + offsets[i]!) * WALL_UNIT : wide![i]!);
    }
  }

  /** A float64 copy of the first `length` wall times. */
  toFloat64(length: number): Float64Array {
    if (this.wide) return this.wide.slice(0, length);
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) out[i] = this.at(i);
    return out;
  }

  /** Goes to plain float64, keeping slots [0, length). */
  private widen(length: number): void {
    const wide = new Float64Array(this.offsets!.length);
    for (let i = 0; i < length; i++) wide[i] = this.at(i);
    this.wide = wide;
    this.offsets = undefined;
    this.bases = undefined;
  }
}
