import { GpuHistory, lowerBound, type GpuSeries } from './history';
import type {
  EfficiencyFinding,
  EfficiencyOptions,
  EfficiencyThresholds,
  GpuAttribution,
  GpuSample,
  RunEfficiency,
  RunGpuUsage,
  RunStepTime,
  RunTimeline,
} from './types';

/** The thresholds used where the options leave one out. */
export const DEFAULT_EFFICIENCY_THRESHOLDS: Required<EfficiencyThresholds> = {
  inputBoundShare: 0.5,
  busyUtilization: 50,
  idleUtilization: 5,
  stallIntervals: 10,
  stallMinSeconds: 60,
  memoryFullShare: 0.95,
  memoryUnusedShare: 0.25,
  minSamples: 8,
};

const DEFAULT_GAP_INTERVALS = 10;
const DEFAULT_MAX_SAMPLE_GAP_MS = 10_000;
/** Points of the utilisation chart at most; more are averaged in buckets. */
const MAX_CHART_POINTS = 2_000;
const MS_PER_HOUR = 3_600_000;

/** How the steps of a run went: its span, its active time and its pace. */
interface StepPace {
  readonly startMs: number;
  readonly endMs: number;
  readonly activeSeconds: number;
  readonly steps: number;
  readonly stepsPerSecond: number | null;
  readonly secondsPerStep: number | null;
  /** Median time between consecutive logged steps, seconds; null under two steps. */
  readonly loggedInterval: number | null;
  readonly lastStep: number;
}

/**
 * How a run went and what it cost: its pace from the logged steps' wall times, and its GPUs'
 * utilisation, memory and energy over the run's span from `history`, with the findings
 * (input-bound, stalled, memory nearly full or mostly unused, GPUs allocated but idle).
 * Throws a RangeError naming the run when it has no logged step.
 *
 * @example
 * const e = computeRunEfficiency({ name: 'digits', steps: [{ step: 1, wallTime: 1763870040 }, ...] }, history, { pricePerKWh: 0.3 });
 * e.gpu.energyWh; e.findings;
 */
export function computeRunEfficiency(run: RunTimeline, history: GpuHistory | readonly GpuSample[], options: EfficiencyOptions = {}): RunEfficiency {
  validateOptions(options);
  const h = history instanceof GpuHistory ? history : GpuHistory.of(history);
  const thresholds = { ...DEFAULT_EFFICIENCY_THRESHOLDS, ...definedOnly(options.thresholds ?? {}) };
  const pace = stepPace(run, options.gapIntervals ?? DEFAULT_GAP_INTERVALS);
  const all = h.series();
  const wanted = run.gpus?.length ? new Set(run.gpus) : null;
  const chosen = wanted ? all.filter((s) => wanted.has(s.gpu)) : all;
  const gpusFrom: GpuAttribution = wanted ? (run.gpusFrom ?? 'configured') : 'all';
  const perGpu = chosen.map((s) => measureGpu(s, pace.startMs, pace.endMs, options.maxSampleGapMs ?? DEFAULT_MAX_SAMPLE_GAP_MS));
  const batchSize = options.batchSize ?? run.batchSize ?? null;
  const gpu = summarise(perGpu, gpusFrom, pace.steps, options.pricePerKWh, thresholds.busyUtilization);
  const base = {
    run: run.name,
    start: new Date(pace.startMs).toISOString(),
    end: new Date(pace.endMs).toISOString(),
    startMs: pace.startMs,
    endMs: pace.endMs,
    wallSeconds: (pace.endMs - pace.startMs) / 1000,
    activeSeconds: pace.activeSeconds,
    steps: pace.steps,
    stepsPerSecond: pace.stepsPerSecond,
    samplesPerSecond: pace.stepsPerSecond !== null && batchSize !== null ? pace.stepsPerSecond * batchSize : null,
    batchSize,
    secondsPerStep: pace.secondsPerStep,
    gpu,
  };
  const nowMs = options.nowMs ?? Math.max(pace.endMs, h.span()?.endMs ?? -Infinity);
  const findings = judge(run, pace, perGpu, gpu, chosen, thresholds, nowMs, all.length);
  return { ...base, findings };
}

/** {@link computeRunEfficiency} for many runs over one history; runs with no logged step are left out. */
export function computeEfficiency(runs: readonly RunTimeline[], history: GpuHistory | readonly GpuSample[], options: EfficiencyOptions = {}): RunEfficiency[] {
  const h = history instanceof GpuHistory ? history : GpuHistory.of(history);
  return runs.filter((r) => r.steps.length > 0).map((r) => computeRunEfficiency(r, h, options));
}

function validateOptions(o: EfficiencyOptions): void {
  const positive = (name: string, v: number | undefined, allowZero = false) => {
    if (v === undefined) return;
    if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new RangeError(`efficiency: ${name} must be a number ${allowZero ? '>= 0' : '> 0'}, got ${v}`);
  };
  positive('pricePerKWh', o.pricePerKWh, true);
  positive('batchSize', o.batchSize);
  positive('gapIntervals', o.gapIntervals);
  positive('maxSampleGapMs', o.maxSampleGapMs);
  const t = o.thresholds ?? {};
  for (const key of ['inputBoundShare', 'memoryFullShare', 'memoryUnusedShare'] as const) {
    const v = t[key];
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`efficiency: thresholds.${key} must be between 0 and 1, got ${v}`);
  }
  for (const key of ['busyUtilization', 'idleUtilization'] as const) {
    const v = t[key];
    if (v !== undefined && !(v >= 0 && v <= 100)) throw new RangeError(`efficiency: thresholds.${key} must be a percentage 0-100, got ${v}`);
  }
  positive('thresholds.stallIntervals', t.stallIntervals);
  positive('thresholds.stallMinSeconds', t.stallMinSeconds, true);
  positive('thresholds.minSamples', t.minSamples, true);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The run's span and pace. Logged steps are taken in wall-time order; a step going back (a
 * restart) advances nothing; a pause longer than `gapIntervals` median intervals (evaluation,
 * a crash and resume) is a gap, left out of the active time and of the pace.
 */
export function stepPace(run: RunTimeline, gapIntervals: number): StepPace {
  if (!run.steps.length) throw new RangeError(`efficiency: run ${run.name} has no logged step`);
  const points = [...run.steps].filter((p) => Number.isFinite(p.wallTime) && Number.isFinite(p.step)).sort((a, b) => a.wallTime - b.wallTime || a.step - b.step);
  if (!points.length) throw new RangeError(`efficiency: run ${run.name} has no step with a wall time`);
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const dts: number[] = [];
  const perStep: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const ds = points[i]!.step - points[i - 1]!.step;
    const dt = points[i]!.wallTime - points[i - 1]!.wallTime;
    if (ds > 0) {
      dts.push(dt);
      perStep.push(dt / ds);
    }
  }
  const loggedInterval = dts.length ? median(dts) : null;
  const gapAbove = loggedInterval === null ? Infinity : Math.max(gapIntervals * loggedInterval, 1);
  let active = 0;
  let advanced = 0;
  let steps = 0;
  for (let i = 1; i < points.length; i++) {
    const ds = Math.max(0, points[i]!.step - points[i - 1]!.step);
    const dt = points[i]!.wallTime - points[i - 1]!.wallTime;
    steps += ds;
    if (dt > gapAbove) continue;
    active += dt;
    advanced += ds;
  }
  return {
    startMs: first.wallTime * 1000,
    endMs: last.wallTime * 1000,
    activeSeconds: active,
    steps,
    stepsPerSecond: active > 0 ? advanced / active : null,
    secondsPerStep: perStep.length ? median(perStep) : null,
    loggedInterval,
    lastStep: last.step,
  };
}

/** One GPU over one run. */
interface GpuMeasure {
  readonly gpu: string;
  readonly index: number;
  readonly host: string;
  readonly series: GpuSeries;
  readonly utilization: number[];
  readonly memoryPeakMiB: number | null;
  readonly memoryTotalMiB: number | null;
  readonly energyWh: number | null;
  /** First and last index of the run's samples in the series (last exclusive). */
  readonly from: number;
  readonly to: number;
}

function measureGpu(s: GpuSeries, startMs: number, endMs: number, maxGapMs: number): GpuMeasure {
  const from = lowerBound(s.times, s.length, startMs);
  const to = lowerBound(s.times, s.length, endMs + 1e-6);
  const utilization: number[] = [];
  let peak = -Infinity;
  let total = NaN;
  for (let i = from; i < to; i++) {
    const u = s.utilization[i]!;
    if (!Number.isNaN(u)) utilization.push(u);
    const m = s.memoryUsedMiB[i]!;
    if (m > peak) {
      peak = m;
      if (!Number.isNaN(s.memoryTotalMiB[i]!)) total = s.memoryTotalMiB[i]!;
    }
    if (Number.isNaN(total) && !Number.isNaN(s.memoryTotalMiB[i]!)) total = s.memoryTotalMiB[i]!;
  }
  return {
    gpu: s.gpu,
    index: s.index,
    host: s.host,
    series: s,
    utilization,
    memoryPeakMiB: peak === -Infinity ? null : peak,
    memoryTotalMiB: Number.isNaN(total) ? null : total,
    energyWh: energyBetween(s, from, to, startMs, endMs, maxGapMs),
    from,
    to,
  };
}

/**
 * Power integrated by trapezoids over [startMs, endMs], the intervals that cross either end cut
 * there at the linearly interpolated power. Intervals longer than `maxGapMs` or with a missing
 * reading are skipped: a stopped sampler is not guessed across. Null when no interval counted.
 */
export function energyBetween(s: GpuSeries, from: number, to: number, startMs: number, endMs: number, maxGapMs: number): number | null {
  const lo = Math.max(0, from - 1);
  const hi = Math.min(s.length, to + 1);
  let wh = 0;
  let counted = false;
  for (let i = lo + 1; i < hi; i++) {
    const t0 = s.times[i - 1]!;
    const t1 = s.times[i]!;
    const p0 = s.powerW[i - 1]!;
    const p1 = s.powerW[i]!;
    if (!(t1 > t0) || t1 - t0 > maxGapMs || Number.isNaN(p0) || Number.isNaN(p1)) continue;
    const a = Math.max(t0, startMs);
    const b = Math.min(t1, endMs);
    if (!(b > a)) continue;
    const at = (t: number) => p0 + ((p1 - p0) * (t - t0)) / (t1 - t0);
    wh += ((at(a) + at(b)) / 2) * ((b - a) / MS_PER_HOUR);
    counted = true;
  }
  return counted ? wh : null;
}

function summarise(perGpu: readonly GpuMeasure[], gpusFrom: GpuAttribution, steps: number, price: number | undefined, busy: number): RunGpuUsage {
  const utils: number[] = [];
  for (const g of perGpu) for (const u of g.utilization) utils.push(u);
  let peak: GpuMeasure | null = null;
  for (const g of perGpu) if (g.memoryPeakMiB !== null && (peak === null || g.memoryPeakMiB > peak.memoryPeakMiB!)) peak = g;
  const energies = perGpu.map((g) => g.energyWh).filter((e): e is number => e !== null);
  const energyWh = energies.length ? energies.reduce((a, b) => a + b, 0) : null;
  const cost = energyWh !== null && price !== undefined ? (energyWh / 1000) * price : null;
  const per1000 = (v: number | null) => (v !== null && steps > 0 ? (v * 1000) / steps : null);
  return {
    gpus: perGpu.map((g) => g.gpu),
    gpusFrom,
    samples: perGpu.reduce((n, g) => n + (g.to - g.from), 0),
    utilizationMean: utils.length ? mean(utils) : null,
    utilizationMedian: utils.length ? median(utils) : null,
    shareUnder50: utils.length ? utils.filter((u) => u < busy).length / utils.length : null,
    memoryPeakMiB: peak?.memoryPeakMiB ?? null,
    memoryTotalMiB: peak?.memoryTotalMiB ?? null,
    energyWh,
    cost,
    costPer1000Steps: per1000(cost),
    energyWhPer1000Steps: per1000(energyWh),
    utilization: utilisationChart(perGpu),
  };
}

/** Mean utilisation over the run's GPUs at each sample time, bucketed down to the chart's size. */
function utilisationChart(perGpu: readonly GpuMeasure[]): { timeMs: number; percent: number }[] {
  const byTime = new Map<number, { sum: number; n: number }>();
  for (const g of perGpu) {
    for (let i = g.from; i < g.to; i++) {
      const t = g.series.times[i]!;
      const u = g.series.utilization[i]!;
      if (Number.isNaN(u)) continue;
      const cell = byTime.get(t) ?? { sum: 0, n: 0 };
      cell.sum += u;
      cell.n++;
      byTime.set(t, cell);
    }
  }
  const points = [...byTime].sort((a, b) => a[0] - b[0]).map(([timeMs, c]) => ({ timeMs, percent: c.sum / c.n }));
  if (points.length <= MAX_CHART_POINTS) return points;
  const per = Math.ceil(points.length / MAX_CHART_POINTS);
  const out: { timeMs: number; percent: number }[] = [];
  for (let i = 0; i < points.length; i += per) {
    const bucket = points.slice(i, i + per);
    out.push({ timeMs: bucket[0]!.timeMs, percent: mean(bucket.map((p) => p.percent)) });
  }
  return out;
}

function judge(
  run: RunTimeline,
  pace: StepPace,
  perGpu: readonly GpuMeasure[],
  usage: RunGpuUsage,
  chosen: readonly GpuSeries[],
  t: Required<EfficiencyThresholds>,
  nowMs: number,
  gpusInHistory: number,
): EfficiencyFinding[] {
  const findings: EfficiencyFinding[] = [];
  const enough = (g: GpuMeasure) => g.utilization.length >= t.minSamples;
  // A GPU of the whole machine is only the run's for sure when the process held it, the run was
  // given it, or there is no other.
  const attributable = usage.gpusFrom !== 'all' || gpusInHistory === 1;
  const idle = new Set<string>();
  if (attributable) {
    for (const g of perGpu) {
      if (!enough(g) || !(g.memoryPeakMiB !== null && g.memoryPeakMiB > 0)) continue;
      const m = mean(g.utilization);
      if (m >= t.idleUtilization) continue;
      idle.add(g.gpu);
      findings.push({
        kind: 'gpu-idle',
        severity: 'warning',
        gpu: g.gpu,
        message: `${gpuName(g)} was allocated but idle through the run: mean utilisation ${fmt(m, 1)}% while holding ${mib(g.memoryPeakMiB)}`,
      });
    }
  }
  const working = perGpu.filter((g) => enough(g) && !idle.has(g.gpu));
  const utils = working.flatMap((g) => g.utilization);
  if (utils.length && pace.steps > 0 && pace.stepsPerSecond !== null) {
    const under = utils.filter((u) => u < t.busyUtilization).length / utils.length;
    if (under >= t.inputBoundShare) {
      findings.push({
        kind: 'input-bound',
        severity: 'warning',
        message:
          `input-bound: the GPU was busy (${fmt(t.busyUtilization, 0)}% or more) only ${pct(1 - under)} of the run's time, mean utilisation ${fmt(mean(utils), 0)}%, ` +
          `while steps advanced at ${fmt(pace.stepsPerSecond, 2)}/s: the data loader or the host holds it back`,
      });
    }
  }
  const stall = stallOf(run, pace, chosen, t, nowMs);
  if (stall) findings.push(stall);
  for (const g of working) {
    if (g.memoryPeakMiB === null || g.memoryTotalMiB === null || !(g.memoryTotalMiB > 0)) continue;
    const share = g.memoryPeakMiB / g.memoryTotalMiB;
    if (share >= t.memoryFullShare) {
      findings.push({
        kind: 'memory-near-full',
        severity: 'warning',
        gpu: g.gpu,
        message: `${gpuName(g)} memory nearly full: peak ${mib(g.memoryPeakMiB)} of ${mib(g.memoryTotalMiB)} (${pct(share)}), an out-of-memory risk`,
      });
    }
  }
  const peakShares = working.filter((g) => g.memoryPeakMiB !== null && g.memoryTotalMiB! > 0).map((g) => g.memoryPeakMiB! / g.memoryTotalMiB!);
  if (peakShares.length && Math.max(...peakShares) < t.memoryUnusedShare && usage.memoryPeakMiB !== null) {
    findings.push({
      kind: 'memory-underused',
      severity: 'info',
      message: `GPU memory mostly unused: peak ${mib(usage.memoryPeakMiB)} of ${mib(usage.memoryTotalMiB)} (${pct(Math.max(...peakShares))}), room for a larger batch`,
    });
  }
  return findings;
}

/**
 * Stalled: the last event is older than `stallIntervals` logged intervals (and `stallMinSeconds`)
 * while the process lives: as the caller knows it, or, when unknown, as the run's GPUs still
 * holding memory in samples up to now say it.
 */
function stallOf(run: RunTimeline, pace: StepPace, chosen: readonly GpuSeries[], t: Required<EfficiencyThresholds>, nowMs: number): EfficiencyFinding | null {
  if (pace.loggedInterval === null || !(pace.loggedInterval > 0)) return null;
  const silentMs = nowMs - pace.endMs;
  const limitMs = Math.max(t.stallIntervals * pace.loggedInterval * 1000, t.stallMinSeconds * 1000);
  if (!(silentMs > limitMs)) return null;
  const alive = run.processAlive ?? heldSince(chosen, pace.endMs + limitMs, nowMs);
  if (!alive) return null;
  const times = silentMs / 1000 / pace.loggedInterval;
  return {
    kind: 'stalled',
    severity: 'warning',
    message: `stalled: no new events for ${duration(silentMs / 1000)} after step ${pace.lastStep}, ${fmt(times, 0)} times the usual ${duration(pace.loggedInterval)} between logged steps, while the process lives`,
  };
}

/** Whether every one of the GPUs still held memory in a sample past `sinceMs` and near `nowMs`. */
function heldSince(chosen: readonly GpuSeries[], sinceMs: number, nowMs: number): boolean {
  if (!chosen.length) return false;
  return chosen.every((s) => {
    const last = s.length - 1;
    if (last < 0) return false;
    const t = s.times[last]!;
    return t >= sinceMs && nowMs - t <= DEFAULT_MAX_SAMPLE_GAP_MS && s.memoryUsedMiB[last]! > 0;
  });
}

function gpuName(g: { gpu: string; index: number; host: string }): string {
  return `${g.host ? `${g.host} ` : ''}GPU ${g.index}`;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function mean(xs: readonly number[]): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

const fmt = (v: number, digits: number) => v.toFixed(digits);
const pct = (share: number) => `${Math.round(share * 100)}%`;
const mib = (v: number | null) => (v === null ? '-' : v >= 1024 ? `${(v / 1024).toFixed(1)} GiB` : `${Math.round(v)} MiB`);

function duration(seconds: number): string {
  // Fast runs log every few milliseconds: "0.0 s" would hide the interval a stall is measured in.
  if (seconds < 0.1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 1 : 0)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export type { RunStepTime };
