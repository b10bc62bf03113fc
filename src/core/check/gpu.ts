import type { GpuAlert } from '../gpu/alerts';
import { gpuSampleView } from '../gpu/sampleView';
import type { GpuSnapshot } from '../gpu/types';
import type { GpuSampleView } from '../../protocol';
import type { MonitorObservation, RawFinding } from './types';
import { plural } from '../charts/format';

export type GpuProbeOutcome =
  | { readonly kind: 'ok'; readonly snapshot: GpuSnapshot; readonly alerts: readonly GpuAlert[] }
  | { readonly kind: 'no-gpu' | 'error'; readonly message: string; /** The tool that failed, where one was found. */ readonly tool?: string };

/** One sample of the GPU tool (nvidia-smi, amd-smi or rocm-smi) judged by the alert rules. No GPU is a warning: the config asked for one. */
export function observeGpu(outcome: GpuProbeOutcome): { observation: MonitorObservation; view: GpuSampleView | null } {
  if (outcome.kind !== 'ok') {
    const finding: RawFinding = { kind: outcome.kind, severity: outcome.kind === 'no-gpu' ? 'warning' : 'error', message: outcome.message, subject: outcome.tool ?? 'gpu' };
    return { observation: { findings: [finding], summary: outcome.kind === 'no-gpu' ? `no GPU: ${outcome.message}` : `${outcome.tool ?? 'the GPU tool'} failed: ${outcome.message}`, tables: [] }, view: null };
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
  const view = gpuSampleView(snapshot);
  return {
    observation: {
      findings,
      summary: `${plural(snapshot.gpus.length, 'GPU')} sampled${findings.length ? `, ${plural(findings.length, 'alert')}` : ''}`,
      tables: [{ caption: 'GPUs', columns: ['GPU', 'Name', 'Utilisation', 'Memory', 'Temperature', 'Power'], rows }],
    },
    view,
  };
}
