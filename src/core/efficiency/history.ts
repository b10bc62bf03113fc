import type { GpuSnapshot } from '../gpu/types';
import { gpuKey, type GpuSample } from './types';

/** One GPU's samples in time order, as columns (NaN where a reading was absent). */
export interface GpuSeries {
  readonly gpu: string;
  readonly index: number;
  readonly host: string;
  readonly length: number;
  readonly times: Float64Array;
  readonly utilization: Float64Array;
  readonly memoryUsedMiB: Float64Array;
  readonly memoryTotalMiB: Float64Array;
  readonly powerW: Float64Array;
}

/** Default bound: two days of 1 s samples per GPU (about 5.5 MB a GPU). */
export const DEFAULT_MAX_SAMPLES_PER_GPU = 172_800;

class Series implements GpuSeries {
  length = 0;
  times = new Float64Array(64);
  utilization = new Float64Array(64);
  memoryUsedMiB = new Float64Array(64);
  memoryTotalMiB = new Float64Array(64);
  powerW = new Float64Array(64);
  /** False once a sample arrived older than the newest: sorted before the next read. */
  ordered = true;

  constructor(
    readonly gpu: string,
    readonly index: number,
    readonly host: string,
  ) {}

  push(s: GpuSample, max: number): void {
    if (this.length === max) this.dropOldest(Math.max(1, max >> 2));
    if (this.length === this.times.length) this.grow(Math.min(max, this.times.length * 2));
    const i = this.length++;
    if (i > 0 && s.timeMs < this.times[i - 1]!) this.ordered = false;
    this.times[i] = s.timeMs;
    this.utilization[i] = s.utilizationGpu ?? NaN;
    this.memoryUsedMiB[i] = s.memoryUsedMiB ?? NaN;
    this.memoryTotalMiB[i] = s.memoryTotalMiB ?? NaN;
    this.powerW[i] = s.powerW ?? NaN;
  }

  sort(): void {
    if (this.ordered) return;
    const order = Array.from({ length: this.length }, (_, i) => i).sort((a, b) => this.times[a]! - this.times[b]! || a - b);
    for (const key of ['times', 'utilization', 'memoryUsedMiB', 'memoryTotalMiB', 'powerW'] as const) {
      const from = this[key];
      const to = new Float64Array(from.length);
      order.forEach((src, dst) => (to[dst] = from[src]!));
      this[key] = to;
    }
    this.ordered = true;
  }

  private grow(size: number): void {
    for (const key of ['times', 'utilization', 'memoryUsedMiB', 'memoryTotalMiB', 'powerW'] as const) {
      const next = new Float64Array(size);
      next.set(this[key].subarray(0, this.length));
      this[key] = next;
    }
  }

  /** Forgets the oldest `n` samples; a quarter at a time, so each push stays O(1) amortised. */
  private dropOldest(n: number): void {
    this.sort();
    for (const key of ['times', 'utilization', 'memoryUsedMiB', 'memoryTotalMiB', 'powerW'] as const) this[key].copyWithin(0, n, this.length);
    this.length -= n;
  }
}

/**
 * A bounded record of GPU samples per host and GPU, kept as columns so a day of 1 s samples of
 * eight GPUs is about 22 MB and a run's slice is found by binary search. Past `maxSamplesPerGpu`
 * a GPU's oldest quarter is forgotten.
 *
 * @example
 * const history = new GpuHistory();
 * history.addSnapshot(snapshot);
 * computeRunEfficiency(run, history);
 */
export class GpuHistory {
  private readonly byGpu = new Map<string, Series>();
  readonly maxSamplesPerGpu: number;

  constructor(options: { readonly maxSamplesPerGpu?: number } = {}) {
    const max = options.maxSamplesPerGpu ?? DEFAULT_MAX_SAMPLES_PER_GPU;
    if (!Number.isInteger(max) || max < 4) throw new RangeError(`GpuHistory: maxSamplesPerGpu must be an integer >= 4, got ${max}`);
    this.maxSamplesPerGpu = max;
  }

  /** A history holding `samples`. */
  static of(samples: Iterable<GpuSample>, options?: { readonly maxSamplesPerGpu?: number }): GpuHistory {
    const h = new GpuHistory(options);
    for (const s of samples) h.add(s);
    return h;
  }

  add(sample: GpuSample): void {
    if (!Number.isFinite(sample.timeMs)) return;
    const key = seriesKey(sample.host, sample.gpu);
    let series = this.byGpu.get(key);
    if (!series) {
      series = new Series(sample.gpu, sample.index, sample.host);
      this.byGpu.set(key, series);
    }
    series.push(sample, this.maxSamplesPerGpu);
  }

  /** Adds every GPU of a snapshot (a sampler's, or a cluster's through DCGM, whose host it names). */
  addSnapshot(snapshot: GpuSnapshot, host = ''): void {
    for (const sample of snapshotSamples(snapshot, host)) this.add(sample);
  }

  /** Every GPU's series, sorted by host then index. */
  series(): GpuSeries[] {
    const all = [...this.byGpu.values()];
    for (const s of all) s.sort();
    return all.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.index - b.index || (a.gpu < b.gpu ? -1 : a.gpu > b.gpu ? 1 : 0)));
  }

  /** Total samples held, over all GPUs. */
  get size(): number {
    let n = 0;
    for (const s of this.byGpu.values()) n += s.length;
    return n;
  }

  /** The time span held, or null when empty. */
  span(): { startMs: number; endMs: number } | null {
    let startMs = Infinity;
    let endMs = -Infinity;
    for (const s of this.series()) {
      if (!s.length) continue;
      startMs = Math.min(startMs, s.times[0]!);
      endMs = Math.max(endMs, s.times[s.length - 1]!);
    }
    return startMs <= endMs ? { startMs, endMs } : null;
  }

  /** Every sample, GPU by GPU in time order. */
  *samples(): IterableIterator<GpuSample> {
    for (const s of this.series()) {
      for (let i = 0; i < s.length; i++) {
        yield {
          timeMs: s.times[i]!,
          gpu: s.gpu,
          index: s.index,
          host: s.host,
          utilizationGpu: orNull(s.utilization[i]!),
          memoryUsedMiB: orNull(s.memoryUsedMiB[i]!),
          memoryTotalMiB: orNull(s.memoryTotalMiB[i]!),
          powerW: orNull(s.powerW[i]!),
        };
      }
    }
  }
}

function seriesKey(host: string, gpu: string): string {
  return `${host}\u0000${gpu}`;
}

const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** The efficiency samples of a snapshot, one a GPU; a cluster GPU keeps the host DCGM names, others get `host`. */
export function snapshotSamples(snapshot: GpuSnapshot, host = ''): GpuSample[] {
  return snapshot.gpus.map((g) => sampleOf(snapshot.timeMs, g, g.cluster?.host ?? host));
}

/** The efficiency sample of one reading of a snapshot. */
export function sampleOf(
  timeMs: number,
  g: { readonly index: number; readonly uuid: string | null; readonly utilizationGpu: number | null; readonly memoryUsedMiB: number | null; readonly memoryTotalMiB: number | null; readonly powerW: number | null },
  host = '',
): GpuSample {
  return {
    timeMs,
    gpu: gpuKey(g.uuid, g.index),
    index: g.index,
    host,
    utilizationGpu: g.utilizationGpu,
    memoryUsedMiB: g.memoryUsedMiB,
    memoryTotalMiB: g.memoryTotalMiB,
    powerW: g.powerW,
  };
}

/** First index of `times[0, length)` at or after `t` (binary search). */
export function lowerBound(times: Float64Array, length: number, t: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
