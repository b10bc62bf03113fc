import type { ThrottleReason } from './throttle';

/** Who made the GPU: decides the tool that samples it and how the views label it. */
export type GpuVendor = 'nvidia' | 'amd';

/**
 * One GPU at one instant, as nvidia-smi, amd-smi or rocm-smi reported it. Every measurement is `null` where the board
 * or driver gave no value (`[N/A]`, `[Not Supported]`, a field the driver rejected, ...).
 * Units are in the names: MiB, W, MHz, degrees C, percent.
 */
export interface GpuReading {
  readonly index: number;
  readonly vendor: GpuVendor;
  readonly name: string | null;
  readonly uuid: string | null;
  readonly busId: string | null;
  readonly driverVersion: string | null;
  readonly pstate: string | null;
  readonly temperatureC: number | null;
  readonly memoryTemperatureC: number | null;
  readonly utilizationGpu: number | null;
  readonly utilizationMemory: number | null;
  readonly memoryTotalMiB: number | null;
  readonly memoryUsedMiB: number | null;
  readonly memoryFreeMiB: number | null;
  readonly powerW: number | null;
  readonly powerLimitW: number | null;
  readonly smClockMHz: number | null;
  readonly memoryClockMHz: number | null;
  readonly graphicsClockMHz: number | null;
  readonly fanPercent: number | null;
  /** The raw `clocks_event_reasons.active` bitmask; null where absent. */
  readonly throttleMask: number | null;
  /** Decoded from `throttleMask`; empty when no reason is active, null where the mask is absent. */
  readonly throttleReasons: readonly ThrottleReason[] | null;
  readonly computeMode: string | null;
  /** True when MIG mode is enabled: utilisation is then reported per instance, not here. */
  readonly migEnabled: boolean | null;
  readonly eccUncorrectedVolatile: number | null;
  readonly encoderSessions: number | null;
  /** nvidia-smi's own timestamp text (local time, no zone), kept for display only. */
  readonly smiTimestamp: string | null;
  /** Set when the GPU is another machine's, read from its DCGM exporter through Prometheus. */
  readonly cluster?: ClusterGpuFacts;
}

/** What a cluster GPU's DCGM exporter says beyond the fields every tool shares. */
export interface ClusterGpuFacts {
  readonly source: 'dcgm';
  /** The node that holds the GPU (the exporter's `Hostname` label, else the scrape `instance`). */
  readonly host: string;
  /** The Kubernetes pod or batch job holding the GPU; null when the exporter names none. */
  readonly job: GpuJob | null;
  /** The last XID error the driver reported (`DCGM_FI_DEV_XID_ERRORS`); 0 when none. */
  readonly xid: number | null;
  readonly uncorrectableRemappedRows: number | null;
  /** 1 when the GPU could not remap a failing memory row (`DCGM_FI_DEV_ROW_REMAP_FAILURE`). */
  readonly rowRemapFailure: number | null;
  readonly memoryReservedMiB: number | null;
  /** DCGM's profiling ratios, 0-1; null where the exporter does not collect them. */
  readonly graphicsEngineActive: number | null;
  readonly smActive: number | null;
  readonly tensorActive: number | null;
  readonly dramActive: number | null;
  /** The series' labels as Prometheus holds them (no `__name__`), for label matchers. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Who holds a cluster GPU. */
export interface GpuJob {
  /** `namespace/pod` under Kubernetes, else the batch job's id. */
  readonly name: string;
  readonly container: string | null;
}

/** Every GPU at one sampling instant. */
export interface GpuSnapshot {
  /** Milliseconds since the epoch at which the sample was received. */
  readonly timeMs: number;
  readonly gpus: readonly GpuReading[];
}

/** A process holding a compute context on a GPU (`--query-compute-apps`). */
export interface ComputeApp {
  readonly pid: number;
  readonly processName: string;
  readonly usedMemoryMiB: number | null;
  readonly gpuUuid: string;
}

/** Host-wide figures next to the GPU ones; null where the platform cannot say (or on the first sample of a rate). */
export interface HostMetrics {
  readonly cpuPercent: number | null;
  readonly memoryUsedMiB: number | null;
  readonly memoryTotalMiB: number | null;
  readonly diskReadBytesPerSec: number | null;
  readonly diskWriteBytesPerSec: number | null;
  readonly netRxBytesPerSec: number | null;
  readonly netTxBytesPerSec: number | null;
}
