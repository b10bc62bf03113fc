/**
 * The cluster's GPUs as NVIDIA's dcgm-exporter publishes them and Prometheus stores them: which
 * families are read, how a blank reading looks, and how a query's series become the same per-GPU
 * readings `modelmon gpu` prints for this machine.
 */
import { formatLabelMatchers, type LabelMatcher } from './dcgmLabels';
import type { PromSeries } from './dcgmResponse';
import type { ClusterGpuFacts, GpuJob, GpuReading, GpuSnapshot } from './types';

/** The reading each family fills; units as dcgm-exporter's `default-counters.csv` gives them. */
const FAMILIES = {
  DCGM_FI_DEV_GPU_UTIL: 'utilizationGpu', // %
  DCGM_FI_DEV_MEM_COPY_UTIL: 'utilizationMemory', // %
  DCGM_FI_DEV_FB_USED: 'memoryUsedMiB',
  DCGM_FI_DEV_FB_FREE: 'memoryFreeMiB',
  DCGM_FI_DEV_FB_RESERVED: 'memoryReservedMiB',
  DCGM_FI_DEV_GPU_TEMP: 'temperatureC',
  DCGM_FI_DEV_MEMORY_TEMP: 'memoryTemperatureC',
  DCGM_FI_DEV_POWER_USAGE: 'powerW',
  DCGM_FI_DEV_SM_CLOCK: 'smClockMHz',
  DCGM_FI_DEV_MEM_CLOCK: 'memoryClockMHz',
  DCGM_FI_DEV_XID_ERRORS: 'xid',
  DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS: 'uncorrectableRemappedRows',
  DCGM_FI_DEV_ROW_REMAP_FAILURE: 'rowRemapFailure',
  DCGM_FI_PROF_GR_ENGINE_ACTIVE: 'graphicsEngineActive', // ratio 0-1
  DCGM_FI_PROF_SM_ACTIVE: 'smActive',
  DCGM_FI_PROF_PIPE_TENSOR_ACTIVE: 'tensorActive',
  DCGM_FI_PROF_DRAM_ACTIVE: 'dramActive',
} as const;

export type DcgmFamily = keyof typeof FAMILIES;
type Field = (typeof FAMILIES)[DcgmFamily];

/** Every family modelmon reads, in a fixed order. */
export const DCGM_FAMILIES = Object.keys(FAMILIES) as readonly DcgmFamily[];

// DCGM's blank values (dcgm_structs.h): a base and the next 15 above it (not found, not supported,
// no permission, ...). The exporter prints them as numbers, e.g. 9223372036854775794 for a memory
// temperature the board cannot read; they are "no reading", never a value.
const INT32_BLANK = 0x7ffffff0;
const FP64_BLANK = 2 ** 47;

/** True for DCGM's "no reading" sentinels and for anything not finite. */
export function isDcgmBlank(v: number): boolean {
  if (!Number.isFinite(v)) return true;
  if (v >= INT32_BLANK && v <= INT32_BLANK + 15) return true;
  // INT64 blanks (0x7ffffffffffffff0 and up) lie far above 2^47; no reading in these families gets near it.
  return v >= FP64_BLANK;
}

/** The PromQL selector for every family, narrowed by the user's matchers. */
export function dcgmSelector(matchers: readonly LabelMatcher[] = []): string {
  const names = `__name__=~"${DCGM_FAMILIES.join('|')}"`;
  return `{${[names, formatLabelMatchers(matchers)].filter(Boolean).join(',')}}`;
}

/** The node a series' GPU sits on: the exporter's `Hostname`, else the scrape target without its port. */
function hostOf(labels: Readonly<Record<string, string>>): string {
  if (labels.Hostname) return labels.Hostname;
  const instance = labels.instance ?? '';
  return instance.replace(/:\d+$/, '') || 'unknown host';
}

/** A Kubernetes pod (namespace/pod) or a batch job id, as dcgm-exporter labels the GPUs they hold. */
function jobOf(labels: Readonly<Record<string, string>>): GpuJob | null {
  if (labels.pod) return { name: labels.namespace ? `${labels.namespace}/${labels.pod}` : labels.pod, container: labels.container || null };
  const hpc = labels.hpc_job;
  return hpc ? { name: hpc, container: null } : null;
}

/** Labels that vary per family or per scrape rather than per GPU; the first series' set of the rest is kept. */
const VOLATILE_LABELS = new Set(['err_code', 'err_msg']);

interface Accumulator {
  readonly key: string;
  readonly index: number;
  readonly host: string;
  labels: Record<string, string>;
  job: GpuJob | null;
  values: Partial<Record<Field, number | null>>;
}

function gpuKey(labels: Readonly<Record<string, string>>): string {
  return `${hostOf(labels)}\u0000${labels.UUID ?? labels.gpu ?? ''}`;
}

function newAccumulator(key: string, labels: Readonly<Record<string, string>>): Accumulator {
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!VOLATILE_LABELS.has(k)) own[k] = v;
  const index = Number(labels.gpu);
  return { key, index: Number.isInteger(index) && index >= 0 ? index : -1, host: hostOf(labels), labels: own, job: jobOf(labels), values: {} };
}

/** A job label seen on any family of the GPU counts: the exporter may add pod labels to some families only. */
function absorb(acc: Accumulator, labels: Readonly<Record<string, string>>): void {
  if (!acc.job) {
    const job = jobOf(labels);
    if (job) {
      acc.job = job;
      acc.labels = { ...acc.labels, pod: labels.pod ?? '', namespace: labels.namespace ?? '', container: labels.container ?? '' };
      if (labels.hpc_job) acc.labels.hpc_job = labels.hpc_job;
    }
  }
}

function reading(acc: Accumulator): GpuReading {
  const v = acc.values;
  const get = (f: Field) => v[f] ?? null;
  const used = get('memoryUsedMiB');
  const free = get('memoryFreeMiB');
  const reserved = get('memoryReservedMiB');
  // DCGM splits the framebuffer three ways; nvidia-smi's total is all of it.
  const total = used !== null && free !== null ? used + free + (reserved ?? 0) : null;
  const l = acc.labels;
  const cluster: ClusterGpuFacts = {
    source: 'dcgm',
    host: acc.host,
    job: acc.job,
    xid: get('xid'),
    uncorrectableRemappedRows: get('uncorrectableRemappedRows'),
    rowRemapFailure: get('rowRemapFailure'),
    memoryReservedMiB: reserved,
    graphicsEngineActive: get('graphicsEngineActive'),
    smActive: get('smActive'),
    tensorActive: get('tensorActive'),
    dramActive: get('dramActive'),
    labels: l,
  };
  return {
    index: acc.index,
    vendor: 'nvidia',
    name: l.modelName || null,
    uuid: l.UUID || null,
    busId: l.pci_bus_id || null,
    driverVersion: l.DCGM_FI_DRIVER_VERSION || null,
    pstate: null,
    temperatureC: get('temperatureC'),
    memoryTemperatureC: get('memoryTemperatureC'),
    utilizationGpu: get('utilizationGpu'),
    utilizationMemory: get('utilizationMemory'),
    memoryTotalMiB: total,
    memoryUsedMiB: used,
    memoryFreeMiB: free,
    powerW: get('powerW'),
    powerLimitW: null,
    smClockMHz: get('smClockMHz'),
    memoryClockMHz: get('memoryClockMHz'),
    graphicsClockMHz: null,
    fanPercent: null,
    throttleMask: null,
    throttleReasons: null,
    computeMode: null,
    migEnabled: null,
    eccUncorrectedVolatile: null,
    encoderSessions: null,
    smiTimestamp: null,
    cluster,
  };
}

/** Cluster GPUs in a stable order: by host, then index. */
function byHostThenIndex(a: GpuReading, b: GpuReading): number {
  const ha = a.cluster?.host ?? '';
  const hb = b.cluster?.host ?? '';
  return ha < hb ? -1 : ha > hb ? 1 : a.index - b.index || (a.uuid ?? '').localeCompare(b.uuid ?? '');
}

const fieldOf = (metric: string): Field | undefined => (FAMILIES as Record<string, Field>)[metric];

/**
 * One cluster sample from an instant query's series: one reading per GPU (per host and UUID),
 * blanks as null, families the query did not return as null. `timeMs` is the query's evaluation
 * time when given, else the newest sample's.
 *
 * @example
 * const { series } = parsePromResponse(body, 'vector');
 * dcgmSnapshot(series).gpus.map((g) => [g.cluster?.host, g.index, g.temperatureC]);
 */
export function dcgmSnapshot(series: readonly PromSeries[], timeMs?: number): GpuSnapshot {
  const gpus = new Map<string, Accumulator>();
  let newest = 0;
  for (const s of series) {
    const field = fieldOf(s.metric);
    if (!field) continue;
    const key = gpuKey(s.labels);
    let acc = gpus.get(key);
    if (!acc) gpus.set(key, (acc = newAccumulator(key, s.labels)));
    else absorb(acc, s.labels);
    const n = s.values.length;
    if (!n) continue;
    const value = s.values[n - 1]!;
    newest = Math.max(newest, s.timesMs[n - 1]!);
    acc.values[field] = isDcgmBlank(value) ? null : value;
  }
  return { timeMs: timeMs ?? newest, gpus: [...gpus.values()].map(reading).sort(byHostThenIndex) };
}

/**
 * The cluster over time from a range query's series: one snapshot per evaluation step, oldest
 * first, each holding the GPUs that had any reading at that step.
 */
export function dcgmHistory(series: readonly PromSeries[]): GpuSnapshot[] {
  const gpus = new Map<string, Accumulator>();
  const seriesGpu: Array<[PromSeries, Accumulator, Field]> = [];
  const times = new Set<number>();
  for (const s of series) {
    const field = fieldOf(s.metric);
    if (!field) continue;
    const key = gpuKey(s.labels);
    let acc = gpus.get(key);
    if (!acc) gpus.set(key, (acc = newAccumulator(key, s.labels)));
    else absorb(acc, s.labels);
    seriesGpu.push([s, acc, field]);
    for (const t of s.timesMs) times.add(t);
  }
  const steps = [...times].sort((a, b) => a - b);
  const stepOf = new Map(steps.map((t, i) => [t, i]));
  // values[step][gpu] gathered per series, then read out per step: one pass over every point.
  const order = [...gpus.values()];
  const slot = new Map(order.map((a, i) => [a, i]));
  const cells: Array<Array<Partial<Record<Field, number | null>> | undefined>> = steps.map(() => new Array(order.length));
  for (const [s, acc, field] of seriesGpu) {
    const g = slot.get(acc)!;
    for (let k = 0; k < s.timesMs.length; k++) {
      const row = cells[stepOf.get(s.timesMs[k]!)!]!;
      const v = s.values[k]!;
      (row[g] ??= {})[field] = isDcgmBlank(v) ? null : v;
    }
  }
  return steps.map((timeMs, i) => {
    const row = cells[i]!;
    const readings: GpuReading[] = [];
    row.forEach((values, g) => {
      if (values) readings.push(reading({ ...order[g]!, values }));
    });
    return { timeMs, gpus: readings.sort(byHostThenIndex) };
  });
}

/** The GPUs of one host, or of one job, for grouping: `node-a`, `node-a · team/train-0`. */
export function clusterGroupLabel(g: GpuReading): string {
  const c = g.cluster;
  if (!c) return '';
  return c.job ? `${c.host} · ${c.job.name}` : c.host;
}
