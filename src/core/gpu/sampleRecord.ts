import { gpuLabel } from './backend';
import type { GpuReading, GpuSnapshot, GpuVendor, HostMetrics } from './types';

/** One GPU in the CLI's JSON output; absent values are null. */
export interface GpuRecord {
  index: number;
  vendor: GpuVendor;
  name: string | null;
  uuid: string | null;
  utilizationGpu: number | null;
  utilizationMemory: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  temperatureC: number | null;
  powerW: number | null;
  powerLimitW: number | null;
  smClockMHz: number | null;
  pstate: string | null;
  throttleReasons: string[] | null;
  fanPercent: number | null;
  memoryTemperatureC: number | null;
  eccUncorrectedVolatile: number | null;
  migEnabled: boolean | null;
  /** Cluster GPUs only (read through Prometheus): the node that holds it. */
  host?: string;
  /** Cluster GPUs only: where the reading came from. */
  source?: 'dcgm';
  /** Cluster GPUs only: the pod or job holding it, null when none. */
  job?: string | null;
  xid?: number | null;
  rowRemapFailure?: number | null;
}

/** One sample as `modelmon gpu --json` prints it: one object per line. */
export interface SampleRecord {
  ts: string;
  gpus: GpuRecord[];
  host: HostMetrics | null;
}

function gpuRecord(g: GpuReading): GpuRecord {
  return {
    index: g.index,
    vendor: g.vendor,
    name: g.name,
    uuid: g.uuid,
    utilizationGpu: g.utilizationGpu,
    utilizationMemory: g.utilizationMemory,
    memoryUsedMiB: g.memoryUsedMiB,
    memoryTotalMiB: g.memoryTotalMiB,
    temperatureC: g.temperatureC,
    powerW: g.powerW,
    powerLimitW: g.powerLimitW,
    smClockMHz: g.smClockMHz,
    pstate: g.pstate,
    throttleReasons: g.throttleReasons ? [...g.throttleReasons] : null,
    fanPercent: g.fanPercent,
    memoryTemperatureC: g.memoryTemperatureC,
    eccUncorrectedVolatile: g.eccUncorrectedVolatile,
    migEnabled: g.migEnabled,
    ...(g.cluster ? { host: g.cluster.host, source: g.cluster.source, job: g.cluster.job?.name ?? null, xid: g.cluster.xid, rowRemapFailure: g.cluster.rowRemapFailure } : {}),
  };
}

/** The JSON record of a snapshot and the host figures taken with it. */
export function toSampleRecord(snapshot: GpuSnapshot, host: HostMetrics | null): SampleRecord {
  return { ts: new Date(snapshot.timeMs).toISOString(), gpus: snapshot.gpus.map(gpuRecord), host: host && roundHost(host) };
}

const round = (v: number | null, digits: number) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

/** Host figures at a useful precision: 0.1% CPU, whole MiB and bytes per second. */
function roundHost(h: HostMetrics): HostMetrics {
  return {
    cpuPercent: round(h.cpuPercent, 1),
    memoryUsedMiB: round(h.memoryUsedMiB, 0),
    memoryTotalMiB: round(h.memoryTotalMiB, 0),
    diskReadBytesPerSec: round(h.diskReadBytesPerSec, 0),
    diskWriteBytesPerSec: round(h.diskWriteBytesPerSec, 0),
    netRxBytesPerSec: round(h.netRxBytesPerSec, 0),
    netTxBytesPerSec: round(h.netTxBytesPerSec, 0),
  };
}

const n = (v: number | null, digits = 0, unit = '') => (v === null ? '-' : `${v.toFixed(digits)}${unit}`);

/**
 * One readable line per GPU, e.g.
 * `04:03:51 GPU0 NVIDIA H100 80GB HBM3  util 0%  mem 1347/81559 MiB  51°C  134/700 W  SM 1980 MHz  P0`
 * followed by the host line.
 */
export function formatSampleLines(snapshot: GpuSnapshot, host: HostMetrics | null): string[] {
  const time = new Date(snapshot.timeMs).toISOString().slice(11, 19);
  const lines = snapshot.gpus.map((g) => {
    const reasons = g.throttleReasons?.length ? `  [${g.throttleReasons.join(',')}]` : '';
    const util = g.migEnabled && g.utilizationGpu === null ? 'MIG' : n(g.utilizationGpu, 0, '%');
    return (
      `${time} ${g.cluster ? `${g.cluster.host} ` : ''}GPU${g.index} ${gpuLabel(g)}  util ${util}  mem ${n(g.memoryUsedMiB)}/${n(g.memoryTotalMiB)} MiB` +
      `  ${n(g.temperatureC, 0, '°C')}  ${n(g.powerW, 0)}/${n(g.powerLimitW, 0)} W  SM ${n(g.smClockMHz)} MHz  ${g.pstate ?? '-'}${reasons}`
    );
  });
  if (host) {
    const gib = (m: number | null) => (m === null ? '-' : (m / 1024).toFixed(1));
    const mbs = (b: number | null) => (b === null ? '-' : (b / 1e6).toFixed(1));
    lines.push(
      `${time} host  cpu ${n(host.cpuPercent, 0, '%')}  mem ${gib(host.memoryUsedMiB)}/${gib(host.memoryTotalMiB)} GiB` +
        `  disk r/w ${mbs(host.diskReadBytesPerSec)}/${mbs(host.diskWriteBytesPerSec)} MB/s  net rx/tx ${mbs(host.netRxBytesPerSec)}/${mbs(host.netTxBytesPerSec)} MB/s`,
    );
  }
  return lines;
}
