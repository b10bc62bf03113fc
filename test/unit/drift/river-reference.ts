// Plain transliterations of river 0.26's drift detectors, for the differential test only.
//
// Each class follows its Python (or, for ADWIN and EWMean, Rust) source line by line: same
// state, same statements in the same order, same floating-point expressions. Nothing here is
// shared with src/: the point is an independent second reading of river against which the
// optimised detectors in src/core/drift are compared index for index.
//
// Sources (online-ml/river, 0.26):
//   river/stats/mean.py (Mean), river/stats/var.py (Var), rust_src/ewmean.rs (EWMean, the one
//   stats.EWMean wraps since the stats moved to Rust), rust_src/adwin.rs (AdaptiveWindowing) and
//   river/drift/adwin.py, river/drift/binary/{ddm,eddm,fhddm,hddm_a,hddm_w}.py,
//   river/drift/{page_hinkley,cusum,kswin}.py; scipy.stats.ks_2samp (method="auto", exact
//   branch for equal sample sizes, _compute_prob_outside_square).

export interface ReferenceDetector {
  update(x: number): void;
  readonly drift_detected: boolean;
  readonly warning_detected: boolean;
}

/** river.base.DriftDetector / BinaryDriftAndWarningDetector state. */
abstract class Base implements ReferenceDetector {
  _drift_detected = false;
  _warning_detected = false;
  get drift_detected(): boolean {
    return this._drift_detected;
  }
  get warning_detected(): boolean {
    return this._warning_detected;
  }
  _reset(): void {
    this._drift_detected = false;
    this._warning_detected = false;
  }
  abstract update(x: number): void;
}

// ---------------------------------------------------------------- river.stats

/** stats.Mean */
class Mean {
  n = 0;
  _mean = 0.0;
  update(x: number, w = 1.0): this {
    this.n += w;
    this._mean += (w / this.n) * (x - this._mean);
    return this;
  }
  get(): number {
    return this._mean;
  }
  /** clone(include_attributes=True) */
  clone(): Mean {
    const m = new Mean();
    m.n = this.n;
    m._mean = this._mean;
    return m;
  }
}

/** stats.Var (ddof=1) */
class Var {
  mean = new Mean();
  _S = 0;
  constructor(readonly ddof = 1) {}
  update(x: number, w = 1.0): this {
    const mean_old = this.mean.get();
    this.mean.update(x, w);
    const mean_new = this.mean.get();
    this._S += w * (x - mean_old) * (x - mean_new);
    return this;
  }
  get(): number {
    if (this.mean.n > this.ddof) return this._S / (this.mean.n - this.ddof);
    return 0.0;
  }
}

/** stats.EWMean: river 0.26 wraps the Rust EWMean, which starts from its first value. */
class EWMean {
  mean = 0.0;
  initialized = false;
  readonly one_minus_alpha: number;
  constructor(readonly alpha: number) {
    this.one_minus_alpha = 1.0 - alpha;
  }
  update(x: number): void {
    if (!this.initialized) {
      this.mean = x;
      this.initialized = true;
    } else {
      this.mean = this.alpha * x + this.one_minus_alpha * this.mean;
    }
  }
  get(): number {
    return this.mean;
  }
  deepcopy(): EWMean {
    const c = new EWMean(this.alpha);
    c.mean = this.mean;
    c.initialized = this.initialized;
    return c;
  }
}

const pyPow = (x: number, y: number): number => x ** y;

// ---------------------------------------------------------------- binary detectors

export class DDM extends Base {
  _p = new Mean();
  _p_min = Infinity;
  _s_min = Infinity;
  _ps_min = Infinity;
  constructor(
    readonly warm_start = 30,
    readonly warning_threshold = 2.0,
    readonly drift_threshold = 3.0,
  ) {
    super();
    this._reset();
  }
  override _reset(): void {
    super._reset();
    this._p = new Mean();
    this._p_min = Infinity;
    this._s_min = Infinity;
    this._ps_min = Infinity;
  }
  update(x: number): void {
    if (this.drift_detected) this._reset();
    this._p.update(x);
    const p_i = this._p.get();
    const n = this._p.n;
    const s_i = Math.sqrt((p_i * (1 - p_i)) / n);
    if (n > this.warm_start) {
      if (p_i + s_i <= this._ps_min) {
        this._p_min = p_i;
        this._s_min = s_i;
        this._ps_min = this._p_min + this._s_min;
      }
      if (p_i + s_i > this._p_min + this.warning_threshold * this._s_min) this._warning_detected = true;
      else this._warning_detected = false;
      if (p_i + s_i > this._p_min + this.drift_threshold * this._s_min) {
        this._drift_detected = true;
        this._warning_detected = false;
      }
    }
  }
}

export class EDDM extends Base {
  _error_distances = new Var();
  _n = 0;
  _last_error = 0;
  _n_errors = 0;
  _p2s_prime_max = -1;
  constructor(
    readonly warm_start = 30,
    readonly alpha = 0.95,
    readonly beta = 0.9,
  ) {
    super();
    this._reset();
  }
  override _reset(): void {
    super._reset();
    this._error_distances = new Var();
    this._n = 0;
    this._last_error = 0;
    this._n_errors = 0;
    this._p2s_prime_max = -1;
  }
  update(x: number): void {
    if (this.drift_detected) this._reset();
    this._n += 1;
    if (x === 1) {
      this._n_errors += 1;
      this._error_distances.update(this._n - this._last_error);
      if (this._n > this.warm_start) {
        const pi_prime = this._error_distances.mean.get();
        const si_prime = pyPow(this._error_distances.get(), 0.5);
        const p2s_prime = pi_prime + 2 * si_prime;
        if (p2s_prime > this._p2s_prime_max) {
          this._p2s_prime_max = p2s_prime;
        } else if (this._n_errors > this.warm_start) {
          const level = p2s_prime / this._p2s_prime_max;
          if (level < this.beta) this._drift_detected = true;
          else if (level < this.alpha) this._warning_detected = true;
          else this._warning_detected = false;
        }
      }
      this._last_error = this._n;
    }
  }
}

export class HDDMA extends Base {
  _x_min = new Mean();
  _x_max = new Mean();
  _z = new Mean();
  constructor(
    readonly drift_confidence = 0.001,
    readonly warning_confidence = 0.005,
    readonly two_sided_test = false,
  ) {
    super();
    this._reset();
  }
  override _reset(): void {
    super._reset();
    this._x_min = new Mean();
    this._x_max = new Mean();
    this._z = new Mean();
  }
  _hoeffding_bound(n: number): number {
    return Math.sqrt((1.0 / (2 * n)) * Math.log(1.0 / this.drift_confidence));
  }
  update(x: number): void {
    if (this.drift_detected) this._reset();
    this._z.update(x);
    if (this._x_min.n === 0) this._x_min = this._z.clone();
    if (this._x_max.n === 0) this._x_max = this._z.clone();
    const eps_z = this._hoeffding_bound(this._z.n);
    let eps_x = this._hoeffding_bound(this._x_min.n);
    if (this._x_min.get() + eps_x >= this._z.get() + eps_z) this._x_min = this._z.clone();
    eps_x = this._hoeffding_bound(this._x_max.n);
    if (this._x_max.get() - eps_x <= this._z.get() - eps_z) this._x_max = this._z.clone();
    if (this._mean_incr(this.drift_confidence)) {
      this._warning_detected = false;
      this._drift_detected = true;
    } else if (this._mean_incr(this.warning_confidence)) {
      this._warning_detected = true;
      this._drift_detected = false;
    } else {
      this._warning_detected = false;
      this._drift_detected = false;
    }
    if (this.two_sided_test) {
      if (this._mean_decr(this.drift_confidence)) this._drift_detected = true;
      else if (this._mean_decr(this.warning_confidence)) this._warning_detected = true;
    }
  }
  _mean_incr(confidence: number): boolean {
    if (this._x_min.n === this._z.n) return false;
    const m = ((this._z.n - this._x_min.n) / this._x_min.n) * (1.0 / this._z.n);
    const eps = Math.sqrt((m / 2) * Math.log(2.0 / confidence));
    return this._z.get() - this._x_min.get() >= eps;
  }
  _mean_decr(confidence: number): boolean {
    if (this._x_max.n === this._z.n) return false;
    const m = ((this._z.n - this._x_max.n) / this._x_max.n) * (1.0 / this._z.n);
    const eps = Math.sqrt((m / 2) * Math.log(2.0 / confidence));
    return this._x_max.get() - this._z.get() >= eps;
  }
}

/** hddm_w.SampleInfo */
class SampleInfo {
  _ewma: EWMean;
  _is_init = false;
  _ibc = 1.0;
  readonly _lambd_sq: number;
  readonly _c_lambd_sq: number;
  constructor(readonly lambd: number) {
    this._ewma = new EWMean(lambd);
    this._lambd_sq = lambd * lambd;
    this._c_lambd_sq = pyPow(1 - lambd, 2);
  }
  update(x: number): void {
    this._ewma.update(x);
    this._is_init = true;
    this._ibc = this._lambd_sq + this._c_lambd_sq * this._ibc;
  }
  get ewma(): number {
    return this._ewma.get();
  }
  get ibc(): number {
    return this._ibc;
  }
  deepcopy(): SampleInfo {
    const c = new SampleInfo(this.lambd);
    c._ewma = this._ewma.deepcopy();
    c._is_init = this._is_init;
    c._ibc = this._ibc;
    return c;
  }
}

export class HDDMW extends Base {
  _total!: SampleInfo;
  _s1_decr!: SampleInfo;
  _s1_incr!: SampleInfo;
  _s2_decr!: SampleInfo;
  _s2_incr!: SampleInfo;
  _incr_cutpoint = Infinity;
  _decr_cutpoint = -Infinity;
  constructor(
    readonly drift_confidence = 0.001,
    readonly warning_confidence = 0.005,
    readonly lambda_val = 0.05,
    readonly two_sided_test = false,
  ) {
    super();
    this._reset();
  }
  override _reset(): void {
    super._reset();
    this._total = new SampleInfo(this.lambda_val);
    this._s1_decr = new SampleInfo(this.lambda_val);
    this._s1_incr = new SampleInfo(this.lambda_val);
    this._s2_decr = new SampleInfo(this.lambda_val);
    this._s2_incr = new SampleInfo(this.lambda_val);
    this._incr_cutpoint = Infinity;
    this._decr_cutpoint = -Infinity;
  }
  _mcdiarmid_bound(ibc: number, confidence: number): number {
    return Math.sqrt((ibc * Math.log(1 / confidence)) / 2);
  }
  update(x: number): void {
    if (this.drift_detected) this._reset();
    this._total.update(x);
    this._update_incr_stats(x, this.drift_confidence);
    if (this._detect_mean_incr(this.drift_confidence)) {
      this._warning_detected = false;
      this._drift_detected = true;
    } else if (this._detect_mean_incr(this.warning_confidence)) {
      this._warning_detected = true;
      this._drift_detected = false;
    } else {
      this._warning_detected = false;
      this._drift_detected = false;
    }
    this._update_decr_stats(x, this.drift_confidence);
    if (this.two_sided_test) {
      if (this._detect_mean_decr(this.drift_confidence)) this._drift_detected = true;
      else if (this._detect_mean_decr(this.warning_confidence)) this._warning_detected = true;
    }
  }
  _has_mean_changed(sample1: SampleInfo, sample2: SampleInfo, confidence: number): boolean {
    if (!(sample1._is_init && sample2._is_init)) return false;
    const ibc_sum = sample1.ibc + sample2.ibc;
    const bound = this._mcdiarmid_bound(ibc_sum, confidence);
    return sample2.ewma - sample1.ewma > bound;
  }
  _detect_mean_incr(confidence: number): boolean {
    return this._has_mean_changed(this._s1_incr, this._s2_incr, confidence);
  }
  _detect_mean_decr(confidence: number): boolean {
    return this._has_mean_changed(this._s2_decr, this._s1_decr, confidence);
  }
  _update_incr_stats(x: number, confidence: number): void {
    const eps = this._mcdiarmid_bound(this._total.ibc, confidence);
    if (this._total.ewma + eps < this._incr_cutpoint) {
      this._incr_cutpoint = this._total.ewma + eps;
      this._s1_incr = this._total.deepcopy();
      this._s2_incr = new SampleInfo(this.lambda_val);
    } else {
      this._s2_incr.update(x);
    }
  }
  _update_decr_stats(x: number, confidence: number): void {
    const eps = this._mcdiarmid_bound(this._total.ibc, confidence);
    if (this._total.ewma - eps > this._decr_cutpoint) {
      this._decr_cutpoint = this._total.ewma - eps;
      this._s1_decr = this._total.deepcopy();
      this._s2_decr = new SampleInfo(this.lambda_val);
    } else {
      this._s2_decr.update(x);
    }
  }
}

/** collections.deque with maxlen, as much of it as the detectors use. */
class Deque {
  items: number[] = [];
  constructor(
    readonly maxlen: number,
    init: Iterable<number> = [],
  ) {
    for (const v of init) this.append(v);
  }
  append(x: number): void {
    this.items.push(x);
    if (this.items.length > this.maxlen) this.items.shift();
  }
  popleft(): number {
    return this.items.shift()!;
  }
  get length(): number {
    return this.items.length;
  }
  at(i: number): number {
    return this.items[i]!;
  }
  /** itertools.islice(deque, start, stop) */
  slice(start: number, stop: number): number[] {
    return this.items.slice(start, stop);
  }
}

const pySum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

export class FHDDM extends Base {
  n_one = 0;
  _sliding_window!: Deque;
  _epsilon = 0;
  _u_max = 0;
  _u_short_max = 0;
  _epsilon_s = 0;
  constructor(
    readonly sliding_window_size = 100,
    readonly confidence_level = 0.000001,
    readonly short_window_size: number | null = null,
  ) {
    super();
    this._reset();
  }
  override _reset(): void {
    this._sliding_window = new Deque(this.sliding_window_size);
    this._epsilon = Math.sqrt(Math.log(1 / this.confidence_level) / (2 * this.sliding_window_size));
    this._u_max = 0;
    this.n_one = 0;
    if (this.short_window_size !== null) {
      this._u_short_max = 0;
      this._epsilon_s = Math.sqrt(Math.log(1 / this.confidence_level) / (2 * this.short_window_size));
    }
  }
  update(x: number): void {
    if (this.drift_detected) {
      this._drift_detected = false;
      this._reset();
    }
    this._sliding_window.append(x);
    this.n_one += x;
    if (this._sliding_window.length === this.sliding_window_size) {
      const u = this.n_one / this.sliding_window_size;
      this._u_max = this._u_max < u ? u : this._u_max;
      let short_win_drift_status = false;
      if (this.short_window_size !== null) {
        const u_s =
          pySum(this._sliding_window.slice(this.sliding_window_size - this.short_window_size, this.sliding_window_size)) /
          this.short_window_size;
        this._u_short_max = this._u_short_max < u_s ? u_s : this._u_short_max;
        short_win_drift_status = this._u_short_max - u_s > this._epsilon_s;
      }
      const long_win_drift_status = this._u_max - u > this._epsilon;
      this._drift_detected = long_win_drift_status || short_win_drift_status;
      this.n_one -= this._sliding_window.popleft();
    }
  }
}

// ---------------------------------------------------------------- real-valued detectors

export type Mode = 'up' | 'down' | 'both';

export class PageHinkley extends Base {
  _x_mean = new Mean();
  _sum_increase = 0.0;
  _sum_decrease = 0.0;
  _min_increase = Infinity;
  _max_decrease = -1;
  constructor(
    readonly min_instances = 30,
    readonly delta = 0.005,
    readonly threshold = 50.0,
    readonly alpha = 1 - 0.0001,
    readonly mode: Mode = 'both',
  ) {
    super();
    this._reset();
  }
  override _reset(): void {
    super._reset();
    this._x_mean = new Mean();
    this._sum_increase = 0.0;
    this._sum_decrease = 0.0;
    this._min_increase = Infinity;
    this._max_decrease = -1;
  }
  _test_drift(test_increase: number, test_decrease: number): boolean {
    if (this.mode === 'up') return test_increase > this.threshold;
    if (this.mode === 'down') return test_decrease > this.threshold;
    return test_increase > this.threshold || test_decrease > this.threshold;
  }
  update(x: number): void {
    if (this.drift_detected) this._reset();
    this._x_mean.update(x);
    const dev = x - this._x_mean.get();
    this._sum_increase = this.alpha * this._sum_increase + dev - this.delta;
    this._sum_decrease = this.alpha * this._sum_decrease + dev + this.delta;
    if (this._sum_increase < this._min_increase) this._min_increase = this._sum_increase;
    if (this._sum_decrease > this._max_decrease) this._max_decrease = this._sum_decrease;
    if (this._x_mean.n >= this.min_instances) {
      const test_increase = this._sum_increase - this._min_increase;
      const test_decrease = this._max_decrease - this._sum_decrease;
      this._drift_detected = this._test_drift(test_increase, test_decrease);
    }
  }
}

export class CUSUM extends Base {
  _n = 0;
  _mean = new Mean();
  _var = new Var();
  _sum_increase = 0.0;
  _sum_decrease = 0.0;
  _reference: number | null = null;
  _sigma = 0.0;
  constructor(
    readonly min_instances = 30,
    readonly slack = 0.5,
    readonly threshold = 5.0,
    readonly mode: Mode = 'both',
  ) {
    super();
    this._reset();
  }
  override _reset(): void {
    super._reset();
    this._n = 0;
    this._mean = new Mean();
    this._var = new Var();
    this._sum_increase = 0.0;
    this._sum_decrease = 0.0;
    this._reference = null;
    this._sigma = 0.0;
  }
  _test_drift(increase: number, decrease: number, limit: number): boolean {
    if (this.mode === 'up') return increase > limit;
    if (this.mode === 'down') return decrease > limit;
    return increase > limit || decrease > limit;
  }
  update(x: number): void {
    if (this.drift_detected) this._reset();
    this._n += 1;
    this._mean.update(x);
    this._var.update(x);
    if (this._n < this.min_instances) {
      this._drift_detected = false;
      return;
    }
    if (this._reference === null) {
      this._reference = this._mean.get();
      this._sigma = pyPow(Math.max(this._var.get(), 0.0), 0.5);
    }
    const k = this.slack * this._sigma;
    const limit = this.threshold * this._sigma;
    const deviation = x - this._reference;
    this._sum_increase = Math.max(0.0, this._sum_increase + deviation - k);
    this._sum_decrease = Math.max(0.0, this._sum_decrease - deviation - k);
    this._drift_detected = this._test_drift(this._sum_increase, this._sum_decrease, limit);
  }
}

/** rust_src/adwin.rs: Bucket */
class Bucket {
  current_idx = 0;
  totals: number[];
  variances: number[];
  constructor(readonly max_size: number) {
    const cap = max_size + 1;
    this.totals = new Array<number>(cap).fill(0.0);
    this.variances = new Array<number>(cap).fill(0.0);
  }
  insert_data(value: number, variance: number): void {
    this.totals[this.current_idx] = value;
    this.variances[this.current_idx] = variance;
    this.current_idx += 1;
  }
  compress(n_elements: number): void {
    const remaining = this.current_idx - n_elements;
    if (remaining > 0) {
      this.totals.copyWithin(0, n_elements, this.current_idx);
      this.variances.copyWithin(0, n_elements, this.current_idx);
    }
    for (let i = remaining; i < this.current_idx; i++) {
      this.totals[i] = 0.0;
      this.variances[i] = 0.0;
    }
    this.current_idx -= n_elements;
  }
  remove(): void {
    this.compress(1);
  }
}

/** rust_src/adwin.rs: AdaptiveWindowing */
class AdaptiveWindowing {
  total = 0.0;
  variance = 0.0;
  width = 0.0;
  total_width = 0.0;
  n_buckets = 0;
  max_n_buckets = 0;
  tick = 0;
  n_detections = 0;
  bucket_list: Bucket[];
  constructor(
    readonly delta: number,
    readonly clock: number,
    readonly max_buckets: number,
    readonly min_window_length: number,
    readonly grace_period: number,
  ) {
    this.bucket_list = [new Bucket(max_buckets)];
  }
  update(value: number): boolean {
    this.insert_element(value, 0.0);
    return this.detect_change();
  }
  insert_element(value: number, variance: number): void {
    this.bucket_list[0]!.insert_data(value, variance);
    this.n_buckets += 1;
    if (this.n_buckets > this.max_n_buckets) this.max_n_buckets = this.n_buckets;
    this.width += 1.0;
    let incremental_variance = 0.0;
    if (this.width > 1.0) {
      const delta_v = value - this.total / (this.width - 1.0);
      incremental_variance = ((this.width - 1.0) * delta_v * delta_v) / this.width;
    }
    this.variance += incremental_variance;
    this.total += value;
    this.compress_buckets();
  }
  delete_element(): number {
    const last = this.bucket_list.length - 1;
    const n = 2 ** last;
    const bucket = this.bucket_list[last]!;
    const u = bucket.totals[0]!;
    const v = bucket.variances[0]!;
    const mu = u / n;
    this.width -= n;
    this.total -= u;
    const mu_window = this.total / this.width;
    const inc = v + (n * this.width * (mu - mu_window) * (mu - mu_window)) / (n + this.width);
    this.variance -= inc;
    bucket.remove();
    this.n_buckets -= 1;
    if (bucket.current_idx === 0) this.bucket_list.pop();
    return n;
  }
  compress_buckets(): void {
    let idx = 0;
    for (;;) {
      const k = this.bucket_list[idx]!.current_idx;
      if (k !== this.max_buckets + 1) break;
      const n1 = 2 ** idx;
      const b = this.bucket_list[idx]!;
      const [t0, t1] = [b.totals[0]!, b.totals[1]!];
      const [v0, v1] = [b.variances[0]!, b.variances[1]!];
      const mu1 = t0 / n1;
      const mu2 = t1 / n1;
      const total12 = t0 + t1;
      const temp = n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2);
      const v12 = v0 + v1 + temp;
      if (idx + 1 >= this.bucket_list.length) this.bucket_list.push(new Bucket(this.max_buckets));
      this.bucket_list[idx + 1]!.insert_data(total12, v12);
      this.n_buckets += 1;
      b.compress(2);
      if (this.bucket_list[idx + 1]!.current_idx <= this.max_buckets) break;
      idx += 1;
    }
  }
  detect_change(): boolean {
    let change_detected = false;
    this.tick += 1;
    if (this.tick % this.clock === 0 && this.width > this.grace_period) {
      let reduce_width = true;
      while (reduce_width) {
        reduce_width = false;
        let exit_flag = false;
        let n0 = 0.0;
        let n1 = this.width;
        let u0 = 0.0;
        let u1 = this.total;
        const deque_len = this.bucket_list.length;
        outer: for (let idx = deque_len - 1; idx >= 0; idx--) {
          if (exit_flag) break;
          const bucket_size = 2 ** idx;
          const bucket_current_idx = this.bucket_list[idx]!.current_idx;
          for (let k = 0; k < bucket_current_idx; k++) {
            n0 += bucket_size;
            n1 -= bucket_size;
            const total_at = this.bucket_list[idx]!.totals[k]!;
            u0 += total_at;
            u1 -= total_at;
            if (idx === 0 && k === bucket_current_idx - 1) {
              exit_flag = true;
              break;
            }
            const delta_mean = u0 / n0 - u1 / n1;
            if (
              n1 >= this.min_window_length &&
              n0 >= this.min_window_length &&
              this.evaluate_cut(n0, n1, delta_mean, this.delta)
            ) {
              reduce_width = true;
              change_detected = true;
              if (this.width > 0.0) {
                this.delete_element();
                break outer;
              }
            }
          }
        }
      }
    }
    this.total_width += this.width;
    if (change_detected) this.n_detections += 1;
    return change_detected;
  }
  evaluate_cut(n0: number, n1: number, delta_mean: number, delta: number): boolean {
    const delta_prime = Math.log((2.0 * Math.log(this.width)) / delta);
    const m_recip = 1.0 / (n0 - this.min_window_length + 1.0) + 1.0 / (n1 - this.min_window_length + 1.0);
    const epsilon =
      Math.sqrt(2.0 * m_recip * (this.variance / this.width) * delta_prime) + (2.0 / 3.0) * delta_prime * m_recip;
    return Math.abs(delta_mean) > epsilon;
  }
}

/** river/drift/adwin.py */
export class ADWIN extends Base {
  _helper!: AdaptiveWindowing;
  constructor(
    readonly delta = 0.002,
    readonly clock = 32,
    readonly max_buckets = 5,
    readonly min_window_length = 5,
    readonly grace_period = 10,
  ) {
    super();
    this._reset();
  }
  override _reset(): void {
    super._reset();
    this._helper = new AdaptiveWindowing(this.delta, this.clock, this.max_buckets, this.min_window_length, this.grace_period);
  }
  get width(): number {
    return this._helper.width;
  }
  update(x: number): void {
    if (this._drift_detected) this._reset();
    this._drift_detected = this._helper.update(x);
  }
}

// ---------------------------------------------------------------- KSWIN and scipy's ks_2samp

/** What KSWIN draws from: `random.Random(seed).sample(range(n), k)`, re-created on reset. */
export interface IndexSampler {
  sample(n: number, k: number): number[];
  reset(): void;
}

/** numpy.searchsorted(a, v, side="right") on a sorted array. */
function searchsortedRight(a: number[], v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v < a[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** numpy.round: half to even. */
function npRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function _compute_prob_outside_square(n: number, h: number): number {
  let P = 0.0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1.0;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1.0 - P);
    k -= 1;
  }
  return 2 * P;
}

/** scipy.stats.ks_2samp(data1, data2, method="auto") for two samples of the same size. */
export function ks_2samp(data1in: number[], data2in: number[]): [number, number] {
  const data1 = [...data1in].sort((a, b) => a - b);
  const data2 = [...data2in].sort((a, b) => a - b);
  const n1 = data1.length;
  const n2 = data2.length;
  if (n1 !== n2 || Math.max(n1, n2) > 10000) throw new Error('reference ks_2samp: only the exact equal-size branch is transliterated');
  const data_all = [...data1, ...data2];
  const cddiffs = data_all.map((v) => searchsortedRight(data1, v) / n1 - searchsortedRight(data2, v) / n2);
  const minS = Math.min(Math.max(-Math.min(...cddiffs), 0), 1);
  const maxS = Math.max(...cddiffs);
  let d = Math.max(minS, maxS);
  const g = gcd(n1, n2);
  const lcm = Math.floor(n1 / g) * n2;
  const h = npRound(d * lcm);
  d = (h * 1.0) / lcm;
  let prob = h === 0 ? 1.0 : _compute_prob_outside_square(n1, h);
  if (!(prob >= 0 && prob <= 1)) {
    // scipy then falls back to method="asymp": kstwo.sf(d, round(n1 * n2 / (n1 + n2))). For the
    // sizes this test uses that happens only at h = 1 (n = 5 and 30 give 1.0000000000000002 and
    // 1.0000000000000004), where scipy 1.17.1's kstwo.sf returns exactly 1.0.
    if (h !== 1) throw new Error(`reference ks_2samp: exact branch failed at n=${n1}, h=${h}; its asymptotic p is not tabulated`);
    prob = 1.0;
  }
  prob = Math.min(Math.max(prob, 0), 1);
  return [d, prob];
}

export class KSWIN extends Base {
  p_value = 0;
  n = 0;
  window!: Deque;
  constructor(
    readonly alpha: number,
    readonly window_size: number,
    readonly stat_size: number,
    readonly sampler: IndexSampler,
    window: number[] | null = null,
  ) {
    super();
    this._reset();
    if (window && window.length) this.window = new Deque(this.window_size, window);
  }
  override _reset(): void {
    super._reset();
    this.p_value = 0;
    this.n = 0;
    this.window = new Deque(this.window_size);
    this.sampler.reset();
  }
  update(x: number): void {
    if (this.drift_detected) this._reset();
    this.n += 1;
    this.window.append(x);
    if (this.window.length >= this.window_size) {
      const rnd_window = this.sampler
        .sample(this.window_size - this.stat_size, this.stat_size)
        .map((r) => this.window.at(r));
      const most_recent = this.window.slice(this.window_size - this.stat_size, this.window_size);
      const [st, p] = ks_2samp(rnd_window, most_recent);
      this.p_value = p;
      if (this.p_value <= this.alpha && st > 0.1) {
        this._drift_detected = true;
        this.window = new Deque(this.window_size, most_recent);
      } else {
        this._drift_detected = false;
      }
    } else {
      this._drift_detected = false;
    }
  }
}
