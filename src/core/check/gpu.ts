import type { GpuAlert } from '../gpu/alerts';
import type { GpuSnapshot } from '../gpu/types';
import type { GpuSampleView } from '../../protocol';
import type { MonitorObservation, RawFinding } from './types';

export type GpuProbeOutcome =
  | { readonly kind: 'ok'; readonly snapshot: GpuSnapshot; readonly alerts: readonly GpuAlert[] }
  | { readonly kind: 'no-gpu' | 'error'; readonly message: string };

/** One nvidia-smi sample judged by the alert rules. No GPU is a warning: the config asked for one. */
export function observeGpu(outcome: GpuProbeOutcome): { observation: MonitorObservation; view: GpuSampleView | null } {
  if (outcome.kind !== 'ok') {
    const finding: RawFinding = { kind: outcome.kind, severity: outcome.kind === 'no-gpu' ? 'warning' : 'error', message: outcome.message, subject: 'nvidia-smi' };
    return { observation: { findings: [finding], summary: outcome.kind === 'no-gpu' ? `no GPU: ${outcome.message}` : `nvidia-smi failed: ${outcome.message}`, tables: [] }, view: null };
  }
  const { snapshot } = outcome;
  const findings: RawFinding[] = outcome.alerts.map((a) => ({ kind: a.kind, severity: a.severity, message: a.message, subject: `GPU ${a.gpuIndex}` }));
  const pct = (used: number | null, total: number | null) => (used !== null && total ? `${Math.round((used / total) * 100)}%` : '–');
  const value = (v: number | null, unit: string) => (v === null ? '–' : `${Math.round(v)}${unit}`);
  const rows = snapshot.gpus.map((g) => [
    String(g.index),
    g.name ?? '–',
    value(g.utilizationGpu, '%'),
    `${value(g.memoryUsedMiB, ' MiB')} (${pct(g.memoryUsedMiB, g.memoryTotalMiB)})`,
    value(g.temperatureC, ' °C'),
    g.powerW !== null ? `${Math.round(g.powerW)} / ${value(g.powerLimitW, ' W')}` : '–',
  ]);
  const view: GpuSampleView = {
    timeMs: snapshot.timeMs,
    gpus: snapshot.gpus.map((g) => ({
      index: g.index,
      name: g.name,
      utilizationGpu: g.utilizationGpu,
      utilizationMemory: g.utilizationMemory,
      memoryUsedMiB: g.memoryUsedMiB,
      memoryTotalMiB: g.memoryTotalMiB,
      temperatureC: g.temperatureC,
      powerW: g.powerW,
      powerLimitW: g.powerLimitW,
      throttleReasons: g.throttleReasons ? [...g.throttleReasons] : null,
    })),
  };
  return {
    observation: {
      findings,
      summary: `${snapshot.gpus.length} GPU${snapshot.gpus.length === 1 ? '' : 's'} sampled${findings.length ? `, ${findings.length} alert${findings.length === 1 ? '' : 's'}` : ''}`,
      tables: [{ caption: 'GPUs', columns: ['GPU', 'Name', 'Utilisation', 'Memory', 'Temperature', 'Power'], rows }],
    },
    view,
  };
}
