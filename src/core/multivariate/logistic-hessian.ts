import { instantiateWasm } from '../wasm';
import { LOGISTIC_HESSIAN_WASM } from './logistic-hessian-wasm';

interface HessianExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  hessian(n: number, p: number, w: number, r: number, weighted: number, h: number, g: number): void;
}

const PAGE = 65_536;
/** Past this a fit's terms stay in JavaScript rather than grow the thread's module for good. */
const MAX_BYTES = 64 * 2 ** 20;

let loaded: HessianExports | null | undefined;

/** The compiled module, once per thread; null where WebAssembly is missing or refuses it. */
function module(): HessianExports | null {
  if (loaded === undefined) loaded = instantiateWasm<HessianExports>(LOGISTIC_HESSIAN_WASM);
  return loaded;
}

/**
 * One fit's terms held in WebAssembly memory, for the gradient sums and Hessian dot products of
 * each Newton step (see logistic-hessian.wat): `x` is copied in once, `w` and `r` each step.
 */
export class HessianKernel {
  /**
   * The kernel for column-major terms `x` (p columns of n), or undefined where WebAssembly is
   * unavailable or the terms are too large to hold (the caller then sums in JavaScript).
   */
  static load(x: Float64Array, n: number, p: number): HessianKernel | undefined {
    const exports = module();
    const q = p + 1;
    const bytes = 8 * (n * p + 3 * n + q * q + p);
    if (!exports || bytes > MAX_BYTES || x.length !== n * p) return undefined;
    const have = exports.memory.buffer.byteLength;
    try {
      if (bytes > have) exports.memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch {
      // No memory to grow into: the fit sums in JavaScript.
      return undefined;
    }
    const memory = new Float64Array(exports.memory.buffer);
    memory.set(x, 0);
    return new HessianKernel(exports, memory, n, p);
  }

  /** Row-major q x q: entry (a, b) for b >= a at a * q + b, (a, p) the intercept's; the diagonal has no penalty. */
  readonly hessian: Float64Array;
  /** The p gradient sums r'x_a, without the penalty. */
  readonly gradient: Float64Array;
  private readonly offsets: { w: number; r: number; weighted: number; h: number; g: number };

  private constructor(
    private readonly exports: HessianExports,
    private readonly memory: Float64Array,
    private readonly n: number,
    private readonly p: number,
  ) {
    const q = p + 1;
    const w = n * p;
    const offsets = { w, r: w + n, weighted: w + 2 * n, h: w + 3 * n, g: w + 3 * n + q * q };
    this.offsets = offsets;
    this.hessian = memory.subarray(offsets.h, offsets.h + q * q);
    this.gradient = memory.subarray(offsets.g, offsets.g + p);
  }

  /** Fills {@link hessian} and {@link gradient} for the weights `w` and residuals `r` of one step. */
  step(w: Float64Array, r: Float64Array): void {
    const o = this.offsets;
    this.memory.set(w, o.w);
    this.memory.set(r, o.r);
    this.exports.hessian(this.n, this.p, 8 * o.w, 8 * o.r, 8 * o.weighted, 8 * o.h, 8 * o.g);
  }
}
