// The check's engines as `modelmon watch` runs them: the same observations, plus what a one-shot
// check throws away and a long-running exporter needs (the raw GPU sample for its uuid and energy,
// each probe's time for the histogram).
import type { ProbeResult } from '../../core/endpoints/types';
import { observeGpu } from '../../core/check/gpu';
import { EnergyMeter } from '../../core/gpu/energy';
import { GpuAlertRules } from '../../core/gpu/alerts';
import type { GpuSnapshot } from '../../core/gpu/types';
import type { CheckEngines } from '../check';
import { endpointEngine } from '../check/endpoints';
import { resolveGpuTool, sampleOnce } from '../gpu/gpuSource';

export interface WatchEngineSink {
  /** The latest GPU sample, and each GPU's energy since the watcher started, in joules. */
  gpu?: { snapshot: GpuSnapshot; energyJoules: Map<string, number> };
  onProbes(endpoint: string, results: readonly ProbeResult[]): void;
}

/** Engines that report into `sink`; the energy meter tolerates three missed samples before a gap. */
export function watchEngines(sink: WatchEngineSink, gpuIntervalMs: number): Partial<CheckEngines> {
  const meter = new EnergyMeter({ pricePerKWh: 0, maxGapMs: Math.max(10_000, gpuIntervalMs * 3) });
  return {
    async gpu(monitor, context) {
      // As `modelmon check` samples: PATH only, since a config never names an executable.
      const { resolved, tried } = resolveGpuTool('auto', {}, context.env);
      // A GPU that cannot be read now publishes no stale reading.
      delete sink.gpu;
      if (!resolved) return observeGpu({ kind: 'no-gpu', message: `no GPU tool found: ${tried}` });
      const probe = await sampleOnce(resolved, { env: context.env, timeoutMs: 10_000, ...(context.signal ? { signal: context.signal } : {}) });
      if (probe.kind !== 'ok') return observeGpu({ ...probe, tool: resolved.tool });
      meter.add(probe.snapshot);
      const energyJoules = new Map<string, number>();
      for (const g of meter.report().gpus) energyJoules.set(g.uuid ?? `#${g.index}`, g.wattHours * 3600);
      sink.gpu = { snapshot: probe.snapshot, energyJoules };
      const rules = new GpuAlertRules({
        ...(monitor.maxTemperatureC !== undefined ? { temperatureC: monitor.maxTemperatureC } : {}),
        ...(monitor.maxMemoryPercent !== undefined ? { memoryPercent: monitor.maxMemoryPercent } : {}),
      });
      const alerts = rules.update(probe.snapshot).filter((e) => e.type === 'raised').map((e) => e.alert);
      return observeGpu({ kind: 'ok', snapshot: probe.snapshot, alerts });
    },
    endpoint: (monitor, golden, context) => endpointEngine(monitor, golden, context, (results) => sink.onProbes(monitor.name, results)),
  };
}
