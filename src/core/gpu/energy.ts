import type { ComputeApp, GpuSnapshot } from './types';

/** Energy used by one GPU or one process, with its cost at the configured price. */
export interface EnergyFigure {
  readonly wattHours: number;
  readonly cost: number;
}

/** What the meter has integrated so far. */
export interface EnergyReport extends EnergyFigure {
  /** Time covered by integrated intervals (gaps longer than `maxGapMs` are not counted). */
  readonly coveredMs: number;
  readonly pricePerKWh: number;
  readonly gpus: ReadonlyArray<EnergyFigure & { readonly index: number; readonly uuid: string | null }>;
  readonly processes: ReadonlyArray<EnergyFigure & { readonly pid: number; readonly processName: string; readonly gpuUuid: string }>;
}

/** How an `EnergyMeter` prices and bridges samples. */
export interface EnergyMeterOptions {
  /** Price of one kWh in the user's currency. */
  readonly pricePerKWh: number;
  /** An interval longer than this (sampler stalled, machine asleep) is skipped, not guessed. */
  readonly maxGapMs?: number;
}

const MS_PER_HOUR = 3_600_000;

/**
 * Integrates `power.draw` over time (trapezoids between consecutive samples) into watt-hours per
 * GPU, and per process. A GPU's energy in an interval is split among the processes on it at the
 * interval's end in proportion to their GPU memory (equally when that is unknown): NVIDIA reports
 * no per-process power, so this is an attribution, not a measurement.
 *
 * @example
 * const meter = new EnergyMeter({ pricePerKWh: 0.15 });
 * meter.add(snapshot, computeApps);
 * meter.report().wattHours;
 */
export class EnergyMeter {
  readonly pricePerKWh: number;
  readonly maxGapMs: number;
  private readonly last = new Map<string, { timeMs: number; powerW: number }>();
  private readonly gpus = new Map<string, { index: number; uuid: string | null; wh: number }>();
  private readonly processes = new Map<string, { pid: number; processName: string; gpuUuid: string; wh: number }>();
  private coveredMs = 0;
  private lastTimeMs: number | null = null;

  constructor(options: EnergyMeterOptions) {
    if (!(options.pricePerKWh >= 0) || !Number.isFinite(options.pricePerKWh)) {
      throw new RangeError(`EnergyMeter: pricePerKWh must be a number >= 0, got ${options.pricePerKWh}`);
    }
    const gap = options.maxGapMs ?? 10_000;
    if (!(gap > 0)) throw new RangeError(`EnergyMeter: maxGapMs must be > 0, got ${gap}`);
    this.pricePerKWh = options.pricePerKWh;
    this.maxGapMs = gap;
  }

  /** Adds one snapshot, with the compute processes known at that time. */
  add(snapshot: GpuSnapshot, apps: readonly ComputeApp[] = []): void {
    const t = snapshot.timeMs;
    if (this.lastTimeMs !== null && t > this.lastTimeMs && t - this.lastTimeMs <= this.maxGapMs) {
      this.coveredMs += t - this.lastTimeMs;
    }
    if (this.lastTimeMs === null || t > this.lastTimeMs) this.lastTimeMs = t;
    for (const gpu of snapshot.gpus) {
      const key = gpu.uuid ?? `#${gpu.index}`;
      if (gpu.powerW === null) {
        this.last.delete(key);
        continue;
      }
      const prev = this.last.get(key);
      this.last.set(key, { timeMs: t, powerW: gpu.powerW });
      if (!prev || t <= prev.timeMs || t - prev.timeMs > this.maxGapMs) continue;
      const wh = ((prev.powerW + gpu.powerW) / 2) * ((t - prev.timeMs) / MS_PER_HOUR);
      const g = this.gpus.get(key) ?? { index: gpu.index, uuid: gpu.uuid, wh: 0 };
      g.wh += wh;
      this.gpus.set(key, g);
      this.attribute(wh, apps.filter((a) => a.gpuUuid === gpu.uuid));
    }
  }

  /** Totals so far, GPUs by index and processes by energy (largest first). */
  report(): EnergyReport {
    const cost = (wh: number) => (wh / 1000) * this.pricePerKWh;
    const gpus = [...this.gpus.values()].sort((a, b) => a.index - b.index).map((g) => ({ index: g.index, uuid: g.uuid, wattHours: g.wh, cost: cost(g.wh) }));
    const processes = [...this.processes.values()]
      .sort((a, b) => b.wh - a.wh)
      .map((p) => ({ pid: p.pid, processName: p.processName, gpuUuid: p.gpuUuid, wattHours: p.wh, cost: cost(p.wh) }));
    const wattHours = gpus.reduce((s, g) => s + g.wattHours, 0);
    return { wattHours, cost: cost(wattHours), coveredMs: this.coveredMs, pricePerKWh: this.pricePerKWh, gpus, processes };
  }

  /** Starts a new session. */
  reset(): void {
    this.last.clear();
    this.gpus.clear();
    this.processes.clear();
    this.coveredMs = 0;
    this.lastTimeMs = null;
  }

  private attribute(wh: number, apps: readonly ComputeApp[]): void {
    if (!apps.length) return;
    const known = apps.every((a) => a.usedMemoryMiB !== null && a.usedMemoryMiB > 0);
    const total = known ? apps.reduce((s, a) => s + a.usedMemoryMiB!, 0) : apps.length;
    for (const a of apps) {
      const key = `${a.pid}@${a.gpuUuid}`;
      const p = this.processes.get(key) ?? { pid: a.pid, processName: a.processName, gpuUuid: a.gpuUuid, wh: 0 };
      p.wh += (wh * (known ? a.usedMemoryMiB! : 1)) / total;
      this.processes.set(key, p);
    }
  }
}
