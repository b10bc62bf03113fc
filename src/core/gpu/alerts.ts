import { PERFORMANCE_THROTTLE_REASONS, type ThrottleReason } from './throttle';
import type { ComputeApp, GpuReading, GpuSnapshot } from './types';
import { plural } from '../charts/format';

/** What an alert is about. */
export type GpuAlertKind = 'throttling' | 'memory' | 'temperature' | 'ecc' | 'idle-training' | 'xid' | 'row-remap';

/** One raised alert: a GPU in a bad state since `sinceMs`. */
export interface GpuAlert {
  readonly kind: GpuAlertKind;
  readonly gpuIndex: number;
  readonly gpuUuid: string | null;
  /** The node of a cluster GPU (read through Prometheus); absent for this machine's own. */
  readonly host?: string;
  readonly severity: 'warning' | 'error';
  readonly message: string;
  readonly sinceMs: number;
}

/** An alert starting (`raised`, once per episode) or ending (`cleared`). */
export interface GpuAlertEvent {
  readonly type: 'raised' | 'cleared';
  readonly alert: GpuAlert;
}

/** Thresholds for the rules; the defaults are the extension's setting defaults. */
export interface GpuAlertThresholds {
  /** Memory used, percent of total, at or above which an alert is raised. */
  readonly memoryPercent: number;
  /** GPU temperature in degrees C at or above which an alert is raised. */
  readonly temperatureC: number;
  /** How long a GPU must sit idle while a training process is alive before it is reported. */
  readonly idleSeconds: number;
  /** Utilisation, percent, below which a GPU counts as idle. */
  readonly idleUtilizationPercent: number;
  /** How long a condition must stay false before its episode ends (stops flapping alerts). */
  readonly clearAfterMs: number;
  /** The band below a memory or temperature threshold that still counts as the same episode. */
  readonly hysteresis: number;
}

/** The defaults of `modelmon.gpu.*AlertPercent/C/Seconds`, plus the episode timing. */
export const DEFAULT_ALERT_THRESHOLDS: GpuAlertThresholds = {
  memoryPercent: 95,
  temperatureC: 85,
  idleSeconds: 60,
  idleUtilizationPercent: 5,
  clearAfterMs: 10_000,
  hysteresis: 3,
};

/** What the rules know beyond the snapshot: who is using the GPUs. */
export interface GpuAlertContext {
  /** Processes holding a compute context; any of them on a GPU counts as a training process. */
  readonly computeApps?: readonly ComputeApp[];
  /** True while the editor runs a task or debug session the user marked as training. */
  readonly trainingActive?: boolean;
}

const REASON_LABELS: Record<ThrottleReason, string> = {
  gpu_idle: 'GPU idle',
  applications_clocks_setting: 'application clocks setting',
  sw_power_cap: 'software power cap',
  hw_slowdown: 'hardware slowdown',
  sync_boost: 'sync boost',
  sw_thermal_slowdown: 'software thermal slowdown',
  hw_thermal_slowdown: 'hardware thermal slowdown',
  hw_power_brake_slowdown: 'hardware power brake',
  display_clock_setting: 'display clock setting',
  amd_throttled: 'power or thermal limit (amd-smi gives no detail)',
};

/** A reason as a person reads it, e.g. `software power cap`. */
export function throttleReasonLabel(reason: ThrottleReason): string {
  return REASON_LABELS[reason];
}

/** 'on' raises, 'off' counts towards clearing, 'hold' keeps the current state, null: unknown. */
type Condition = { state: 'on'; severity: 'warning' | 'error'; message: string } | { state: 'off' } | { state: 'hold' } | null;

interface Episode {
  active: GpuAlert | null;
  onSinceMs: number | null;
  offSinceMs: number | null;
}

/**
 * Turns a stream of snapshots into alerts, each raised once per episode rather than once per
 * sample: throttling (with its reasons), memory above a threshold, temperature, uncorrected ECC
 * errors, and a GPU sitting idle while a training process is alive.
 *
 * @example
 * const rules = new GpuAlertRules({ memoryPercent: 90 });
 * for (const event of rules.update(snapshot, { computeApps })) notify(event.alert.message);
 */
export class GpuAlertRules {
  readonly thresholds: GpuAlertThresholds;
  private readonly episodes = new Map<string, Episode>();

  constructor(thresholds: Partial<GpuAlertThresholds> = {}) {
    const t = { ...DEFAULT_ALERT_THRESHOLDS, ...thresholds };
    const check = (name: keyof GpuAlertThresholds, ok: boolean) => {
      if (!ok || !Number.isFinite(t[name])) throw new RangeError(`GpuAlertRules: ${name} out of range: ${t[name]}`);
    };
    check('memoryPercent', t.memoryPercent > 0 && t.memoryPercent <= 100);
    check('temperatureC', t.temperatureC > 0);
    check('idleSeconds', t.idleSeconds >= 0);
    check('idleUtilizationPercent', t.idleUtilizationPercent >= 0 && t.idleUtilizationPercent <= 100);
    check('clearAfterMs', t.clearAfterMs >= 0);
    check('hysteresis', t.hysteresis >= 0);
    this.thresholds = t;
  }

  /** Alerts currently raised, in GPU then kind order. */
  get active(): GpuAlert[] {
    const out: GpuAlert[] = [];
    for (const e of this.episodes.values()) if (e.active) out.push(e.active);
    return out.sort((a, b) => (a.host ?? '').localeCompare(b.host ?? '') || a.gpuIndex - b.gpuIndex || a.kind.localeCompare(b.kind));
  }

  /** Feeds one snapshot; returns the alerts that started or ended with it. */
  update(snapshot: GpuSnapshot, context: GpuAlertContext = {}): GpuAlertEvent[] {
    const events: GpuAlertEvent[] = [];
    for (const gpu of snapshot.gpus) {
      const conditions: Array<[GpuAlertKind, Condition, number]> = [
        ['throttling', this.throttling(gpu), 0],
        ['memory', this.memory(gpu), 0],
        ['temperature', this.temperature(gpu), 0],
        ['ecc', this.ecc(gpu), 0],
        ['idle-training', this.idle(gpu, context), this.thresholds.idleSeconds * 1000],
        ['xid', xid(gpu), 0],
        ['row-remap', rowRemap(gpu), 0],
      ];
      // A cluster has a GPU 0 on every node: its episodes are kept apart by host and UUID.
      const id = gpu.cluster ? `${gpu.cluster.host}/${gpu.uuid ?? gpu.index}` : String(gpu.index);
      for (const [kind, condition, minOnMs] of conditions) {
        const event = this.step(`${id}:${kind}`, kind, gpu, condition, minOnMs, snapshot.timeMs);
        if (event) events.push(event);
      }
    }
    return events;
  }

  /** Forgets every episode (e.g. when the sampler restarts on other settings). */
  reset(): void {
    this.episodes.clear();
  }

  private step(key: string, kind: GpuAlertKind, gpu: GpuReading, c: Condition, minOnMs: number, now: number): GpuAlertEvent | null {
    let e = this.episodes.get(key);
    if (!e) this.episodes.set(key, (e = { active: null, onSinceMs: null, offSinceMs: null }));
    if (c === null || c.state === 'hold') {
      e.offSinceMs = null;
      return null;
    }
    if (c.state === 'on') {
      e.offSinceMs = null;
      e.onSinceMs ??= now;
      if (e.active || now - e.onSinceMs < minOnMs) return null;
      const host = gpu.cluster ? { host: gpu.cluster.host } : {};
      e.active = { kind, gpuIndex: gpu.index, gpuUuid: gpu.uuid, ...host, severity: c.severity, message: c.message, sinceMs: e.onSinceMs };
      return { type: 'raised', alert: e.active };
    }
    e.onSinceMs = null;
    if (!e.active) return null;
    e.offSinceMs ??= now;
    if (now - e.offSinceMs < this.thresholds.clearAfterMs) return null;
    const alert = e.active;
    e.active = null;
    e.offSinceMs = null;
    return { type: 'cleared', alert };
  }

  private throttling(gpu: GpuReading): Condition {
    if (gpu.throttleReasons === null) return null;
    const reasons = gpu.throttleReasons.filter((r) => PERFORMANCE_THROTTLE_REASONS.has(r));
    if (!reasons.length) return { state: 'off' };
    const hardware = reasons.some((r) => r.startsWith('hw_'));
    return {
      state: 'on',
      severity: hardware ? 'error' : 'warning',
      message: `${gpuName(gpu)} is throttled: ${reasons.map(throttleReasonLabel).join(', ')}`,
    };
  }

  private memory(gpu: GpuReading): Condition {
    if (gpu.memoryUsedMiB === null || !gpu.memoryTotalMiB) return null;
    const pct = (100 * gpu.memoryUsedMiB) / gpu.memoryTotalMiB;
    const limit = this.thresholds.memoryPercent;
    if (pct >= limit) {
      const message = `${gpuName(gpu)} memory at ${pct.toFixed(1)}% (${gpu.memoryUsedMiB} of ${gpu.memoryTotalMiB} MiB), threshold ${limit}%`;
      return { state: 'on', severity: pct >= 99 ? 'error' : 'warning', message };
    }
    return pct >= limit - this.thresholds.hysteresis ? { state: 'hold' } : { state: 'off' };
  }

  private temperature(gpu: GpuReading): Condition {
    if (gpu.temperatureC === null) return null;
    const limit = this.thresholds.temperatureC;
    if (gpu.temperatureC >= limit) {
      return { state: 'on', severity: 'error', message: `${gpuName(gpu)} at ${gpu.temperatureC}°C, threshold ${limit}°C` };
    }
    return gpu.temperatureC >= limit - this.thresholds.hysteresis ? { state: 'hold' } : { state: 'off' };
  }

  private ecc(gpu: GpuReading): Condition {
    if (gpu.eccUncorrectedVolatile === null) return null;
    if (gpu.eccUncorrectedVolatile === 0) return { state: 'off' };
    const n = gpu.eccUncorrectedVolatile;
    return { state: 'on', severity: 'error', message: `${gpuName(gpu)} reports ${plural(n, 'uncorrected ECC error')} since the driver loaded` };
  }

  private idle(gpu: GpuReading, context: GpuAlertContext): Condition {
    const apps = (context.computeApps ?? []).filter((a) => gpu.uuid !== null && a.gpuUuid === gpu.uuid);
    // A cluster GPU is held when the exporter labels it with a pod or job; the editor's own runs say nothing about it.
    const job = gpu.cluster ? gpu.cluster.job : null;
    const training = gpu.cluster ? job !== null : apps.length > 0 || context.trainingActive === true;
    // Under MIG the whole-GPU utilisation is absent, so idleness is unknown rather than true.
    if (!training || gpu.utilizationGpu === null) return training ? null : { state: 'off' };
    if (gpu.utilizationGpu >= this.thresholds.idleUtilizationPercent) return { state: 'off' };
    const verb = job ? 'holds it' : 'is running';
    const who = job ? `job ${job.name}${job.container ? ` (container ${job.container})` : ''}` : apps.length ? apps.map((a) => `${a.processName} (pid ${a.pid})`).join(', ') : 'a training session';
    return {
      state: 'on',
      severity: 'warning',
      message: `${gpuName(gpu)} idle (${gpu.utilizationGpu}%) for ${this.thresholds.idleSeconds} s while ${who} ${verb}`,
    };
  }
}

/** `GPU 0` here, `GPU 0 on node-a` in a cluster, where every node has a GPU 0. */
export function gpuName(gpu: Pick<GpuReading, 'index' | 'cluster'>): string {
  return gpu.cluster ? `GPU ${gpu.index} on ${gpu.cluster.host}` : `GPU ${gpu.index}`;
}

/** DCGM keeps the last XID until the driver reloads: a GPU that reported one stays suspect. */
function xid(gpu: GpuReading): Condition {
  const x = gpu.cluster?.xid ?? null;
  if (x === null) return null;
  if (x === 0) return { state: 'off' };
  return { state: 'on', severity: 'error', message: `${gpuName(gpu)} reported XID error ${x}${xidMeaning(x)}` };
}

// The XIDs a training job most often meets (NVIDIA's XID catalogue); others are shown by number only.
const XID_MEANINGS: Readonly<Record<number, string>> = {
  13: 'graphics engine exception',
  31: 'GPU memory page fault',
  43: 'GPU stopped processing',
  45: 'preemptive cleanup after an earlier error',
  48: 'double-bit ECC error',
  61: 'internal micro-controller breakpoint',
  62: 'internal micro-controller halt',
  63: 'ECC page retirement or row remapping recorded',
  64: 'ECC page retirement or row remapper failure',
  74: 'NVLink error',
  79: 'GPU has fallen off the bus',
  92: 'high single-bit ECC error rate',
  94: 'contained ECC error',
  95: 'uncontained ECC error',
  119: 'GSP RPC timeout',
};

function xidMeaning(x: number): string {
  const m = XID_MEANINGS[x];
  return m ? ` (${m})` : '';
}

/** A failed row remap means the memory can no longer hide a bad row: the GPU needs service. */
function rowRemap(gpu: GpuReading): Condition {
  const c = gpu.cluster;
  if (!c || c.rowRemapFailure === null) return null;
  if (c.rowRemapFailure === 0) return { state: 'off' };
  const rows = c.uncorrectableRemappedRows ? ` after ${plural(c.uncorrectableRemappedRows, 'uncorrectable remapped row')}` : '';
  return { state: 'on', severity: 'error', message: `${gpuName(gpu)} failed to remap a memory row${rows}; it needs a reset or service` };
}
