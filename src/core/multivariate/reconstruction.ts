import { PCA } from 'ml-pca';

/** Options of `ReconstructionModel.fit`. */
export interface ReconstructionOptions {
  /** Share of the standardised variance the kept components explain (default 0.65, NannyML's). */
  readonly varianceShare?: number;
}

/** The alert band of a window's mean reconstruction error. */
export interface ReconstructionBand {
  readonly lower: number;
  readonly upper: number;
  /**
   * `reference-chunks`: NannyML's band, mean +- m sd of the mean error of consecutive reference
   * chunks of the window's size. `sampling-error`: with fewer than MIN_CHUNKS such chunks, the sd
   * of a chunk mean is taken as the reference rows' error sd / sqrt(rows), NannyML's own
   * sampling error, because an sd of a handful of chunk means is itself too uncertain to bound
   * false alarms (5 chunks: about 35% relative error).
   */
  readonly method: 'reference-chunks' | 'sampling-error';
  /** Reference chunks behind the band (0 for `sampling-error`). */
  readonly chunks: number;
}

/** Fewest reference chunks for NannyML's chunk band. */
export const MIN_CHUNKS = 10;

/**
 * NannyML's data reconstruction drift on numeric columns: missing values take the reference
 * mean, columns are standardised (population sd, as sklearn's StandardScaler), a PCA keeps the
 * fewest components whose explained variance exceeds `varianceShare` (sklearn's float
 * `n_components`), and a row's error is the Euclidean distance between its standardised values
 * and their reconstruction from those components. A window whose mean error leaves the reference
 * band has a different joint structure (broken correlations show here even when every column
 * keeps its distribution).
 *
 * @example
 * const model = ReconstructionModel.fit(referenceRows, names);
 * const band = model.band(200, 3);
 * const mean = windowRows.reduce((s, r) => s + model.error(r), 0) / windowRows.length;
 * if (mean > band.upper || mean < band.lower) console.log('multivariate drift');
 */
export class ReconstructionModel {
  /** Error of each reference row, in reference order. */
  readonly referenceErrors: Float64Array;
  /** Mean and sd (n - 1, as pandas) of the reference rows' errors. */
  readonly referenceMean: number;
  readonly referenceSd: number;
  private readonly bands = new Map<string, ReconstructionBand>();
  private readonly z: Float64Array;

  private constructor(
    readonly features: readonly string[],
    private readonly mean: Float64Array,
    private readonly sd: Float64Array,
    private readonly center: Float64Array,
    /** Kept components, row-major: component c is basis[c * d .. c * d + d). */
    private readonly basis: Float64Array,
    readonly components: number,
    /** Share of the variance the kept components explain. */
    readonly explainedVariance: number,
    reference: readonly ArrayLike<number>[],
  ) {
    this.z = new Float64Array(features.length);
    this.referenceErrors = Float64Array.from(reference, (r) => this.error(r));
    const n = reference.length;
    let sum = 0;
    for (const e of this.referenceErrors) sum += e;
    this.referenceMean = sum / n;
    let ss = 0;
    for (const e of this.referenceErrors) ss += (e - this.referenceMean) ** 2;
    this.referenceSd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  }

  /**
   * Fits on the reference rows (one number a column; NaN or an infinity is missing).
   * @throws RangeError with fewer than 3 rows or 2 columns, ragged rows, or a share outside (0, 1)
   */
  static fit(reference: readonly ArrayLike<number>[], features: readonly string[], options: ReconstructionOptions = {}): ReconstructionModel {
    const share = options.varianceShare ?? 0.65;
    if (!(share > 0 && share < 1)) throw new RangeError(`reconstruction: varianceShare must be in (0, 1), got ${share}`);
    const d = features.length;
    const n = reference.length;
    if (d < 2) throw new RangeError(`reconstruction: needs at least 2 numeric columns, got ${d}`);
    if (n < 3) throw new RangeError(`reconstruction: needs at least 3 reference rows, got ${n}`);
    reference.forEach((r, i) => {
      if (r.length !== d) throw new RangeError(`reconstruction: reference row ${i} has ${r.length} values, expected ${d}`);
    });
    const mean = new Float64Array(d);
    const sd = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let k = 0;
      let sum = 0;
      for (const r of reference) if (Number.isFinite(r[j]!)) (k++, (sum += r[j]!));
      mean[j] = k ? sum / k : 0;
      // Imputed values sit at the mean: they count in n, not in the sum of squares (as imputing
      // before StandardScaler does).
      let ss = 0;
      for (const r of reference) if (Number.isFinite(r[j]!)) ss += (r[j]! - mean[j]!) ** 2;
      sd[j] = Math.sqrt(ss / n);
    }
    const scaled = reference.map((r) => Array.from(standardise(r, mean, sd, new Float64Array(d))));
    const pca = new PCA(scaled, { method: 'covarianceMatrix', center: true, scale: false });
    const ratios = pca.getExplainedVariance();
    // sklearn: searchsorted(cumsum, share, side='right') + 1, the first count whose cumulative share exceeds it.
    let k = 0;
    let cum = 0;
    while (k < ratios.length && cum <= share) cum += ratios[k++]!;
    const vectors = pca.getEigenvectors();
    const basis = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) basis[c * d + j] = vectors.get(j, c);
    const center = Float64Array.from(pca.toJSON().means);
    return new ReconstructionModel(features, mean, sd, center, basis, k, cum, reference);
  }

  /** Euclidean distance between a row's standardised values and their PCA reconstruction. */
  error(row: ArrayLike<number>): number {
    const d = this.features.length;
    const z = standardise(row, this.mean, this.sd, this.z);
    for (let j = 0; j < d; j++) z[j]! -= this.center[j]!;
    // Residual = centred z minus its projection on the kept components (orthonormal).
    let norm2 = 0;
    for (let j = 0; j < d; j++) norm2 += z[j]! * z[j]!;
    for (let c = 0; c < this.components; c++) {
      let dot = 0;
      const o = c * d;
      for (let j = 0; j < d; j++) dot += this.basis[o + j]! * z[j]!;
      norm2 -= dot * dot;
    }
    return Math.sqrt(Math.max(0, norm2));
  }

  /**
   * Each column's share of a row's squared residual: which columns the kept components fail to
   * reconstruct (the ones whose pairing broke carry most of it).
   */
  residuals(row: ArrayLike<number>): Float64Array {
    const d = this.features.length;
    const z = Float64Array.from(standardise(row, this.mean, this.sd, new Float64Array(d)));
    for (let j = 0; j < d; j++) z[j]! -= this.center[j]!;
    const out = Float64Array.from(z);
    for (let c = 0; c < this.components; c++) {
      let dot = 0;
      const o = c * d;
      for (let j = 0; j < d; j++) dot += this.basis[o + j]! * z[j]!;
      for (let j = 0; j < d; j++) out[j]! -= dot * this.basis[o + j]!;
    }
    for (let j = 0; j < d; j++) out[j] = out[j]! * out[j]!;
    return out;
  }

  /** The band of a mean error over `rows` rows: mean +- `multiplier` sd (see ReconstructionBand). */
  band(rows: number, multiplier: number): ReconstructionBand {
    const key = `${rows}:${multiplier}`;
    const cached = this.bands.get(key);
    if (cached) return cached;
    const errors = this.referenceErrors;
    const chunks = rows > 0 ? Math.floor(errors.length / rows) : 0;
    let out: ReconstructionBand;
    if (chunks >= MIN_CHUNKS) {
      const means: number[] = [];
      for (let c = 0; c < chunks; c++) {
        let s = 0;
        for (let i = c * rows; i < (c + 1) * rows; i++) s += errors[i]!;
        means.push(s / rows);
      }
      const m = means.reduce((a, b) => a + b, 0) / chunks;
      const sd = Math.sqrt(means.reduce((a, b) => a + (b - m) ** 2, 0) / (chunks - 1));
      out = { lower: m - multiplier * sd, upper: m + multiplier * sd, method: 'reference-chunks', chunks };
    } else {
      const half = (multiplier * this.referenceSd) / Math.sqrt(Math.max(1, rows));
      out = { lower: this.referenceMean - half, upper: this.referenceMean + half, method: 'sampling-error', chunks: 0 };
    }
    if (this.bands.size < 64) this.bands.set(key, out);
    return out;
  }
}

function standardise(row: ArrayLike<number>, mean: Float64Array, sd: Float64Array, out: Float64Array): Float64Array {
  for (let j = 0; j < mean.length; j++) {
    const v = row[j]!;
    out[j] = Number.isFinite(v) && sd[j]! > 0 ? (v - mean[j]!) / sd[j]! : 0;
  }
  return out;
}
