/**
 * Direct Loss Estimation (DLE, NannyML) for regression: an error model fitted on the labelled
 * reference predicts each row's absolute and squared error from its features and prediction; a
 * window's estimated MAE is the mean predicted absolute error, its RMSE the root of the mean
 * predicted squared error. NannyML fits LightGBM; here the error model is gradient-boosted
 * stumps (one split a round) over quantile bins of each input, which fits 1,000 rows in a few
 * milliseconds and needs no dependency. Stumps add one input's effect at a time, so an error that
 * depends on two inputs together is modelled as a sum of their separate effects.
 *
 * @example
 * const model = fitDle(referenceInputs, referenceAbsErrors, referenceSquaredErrors);
 * const { mae, rmse } = estimateDle(model, windowInputs);
 */

/** One decision stump: x[input] <= threshold ? left : right (missing inputs go `missing`). */
export interface Stump {
  readonly input: number;
  readonly threshold: number;
  readonly left: number;
  readonly right: number;
  readonly missing: number;
}

/** An additive model of one error target. */
export interface BoostedStumps {
  readonly base: number;
  readonly stumps: readonly Stump[];
}

export interface BoostingOptions {
  /** Rounds of boosting (default 150). */
  readonly rounds?: number;
  /** Shrinkage of each stump (default 0.1). */
  readonly learningRate?: number;
  /** Quantile bins a input is cut into (default 32). */
  readonly bins?: number;
  /** Least rows on either side of a split (default 5% of the rows, at least 10). */
  readonly minLeaf?: number;
}

/** The fitted DLE estimator. */
export interface DleModel {
  readonly inputs: number;
  readonly absolute: BoostedStumps;
  readonly squared: BoostedStumps;
  readonly referenceRows: number;
}

/** Candidate thresholds of one input: distinct quantile cut points of its non-missing values. */
function cutPoints(values: readonly number[], bins: number): number[] {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const out: number[] = [];
  for (let b = 1; b < bins; b++) {
    const v = sorted[Math.floor((b * sorted.length) / bins)];
    if (v !== undefined && v !== out[out.length - 1] && v > sorted[0]!) out.push(v);
  }
  return out;
}

/**
 * Least-squares gradient boosting of stumps: each round fits the residuals with the single split
 * (of any input, at any cut point) that lowers the squared error most.
 */
export function fitBoostedStumps(x: readonly ArrayLike<number>[], y: readonly number[], options: BoostingOptions = {}): BoostedStumps {
  const n = y.length;
  if (n !== x.length) throw new RangeError(`error model: ${x.length} input rows but ${n} targets`);
  if (!n) throw new RangeError('error model needs at least one labelled reference row');
  const rounds = options.rounds ?? 150;
  const rate = options.learningRate ?? 0.1;
  const bins = options.bins ?? 32;
  const minLeaf = options.minLeaf ?? Math.max(10, Math.floor(0.05 * n));
  if (!(Number.isInteger(rounds) && rounds >= 0)) throw new RangeError(`rounds must be an integer >= 0 (got ${rounds})`);
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`learningRate must be in (0, 1] (got ${rate})`);
  const inputs = x[0]?.length ?? 0;
  const base = y.reduce((s, v) => s + v, 0) / n;
  // Each row's bin per input (bin b: cuts[b-1] < x <= cuts[b]; -1 missing), computed once.
  const cuts: number[][] = [];
  const binOf: Int32Array[] = [];
  for (let f = 0; f < inputs; f++) {
    const col = x.map((r) => r[f]!);
    const c = cutPoints(col, bins);
    cuts.push(c);
    const b = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (Number.isNaN(v)) b[i] = -1;
      else {
        let k = 0;
        while (k < c.length && v > c[k]!) k++;
        b[i] = k;
      }
    }
    binOf.push(b);
  }
  const fitted = new Float64Array(n).fill(base);
  const stumps: Stump[] = [];
  for (let round = 0; round < rounds; round++) {
    let best: { gain: number; stump: Stump } | undefined;
    for (let f = 0; f < inputs; f++) {
      const c = cuts[f]!;
      const k = c.length + 1;
      const sum = new Float64Array(k);
      const cnt = new Float64Array(k);
      let missSum = 0;
      let missCnt = 0;
      const b = binOf[f]!;
      for (let i = 0; i < n; i++) {
        const r = y[i]! - fitted[i]!;
        const j = b[i]!;
        if (j < 0) {
          missSum += r;
          missCnt++;
        } else {
          sum[j] = sum[j]! + r;
          cnt[j] = cnt[j]! + 1;
        }
      }
      let total = 0;
      let totalCnt = 0;
      for (let j = 0; j < k; j++) {
        total += sum[j]!;
        totalCnt += cnt[j]!;
      }
      let ls = 0;
      let lc = 0;
      for (let j = 0; j + 1 < k; j++) {
        ls += sum[j]!;
        lc += cnt[j]!;
        const rs = total - ls;
        const rc = totalCnt - lc;
        if (lc < minLeaf || rc < minLeaf) continue;
        // Missing rows join the side that gains more (as LightGBM's default direction).
        const options2 = missCnt ? [[ls + missSum, lc + missCnt, rs, rc, 0], [ls, lc, rs + missSum, rc + missCnt, 1]] : [[ls, lc, rs, rc, 0]];
        for (const [a, an, bsum, bn, side] of options2) {
          const gain = (a! * a!) / an! + (bsum! * bsum!) / bn!;
          if (!best || gain > best.gain + 1e-12) {
            const left = (rate * a!) / an!;
            const right = (rate * bsum!) / bn!;
            best = { gain, stump: { input: f, threshold: c[j]!, left, right, missing: side === 0 ? left : right } };
          }
        }
      }
    }
    if (!best) break;
    const s = best.stump;
    for (let i = 0; i < n; i++) fitted[i] = fitted[i]! + stumpValue(s, x[i]![s.input]!);
    stumps.push(s);
  }
  return { base, stumps };
}

function stumpValue(s: Stump, v: number): number {
  return Number.isNaN(v) ? s.missing : v <= s.threshold ? s.left : s.right;
}

/** The model's value at one input row. */
export function predictBoosted(m: BoostedStumps, row: ArrayLike<number>): number {
  let y = m.base;
  for (const s of m.stumps) y += stumpValue(s, row[s.input]!);
  return y;
}

/**
 * Fits DLE on labelled reference rows: `inputs` holds each row's features followed by its
 * prediction; `predictions` and `labels` give the errors the two models learn.
 */
export function fitDle(inputs: readonly ArrayLike<number>[], predictions: readonly number[], labels: readonly number[], options?: BoostingOptions): DleModel {
  if (inputs.length !== labels.length || predictions.length !== labels.length) throw new RangeError('DLE: inputs, predictions and labels must have one entry a row');
  const abs = labels.map((y, i) => Math.abs(predictions[i]! - y));
  const sq = abs.map((e) => e * e);
  return {
    inputs: inputs[0]?.length ?? 0,
    absolute: fitBoostedStumps(inputs, abs, options),
    squared: fitBoostedStumps(inputs, sq, options),
    referenceRows: labels.length,
  };
}

/** DLE's estimates over a window: mean predicted |error| and the root of the mean predicted error^2 (each row's prediction clipped at 0). */
export function estimateDle(model: DleModel, inputs: readonly ArrayLike<number>[]): { mae: number; rmse: number } {
  if (!inputs.length) return { mae: NaN, rmse: NaN };
  let a = 0;
  let s = 0;
  for (const row of inputs) {
    a += Math.max(0, predictBoosted(model.absolute, row));
    s += Math.max(0, predictBoosted(model.squared, row));
  }
  return { mae: a / inputs.length, rmse: Math.sqrt(s / inputs.length) };
}
