import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { HessianKernel } from './logistic-hessian';
import { rocAuc } from './rocAuc';
import { seededRandom, shuffledIndices } from '../random';

/** Options of `domainClassifierAuc`; every one has a default. */
export interface DomainClassifierOptions {
  /** Stratified cross-validation folds (default 5, at least 2). */
  readonly folds?: number;
  /** Seed of the fold assignment and of any subsample (default 0): same seed, same AUC. */
  readonly seed?: number;
  /** One name per column (default `f0`, `f1`, ...). */
  readonly featureNames?: readonly string[];
  /** L2 penalty on the standardised coefficients, sklearn's 1 / C (default 1, sklearn's C = 1). */
  readonly l2?: number;
  /** Rows used from each side at most, drawn with the seed (default 1000): bounds the cost. */
  readonly maxRowsPerSide?: number;
  /**
   * Product terms z_i * z_j added for the most correlated column pairs of the reference (default
   * 32; 0 for a purely linear model). A linear score cannot tell a broken correlation from an
   * intact one, since every column keeps its distribution; the product of two standardised,
   * correlated columns moves from about rho to about 0 when their pairing breaks.
   */
  readonly interactions?: number;
  /** Smallest |Pearson r| in the reference for a pair to get a product term (default 0.5). */
  readonly minCorrelation?: number;
  /**
   * Whether to rank the columns (default true). A caller that reads only the AUC (embedding
   * drift's model-based method) turns it off: the ranking scores every test fold once per column.
   */
  readonly importances?: boolean;
}

/** How much the separation of the window from the reference rests on one column. */
export interface FeatureImportance {
  readonly feature: string;
  /** Drop of the cross-validated AUC when the column is neutralised (see `domainClassifierAuc`). */
  readonly importance: number;
}

export interface DomainClassifierResult {
  /** Mean ROC AUC over the held-out folds: 0.5 = indistinguishable, 1 = fully separable. */
  readonly auc: number;
  readonly foldAucs: readonly number[];
  /** Every column, most important first (ties in column order); empty with `importances: false`. */
  readonly importances: readonly FeatureImportance[];
  /** The column pairs that got a product term, as names. */
  readonly interactions: readonly (readonly [string, string])[];
  /** Rows used from each side after any subsample. */
  readonly rows: { readonly reference: number; readonly current: number };
}

/** Columns above which correlations are not scanned for product terms (d^2 n grows fast). */
const MAX_COLUMNS_FOR_INTERACTIONS = 128;

/**
 * A domain classifier: how well can a small model tell current-window rows from reference rows?
 * L2-regularised logistic regression on standardised columns (plus product terms of the
 * reference's most correlated pairs), fitted by Newton's method to the exact optimum of sklearn's
 * `LogisticRegression(C=1/l2)` objective, scored by stratified k-fold ROC AUC (Evidently's
 * model-based drift reads AUC > 0.55 as drift).
 *
 * Importance of a column: the mean over folds of (fold AUC - fold AUC with that column set to its
 * training mean, in its own term and in every product it takes part in), scored by the fold's
 * fitted model without refitting. Unlike |coefficient| it credits a column for the product terms
 * it takes part in, and it ranks a column whose pairing with many others broke above each of
 * its partners; unlike drop-column refits it costs one scoring pass per column, not k fits.
 *
 * Missing and non-finite values are set to the training mean (standardised 0), so they neither
 * separate nor fail. Constant columns contribute nothing.
 *
 * @example
 * const r = domainClassifierAuc(referenceRows, windowRows, { featureNames: ['age', 'income'] });
 * if (r.auc > 0.55) console.log('drift, mostly', r.importances[0]!.feature);
 */
export function domainClassifierAuc(
  reference: readonly (readonly number[])[],
  current: readonly (readonly number[])[],
  options: DomainClassifierOptions = {},
): DomainClassifierResult {
  const folds = options.folds ?? 5;
  const seed = options.seed ?? 0;
  const l2 = options.l2 ?? 1;
  const maxRows = options.maxRowsPerSide ?? 1000;
  const maxInteractions = options.interactions ?? 32;
  const minCorrelation = options.minCorrelation ?? 0.5;
  const rank = options.importances ?? true;
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`domainClassifierAuc: folds must be an integer >= 2, got ${folds}`);
  if (!(l2 > 0) || !Number.isFinite(l2)) throw new RangeError(`domainClassifierAuc: l2 must be a positive number, got ${l2}`);
  if (!Number.isInteger(maxRows) || maxRows < folds) throw new RangeError(`domainClassifierAuc: maxRowsPerSide must be an integer >= folds (${folds}), got ${maxRows}`);
  if (!Number.isInteger(maxInteractions) || maxInteractions < 0) throw new RangeError(`domainClassifierAuc: interactions must be an integer >= 0, got ${maxInteractions}`);
  if (!(minCorrelation >= 0 && minCorrelation <= 1)) throw new RangeError(`domainClassifierAuc: minCorrelation must be in [0, 1], got ${minCorrelation}`);
  const d = reference[0]?.length ?? current[0]?.length ?? 0;
  for (const [side, rows] of [['reference', reference], ['current', current]] as const) {
    if (rows.length < folds) throw new RangeError(`domainClassifierAuc: ${side} has ${rows.length} rows; ${folds} folds need at least ${folds}`);
    rows.forEach((r, i) => {
      if (r.length !== d) throw new RangeError(`domainClassifierAuc: ${side} row ${i} has ${r.length} values, expected ${d}`);
    });
  }
  const names = options.featureNames ?? Array.from({ length: d }, (_, j) => `f${j}`);
  if (names.length !== d) throw new RangeError(`domainClassifierAuc: featureNames has ${names.length} names for ${d} columns`);

  const random = seededRandom(seed);
  const ref = subsample(reference, maxRows, random);
  const cur = subsample(current, maxRows, random);
  const rows = [...ref, ...cur];
  const n = rows.length;
  const positive = new Array<boolean>(n);
  for (let i = 0; i < n; i++) positive[i] = i >= ref.length;

  const pairs = maxInteractions > 0 && d <= MAX_COLUMNS_FOR_INTERACTIONS ? correlatedPairs(ref, d, maxInteractions, minCorrelation) : [];
  const foldOf = stratifiedFolds(ref.length, cur.length, folds, random);

  const foldAucs: number[] = [];
  const drops = new Float64Array(d);
  let previous: Float64Array | undefined;
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (foldOf[i] === f ? test : train).push(i);
    const design = new Design(rows, train, d, pairs);
    const y = new Float64Array(train.length);
    train.forEach((i, k) => (y[k] = positive[i] ? 1 : 0));
    const beta = fitLogistic(design.matrix(train.map((i) => rows[i]!)), y, design.width, l2, 50, previous);
    previous = beta;
    const testRows = test.map((i) => rows[i]!);
    const testPositive = test.map((i) => positive[i]!);
    const auc = rocAuc(design.scores(testRows, beta, -1), testPositive);
    foldAucs.push(auc);
    if (!rank) continue;
    const neutralised = design.neutralisedScores(testRows, beta);
    for (let j = 0; j < d; j++) drops[j]! += auc - rocAuc(neutralised[j]!, testPositive);
  }
  const importances = rank
    ? names
        .map((feature, j) => ({ feature, importance: drops[j]! / folds, j }))
        .sort((a, b) => b.importance - a.importance || a.j - b.j)
        .map(({ feature, importance }) => ({ feature, importance }))
    : [];
  return {
    auc: foldAucs.reduce((s, a) => s + a, 0) / folds,
    foldAucs,
    importances,
    interactions: pairs.map(([a, b]) => [names[a]!, names[b]!] as const),
    rows: { reference: ref.length, current: cur.length },
  };
}

function subsample<T>(rows: readonly T[], max: number, random: () => number): T[] {
  if (rows.length <= max) return rows.slice();
  // Keep the drawn rows in their log order, so the folds do not depend on the draw's order.
  const picked = Array.from(shuffledIndices(rows.length, random).subarray(0, max)).sort((a, b) => a - b);
  return picked.map((i) => rows[i]!);
}

/** Fold of each row (reference rows first), each class shuffled and dealt round the folds. */
function stratifiedFolds(nRef: number, nCur: number, folds: number, random: () => number): Uint8Array {
  const out = new Uint8Array(nRef + nCur);
  shuffledIndices(nRef, random).forEach((row, k) => (out[row] = k % folds));
  shuffledIndices(nCur, random).forEach((row, k) => (out[nRef + row] = k % folds));
  return out;
}

/** Column means and population sds over finite values; sd 0 where a column is constant or empty. */
function moments(values: (k: number) => number, count: number): [number, number] {
  let n = 0;
  let sum = 0;
  for (let k = 0; k < count; k++) {
    const v = values(k);
    if (Number.isFinite(v)) {
      n++;
      sum += v;
    }
  }
  if (n === 0) return [0, 0];
  const mean = sum / n;
  let ss = 0;
  for (let k = 0; k < count; k++) {
    const v = values(k);
    if (Number.isFinite(v)) ss += (v - mean) * (v - mean);
  }
  return [mean, Math.sqrt(ss / n)];
}

/** The reference's column pairs with |r| >= minCorrelation, strongest first, at most `max`. */
function correlatedPairs(ref: readonly (readonly number[])[], d: number, max: number, minCorrelation: number): [number, number][] {
  const n = ref.length;
  const z: Float64Array[] = [];
  for (let j = 0; j < d; j++) {
    const [mean, sd] = moments((k) => ref[k]![j]!, n);
    const col = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const v = ref[k]![j]!;
      col[k] = sd > 0 && Number.isFinite(v) ? (v - mean) / sd : 0;
    }
    z.push(col);
  }
  const found: { a: number; b: number; r: number }[] = [];
  for (let a = 0; a < d; a++) {
    for (let b = a + 1; b < d; b++) {
      const za = z[a]!;
      const zb = z[b]!;
      let s = 0;
      for (let k = 0; k < n; k++) s += za[k]! * zb[k]!;
      const r = Math.abs(s / n);
      if (r >= minCorrelation) found.push({ a, b, r });
    }
  }
  found.sort((x, y) => y.r - x.r || x.a - y.a || x.b - y.b);
  return found.slice(0, max).map(({ a, b }) => [a, b]);
}

/**
 * The model's inputs for one fold: each column standardised by the training rows, then each
 * product term standardised by the training rows, so one L2 penalty treats every term alike.
 */
class Design {
  private readonly mean: Float64Array;
  private readonly sd: Float64Array;
  private readonly productMean: Float64Array;
  private readonly productSd: Float64Array;
  /** Terms per row: the columns, then the products. */
  readonly width: number;
  private readonly scratch: Float64Array;

  constructor(
    rows: readonly (readonly number[])[],
    train: readonly number[],
    private readonly d: number,
    private readonly pairs: readonly [number, number][],
  ) {
    this.width = d + pairs.length;
    this.scratch = new Float64Array(d);
    this.mean = new Float64Array(d);
    this.sd = new Float64Array(d);
    for (let j = 0; j < d; j++) [this.mean[j], this.sd[j]] = moments((k) => rows[train[k]!]![j]!, train.length);
    this.productMean = new Float64Array(pairs.length);
    this.productSd = new Float64Array(pairs.length);
    const z = train.map((i) => this.standardised(rows[i]!, -1, new Float64Array(d)));
    pairs.forEach(([a, b], p) => {
      [this.productMean[p], this.productSd[p]] = moments((k) => z[k]![a]! * z[k]![b]!, z.length);
    });
  }

  /** Standardised columns of a row; column `neutral` (if >= 0) set to its mean. */
  private standardised(row: readonly number[], neutral: number, z: Float64Array): Float64Array {
    for (let j = 0; j < this.d; j++) {
      const v = row[j]!;
      const sd = this.sd[j]!;
      z[j] = j !== neutral && sd > 0 && Number.isFinite(v) ? (v - this.mean[j]!) / sd : 0;
    }
    return z;
  }

  /** Writes one row's terms into `out` at `offset`. */
  private terms(row: readonly number[], neutral: number, out: Float64Array, offset: number): void {
    const z = this.standardised(row, neutral, this.scratch);
    out.set(z, offset);
    for (let p = 0; p < this.pairs.length; p++) {
      const [a, b] = this.pairs[p]!;
      const sd = this.productSd[p]!;
      out[offset + this.d + p] = sd > 0 ? (z[a]! * z[b]! - this.productMean[p]!) / sd : 0;
    }
  }

  /** Column-major terms of `rows` (term j of row k at j * rows + k), as fitLogistic reads them. */
  matrix(rows: readonly (readonly number[])[]): Float64Array {
    const n = rows.length;
    const w = this.width;
    const out = new Float64Array(n * w);
    const row = new Float64Array(w);
    rows.forEach((r, k) => {
      this.terms(r, -1, row, 0);
      for (let j = 0; j < w; j++) out[j * n + k] = row[j]!;
    });
    return out;
  }

  /** Linear scores (log-odds) of `rows` under `beta` (intercept last), column `neutral` neutralised. */
  scores(rows: readonly (readonly number[])[], beta: Float64Array, neutral: number): Float64Array {
    const w = this.width;
    const x = new Float64Array(w);
    const out = new Float64Array(rows.length);
    rows.forEach((r, k) => {
      this.terms(r, neutral, x, 0);
      let s = beta[w]!;
      for (let j = 0; j < w; j++) s += beta[j]! * x[j]!;
      out[k] = s;
    });
    return out;
  }

  /**
   * `scores(rows, beta, j)` for every column j at once: each row is standardised once, and each
   * neutralised copy of its terms changes only column j and the products it takes part in. The
   * changed terms are computed by the same expressions and the sum runs in the same order, so
   * every score is bit for bit what `scores` gives (the importances' AUCs depend on the ranks).
   */
  neutralisedScores(rows: readonly (readonly number[])[], beta: Float64Array): Float64Array[] {
    const { d, width: w, pairs } = this;
    const out = Array.from({ length: d }, () => new Float64Array(rows.length));
    const pairsOf: number[][] = Array.from({ length: d }, () => []);
    pairs.forEach(([a, b], p) => {
      pairsOf[a]!.push(p);
      if (b !== a) pairsOf[b]!.push(p);
    });
    const base = new Float64Array(w);
    const u = new Float64Array(w);
    const z = new Float64Array(d);
    rows.forEach((r, k) => {
      this.terms(r, -1, base, 0);
      this.standardised(r, -1, z);
      for (let j = 0; j < d; j++) {
        u.set(base);
        u[j] = 0;
        const zj = z[j]!;
        z[j] = 0;
        for (const p of pairsOf[j]!) {
          const [a, b] = pairs[p]!;
          const sd = this.productSd[p]!;
          u[d + p] = sd > 0 ? (z[a]! * z[b]! - this.productMean[p]!) / sd : 0;
        }
        z[j] = zj;
        let s = beta[w]!;
        for (let t = 0; t < w; t++) s += beta[t]! * u[t]!;
        out[j]![k] = s;
      }
    });
    return out;
  }
}

/**
 * Minimises sum(log loss) + l2/2 * |w|^2 (intercept unpenalised) by Newton's method with step
 * halving, from `start` if given (the folds warm-start each other). `x` is column-major: term j
 * of row i at x[j * n + i], `p` terms; returns the p coefficients then the intercept.
 * The Hessian X'WX is the hot loop (n p^2 / 2 a step): each entry is one dot product of two
 * contiguous columns, accumulated in a register (about 3 times faster than adding row outer
 * products into the matrix); ml-matrix solves the small (p+1)-square system.
 */
export function fitLogistic(x: Float64Array, y: Float64Array, p: number, l2: number, maxSteps = 50, start?: Float64Array, options: { wasm?: boolean } = {}): Float64Array {
  const n = y.length;
  const q = p + 1;
  // The gradient and Hessian sums in WebAssembly, bit for bit these loops, about twice as fast.
  const kernel = options.wasm === false ? undefined : HessianKernel.load(x, n, p);
  let beta = start && start.length === q ? Float64Array.from(start) : new Float64Array(q);
  const eta = new Float64Array(n);
  const linear = (b: Float64Array): void => {
    eta.fill(b[p]!);
    for (let j = 0; j < p; j++) {
      const bj = b[j]!;
      if (bj === 0) continue;
      const o = j * n;
      for (let i = 0; i < n; i++) eta[i]! += bj * x[o + i]!;
    }
  };
  const objective = (b: Float64Array): number => {
    linear(b);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const e = eta[i]!;
      // log(1 + exp(e)) - y e, written to stay finite for large |e|.
      s += (e > 0 ? e + Math.log1p(Math.exp(-e)) : Math.log1p(Math.exp(e))) - y[i]! * e;
    }
    for (let j = 0; j < p; j++) s += (l2 / 2) * b[j]! * b[j]!;
    return s;
  };
  const w = new Float64Array(n);
  const r = new Float64Array(n);
  const weighted = new Float64Array(n);
  let current = objective(beta);
  for (let step = 0; step < maxSteps; step++) {
    linear(beta);
    for (let i = 0; i < n; i++) {
      const prob = 1 / (1 + Math.exp(-eta[i]!));
      w[i] = prob * (1 - prob);
      r[i] = prob - y[i]!;
    }
    const h = new Matrix(q, q);
    const grad = new Array<number>(q);
    let wSum = 0;
    let rSum = 0;
    for (let i = 0; i < n; i++) {
      wSum += w[i]!;
      rSum += r[i]!;
    }
    h.set(p, p, wSum + 1e-12);
    grad[p] = rSum;
    if (kernel) {
      kernel.step(w, r);
      const sums = kernel.hessian;
      const gradient = kernel.gradient;
      for (let a = 0; a < p; a++) {
        grad[a] = gradient[a]! + l2 * beta[a]!;
        const row = a * q;
        setHessian(h, a, p, sums[row + p]!);
        for (let b = a; b < p; b++) setHessian(h, a, b, b === a ? sums[row + b]! + l2 : sums[row + b]!);
      }
    } else for (let a = 0; a < p; a++) {
      const oa = a * n;
      let g = 0;
      let ha = 0;
      for (let i = 0; i < n; i++) {
        const v = x[oa + i]!;
        g += r[i]! * v;
        const wv = w[i]! * v;
        weighted[i] = wv;
        ha += wv;
      }
      grad[a] = g + l2 * beta[a]!;
      h.set(a, p, ha);
      h.set(p, a, ha);
      // Four columns at a time: each weighted value is loaded once for four dot products. Every
      // dot product still adds its terms in row order, so the Hessian is bit for bit the same.
      let b = a;
      for (; b + 3 < p; b += 4) {
        const o0 = b * n;
        const o1 = o0 + n;
        const o2 = o1 + n;
        const o3 = o2 + n;
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        for (let i = 0; i < n; i++) {
          const wv = weighted[i]!;
          d0 += wv * x[o0 + i]!;
          d1 += wv * x[o1 + i]!;
          d2 += wv * x[o2 + i]!;
          d3 += wv * x[o3 + i]!;
        }
        setHessian(h, a, b, b === a ? d0 + l2 : d0);
        setHessian(h, a, b + 1, d1);
        setHessian(h, a, b + 2, d2);
        setHessian(h, a, b + 3, d3);
      }
      for (; b < p; b++) {
        const ob = b * n;
        let dot = 0;
        for (let i = 0; i < n; i++) dot += weighted[i]! * x[ob + i]!;
        setHessian(h, a, b, b === a ? dot + l2 : dot);
      }
    }
    // The 1e-12 on the intercept keeps a perfectly separable fold solvable without moving the optimum measurably.
    const delta = new CholeskyDecomposition(h).solve(Matrix.columnVector(grad));
    let scale = 1;
    let next = beta;
    let value = current;
    for (let halvings = 0; halvings < 30; halvings++) {
      next = new Float64Array(q);
      for (let j = 0; j < q; j++) next[j] = beta[j]! - scale * delta.get(j, 0);
      value = objective(next);
      if (value <= current) break;
      scale /= 2;
    }
    let change = 0;
    for (let j = 0; j < q; j++) change = Math.max(change, Math.abs(next[j]! - beta[j]!));
    beta = next;
    const improved = current - value;
    current = value;
    // 1e-8 on standardised coefficients leaves every score's order, hence the AUC, as at the optimum.
    if (change < 1e-8 || improved <= 1e-14 * Math.max(1, Math.abs(value))) break;
  }
  return beta;
}

function setHessian(h: Matrix, a: number, b: number, value: number): void {
  h.set(a, b, value);
  h.set(b, a, value);
}
