import type { GpuReadingView, GpuSampleView } from '../../protocol/views';
import { PERFORMANCE_THROTTLE_REASONS } from './throttle';
import type { GpuReading, GpuSnapshot } from './types';

/** A sample as the GPU dashboard and the HTML report show it. */
export function gpuSampleView(snapshot: GpuSnapshot): GpuSampleView {
  return { timeMs: snapshot.timeMs, gpus: snapshot.gpus.map(gpuReadingView) };
}

/** One GPU's reading as the dashboards show it: only the throttle reasons that cost performance, spelled with spaces. */
export function gpuReadingView(g: GpuReading): GpuReadingView {
  return {
    index: g.index,
    vendor: g.vendor,
    name: g.name,
    utilizationGpu: g.utilizationGpu,
    utilizationMemory: g.utilizationMemory,
    memoryUsedMiB: g.memoryUsedMiB,
    memoryTotalMiB: g.memoryTotalMiB,
    temperatureC: g.temperatureC,
    powerW: g.powerW,
    powerLimitW: g.powerLimitW,
    // Idle clocks are not a problem; a "gpu idle" badge on every quiet GPU would only be noise.
    throttleReasons: g.throttleReasons ? g.throttleReasons.filter((r) => PERFORMANCE_THROTTLE_REASONS.has(r)).map((r) => r.replace(/_/g, ' ')) : null,
    ...(g.cluster
      ? { cluster: { host: g.cluster.host, job: g.cluster.job?.name ?? null, container: g.cluster.job?.container ?? null, xid: g.cluster.xid, rowRemapFailure: g.cluster.rowRemapFailure, tensorActive: g.cluster.tensorActive } }
      : {}),
  };
}
