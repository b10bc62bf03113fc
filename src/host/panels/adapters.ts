/** Conversions from the engines' types to the dashboards' view types, for whoever builds the sources. */
import { PERFORMANCE_THROTTLE_REASONS } from '../../core/gpu/throttle';
import type { GpuReading, GpuSnapshot } from '../../core/gpu/types';
import type { GpuReadingView, GpuSampleView, SeriesView } from '../../protocol/views';

export function gpuSampleView(snapshot: GpuSnapshot): GpuSampleView {
  return { timeMs: snapshot.timeMs, gpus: snapshot.gpus.map(gpuReadingView) };
}

export function gpuReadingView(g: GpuReading): GpuReadingView {
  return {
    index: g.index,
    name: g.name,
    utilizationGpu: g.utilizationGpu,
    utilizationMemory: g.utilizationMemory,
    memoryUsedMiB: g.memoryUsedMiB,
    memoryTotalMiB: g.memoryTotalMiB,
    temperatureC: g.temperatureC,
    powerW: g.powerW,
    powerLimitW: g.powerLimitW,
    // Idle clocks are not a problem; only reasons that cost performance reach the dashboard.
    throttleReasons: g.throttleReasons ? g.throttleReasons.filter((r) => PERFORMANCE_THROTTLE_REASONS.has(r)).map((r) => r.replace(/_/g, ' ')) : null,
  };
}

/** NaN and ±Infinity become null, the protocol's gap. */
export function finiteSeries(s: { readonly steps: readonly number[]; readonly values: readonly (number | null)[]; readonly wallTimes: readonly number[] }): SeriesView {
  let clean = true;
  for (const v of s.values) if (v !== null && !Number.isFinite(v)) clean = false;
  return clean ? s : { steps: s.steps, wallTimes: s.wallTimes, values: s.values.map((v) => (v !== null && Number.isFinite(v) ? v : null)) };
}
