/**
 * Training efficiency: what a run cost and why its GPUs waited. The shapes shared by the engine
 * (core/efficiency), its readers (io/efficiency), the CLI and the editor. Times are milliseconds
 * since the epoch unless a name says otherwise; TensorBoard wall times are seconds, as the event
 * files hold them.
 */
import type { Severity } from '../config';

/** One GPU at one instant, reduced to what efficiency needs. Absent readings are null. */
export interface GpuSample {
  readonly timeMs: number;
  /** The GPU's identity: its UUID where the source gives one, else `#<index>` (see {@link gpuKey}). */
  readonly gpu: string;
  readonly index: number;
  /** The machine that holds it; '' for this machine. */
  readonly host: string;
  /** Percent, 0-100. */
  readonly utilizationGpu: number | null;
  readonly memoryUsedMiB: number | null;
  readonly memoryTotalMiB: number | null;
  readonly powerW: number | null;
}

/** The identity a sample's GPU is joined by: its UUID, else its index as `#0`. */
export function gpuKey(uuid: string | null, index: number): string {
  return uuid ?? `#${index}`;
}

/** One logged step of a run: the step number and TensorBoard's wall time (seconds). */
export interface RunStepTime {
  readonly step: number;
  readonly wallTime: number;
}

/** A run as the efficiency engine sees it: when each step was logged, and what is known of its GPUs. */
export interface RunTimeline {
  readonly name: string;
  /** Logged steps; any order, one per step is enough (see `runTimeline` to build it from a run). */
  readonly steps: readonly RunStepTime[];
  /** Samples per step, when the hparams name a batch size. */
  readonly batchSize?: number;
  /**
   * GPUs the run's process held (UUIDs or `#index`, from compute apps), else the GPUs configured
   * for it; absent: every GPU of the history.
   */
  readonly gpus?: readonly string[];
  /** How `gpus` was decided, shown beside the figures. */
  readonly gpusFrom?: GpuAttribution;
  /**
   * Whether the training process is alive now; a stall is only a stall while it lives. Absent when
   * unknown: then the GPUs still holding memory after the last event stand for a live process.
   */
  readonly processAlive?: boolean;
}

/** How a run's GPUs were found. */
export type GpuAttribution = 'process' | 'configured' | 'all';

/** Thresholds of the findings; each has a default (see DEFAULT_EFFICIENCY_THRESHOLDS). */
export interface EfficiencyThresholds {
  /** Input-bound when the GPUs were under `busyUtilization`% for at least this share of the run's time (0-1). Default 0.5. */
  readonly inputBoundShare?: number;
  /** Utilisation (%) at and above which a GPU counts as busy. Default 50. */
  readonly busyUtilization?: number;
  /** A GPU whose mean utilisation over the run is under this (%) while it holds memory is idle. Default 5. */
  readonly idleUtilization?: number;
  /** Stalled when the last event is older than this many median step intervals. Default 10. */
  readonly stallIntervals?: number;
  /** ...and older than this many seconds. Default 60. */
  readonly stallMinSeconds?: number;
  /** Memory nearly full at this share of the GPU's memory (0-1). Default 0.95. */
  readonly memoryFullShare?: number;
  /** Memory mostly unused under this share of the GPU's memory at its peak (0-1). Default 0.25. */
  readonly memoryUnusedShare?: number;
  /** A run needs this many GPU samples before utilisation or memory findings are made. Default 8. */
  readonly minSamples?: number;
}

/** How `computeRunEfficiency` prices, bounds and judges. */
export interface EfficiencyOptions {
  /** Price of one kWh; without it costs are null. */
  readonly pricePerKWh?: number;
  /** Overrides the hparams' batch size. */
  readonly batchSize?: number;
  /** Now, for the stall rule (default: the newest time the history or the run knows). */
  readonly nowMs?: number;
  /** A pause between logged steps longer than this many median step intervals is a gap, not activity. Default 10. */
  readonly gapIntervals?: number;
  /** Power samples further apart than this are not integrated across (sampler stopped). Default 10,000 ms. */
  readonly maxSampleGapMs?: number;
  readonly thresholds?: EfficiencyThresholds;
}

/** The kinds of efficiency finding; each has its label in core/alerts/labels. */
export type EfficiencyKind = 'input-bound' | 'stalled' | 'memory-near-full' | 'memory-underused' | 'gpu-idle';

/** A verdict about one run's efficiency, made once here and shown the same everywhere. */
export interface EfficiencyFinding {
  readonly kind: EfficiencyKind;
  readonly severity: Severity;
  readonly message: string;
  /** The GPU the finding is about, for per-GPU kinds (`gpu-idle`, memory). */
  readonly gpu?: string;
}

/** The GPUs' side of a run. Figures are null when no sample fell within the run. */
export interface RunGpuUsage {
  /** The GPUs joined (keys as in {@link GpuSample.gpu}). */
  readonly gpus: readonly string[];
  readonly gpusFrom: GpuAttribution;
  /** Samples within the run, over all its GPUs. */
  readonly samples: number;
  /** Mean of the GPUs' utilisation samples, percent. */
  readonly utilizationMean: number | null;
  readonly utilizationMedian: number | null;
  /** Share of samples (0-1) under the busy threshold (50% by default). */
  readonly shareUnder50: number | null;
  /** Highest memory used on any one of the run's GPUs, MiB. */
  readonly memoryPeakMiB: number | null;
  /** That GPU's memory, MiB. */
  readonly memoryTotalMiB: number | null;
  /** Power integrated over the run (trapezoids, clipped to the run's span), summed over its GPUs. */
  readonly energyWh: number | null;
  /** At the configured price; null without one. */
  readonly cost: number | null;
  readonly costPer1000Steps: number | null;
  readonly energyWhPer1000Steps: number | null;
  /** Utilisation over the run for charts: one point per sample time, mean over the run's GPUs. */
  readonly utilization: readonly { readonly timeMs: number; readonly percent: number }[];
}

/** How a run went and what it cost. */
export interface RunEfficiency {
  readonly run: string;
  /** ISO times of the first and last logged step. */
  readonly start: string;
  readonly end: string;
  readonly startMs: number;
  readonly endMs: number;
  /** end - start, seconds. */
  readonly wallSeconds: number;
  /** The span without gaps between steps (pauses over `gapIntervals` median intervals), seconds. */
  readonly activeSeconds: number;
  /** Steps advanced: last step - first step, restarts not counted twice. */
  readonly steps: number;
  /** Steps advanced per active second; null with fewer than two logged steps. */
  readonly stepsPerSecond: number | null;
  /** `stepsPerSecond` times the batch size, when it is known. */
  readonly samplesPerSecond: number | null;
  readonly batchSize: number | null;
  /** Median time between logged steps divided by the steps between them, seconds per step. */
  readonly secondsPerStep: number | null;
  readonly gpu: RunGpuUsage;
  readonly findings: readonly EfficiencyFinding[];
}
