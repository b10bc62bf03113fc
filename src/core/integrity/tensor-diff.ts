import { decodeElements, isNumericDType, type DType } from './dtype';

/** How far one tensor moved between two checkpoints. */
export interface TensorDifference {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Largest |b - a| over elements (computed in float32 for float32 and narrower floats, as torch would). */
  readonly maxAbs: number;
  /** ||b - a||_2 / ||a||_2 (0 when both are zero, Infinity when only a is). */
  readonly relL2: number;
  /** Elements where exactly one side is NaN, or both differ in NaN-ness. */
  readonly nanMismatches: number;
}

/**
 * Accumulates the difference of two equally shaped tensors chunk by chunk, so tensors of any size
 * are compared in bounded memory. Feed aligned chunks of raw bytes with {@link update}.
 */
export class TensorDiffAccumulator {
  private maxAbs = 0;
  private diffSquares = 0;
  private baseSquares = 0;
  private nanMismatches = 0;
  private readonly roundToF32: boolean;

  constructor(
    readonly name: string,
    readonly dtype: DType,
    readonly shape: readonly number[],
    private readonly bigEndianA = false,
    private readonly bigEndianB = false,
  ) {
    if (!isNumericDType(dtype)) throw new Error(`dtype ${dtype} cannot be compared numerically`);
    this.roundToF32 = dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
  }

  /** Adds the next elements of both tensors (same byte length, whole elements). */
  update(a: Uint8Array, b: Uint8Array): void {
    const x = decodeElements(a, this.dtype, this.bigEndianA);
    const y = decodeElements(b, this.dtype, this.bigEndianB);
    for (let i = 0; i < x.length; i++) {
      const xa = x[i]!;
      const yb = y[i]!;
      if (Number.isNaN(xa) || Number.isNaN(yb)) {
        if (Number.isNaN(xa) !== Number.isNaN(yb)) this.nanMismatches++;
        continue;
      }
      const d = this.roundToF32 ? Math.fround(yb - xa) : yb - xa;
      const abs = Math.abs(d);
      if (abs > this.maxAbs) this.maxAbs = abs;
      this.diffSquares += (yb - xa) * (yb - xa);
      this.baseSquares += xa * xa;
    }
  }

  /** The figures so far. */
  result(): TensorDifference {
    const relL2 = this.baseSquares > 0 ? Math.sqrt(this.diffSquares) / Math.sqrt(this.baseSquares) : this.diffSquares > 0 ? Infinity : 0;
    return { name: this.name, dtype: this.dtype, shape: this.shape, maxAbs: this.maxAbs, relL2, nanMismatches: this.nanMismatches };
  }
}
