import * as vscode from 'vscode';
import { STATUS_METRICS, type StatusMetric } from '../../core/gpu/statusView';
import { parseGpuBackend, type GpuBackend } from '../../core/gpu/backend';

/** The `modelmon.gpu.*` and `modelmon.energy.*` settings, typed and defaulted. */
export interface GpuSettings {
  readonly enabled: boolean;
  readonly intervalMs: number;
  readonly gpuIndex: number | 'all';
  readonly statusBarShow: readonly StatusMetric[];
  /** From user or machine settings only: a workspace must never choose what runs. */
  readonly nvidiaSmiPath: string | null;
  /** Which tool samples the GPUs (`modelmon.gpu.backend`, machine-scoped). */
  readonly backend: GpuBackend;
  /** Like `nvidiaSmiPath`: user or machine settings only. */
  readonly amdSmiPath: string | null;
  readonly rocmSmiPath: string | null;
  readonly memoryAlertPercent: number;
  readonly temperatureAlertC: number;
  readonly idleAlertSeconds: number;
  readonly pricePerKWh: number;
  /** `prometheus`: the cluster's GPUs from Prometheus (DCGM exporter series) instead of this machine's tool. */
  readonly source: 'local' | 'prometheus';
  /** `modelmon.prometheus.url`, from user or machine settings only: a workspace never picks what is probed. */
  readonly prometheusUrl: string | null;
  /** `modelmon.prometheus.match`: the label matcher of the GPUs read (user or machine settings only). */
  readonly prometheusMatch: string | null;
  readonly prometheusIntervalMs: number;
  /** `modelmon.prometheus.statusBarMatch`: which of the read GPUs are the workspace's own, for the status bar. */
  readonly statusBarMatch: string | null;
}

/** Reads the GPU settings; a bad value falls back to its default rather than stopping the monitor. */
export function readGpuSettings(): GpuSettings {
  const c = vscode.workspace.getConfiguration('modelmon');
  const num = (key: string, fallback: number, min: number, max = Infinity): number => {
    const v = c.get<unknown>(key);
    return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fallback;
  };
  const index = c.get<unknown>('gpu.index');
  const show = c.get<unknown>('gpu.statusBar.show');
  // Machine-scoped values are read from user or machine settings only: a workspace never picks what runs.
  const machine = (key: string) => {
    const v = c.inspect<unknown>(key)?.globalValue;
    return typeof v === 'string' && v.trim() ? v.trim() : null;
  };
  const path = c.inspect<unknown>('gpu.nvidiaSmiPath')?.globalValue;
  return {
    enabled: c.get<unknown>('gpu.enabled') !== false,
    intervalMs: Math.round(num('gpu.intervalMs', 1000, 100, 3_600_000)),
    gpuIndex: typeof index === 'number' && Number.isInteger(index) && index >= 0 ? index : 'all',
    statusBarShow: Array.isArray(show)
      ? show.filter((m): m is StatusMetric => (STATUS_METRICS as readonly unknown[]).includes(m))
      : ['utilization', 'memory', 'temperature'],
    nvidiaSmiPath: typeof path === 'string' && path.trim() ? path.trim() : null,
    backend: parseGpuBackend(machine('gpu.backend') ?? 'auto') ?? 'auto',
    amdSmiPath: machine('gpu.amdSmiPath'),
    rocmSmiPath: machine('gpu.rocmSmiPath'),
    memoryAlertPercent: num('gpu.memoryAlertPercent', 95, 1, 100),
    temperatureAlertC: num('gpu.temperatureAlertC', 85, 1, 150),
    idleAlertSeconds: num('gpu.idleAlertSeconds', 60, 0),
    pricePerKWh: num('energy.pricePerKWh', 0.15, 0),
    source: machine('gpu.source') === 'prometheus' ? 'prometheus' : 'local',
    prometheusUrl: machine('prometheus.url'),
    prometheusMatch: machine('prometheus.match'),
    prometheusIntervalMs: Math.round(num('prometheus.intervalMs', 5000, 1000, 3_600_000)),
    // Only narrows what the status bar shows of GPUs already read, so a workspace may say which job is its own.
    statusBarMatch: typeof c.get<unknown>('prometheus.statusBarMatch') === 'string' && c.get<string>('prometheus.statusBarMatch')!.trim() ? c.get<string>('prometheus.statusBarMatch')!.trim() : null,
  };
}

/** True when a configuration change touches a setting the GPU monitor reads. */
export function affectsGpuSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration('modelmon.gpu') || e.affectsConfiguration('modelmon.energy') || e.affectsConfiguration('modelmon.prometheus');
}
