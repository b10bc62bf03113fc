import type {
  EndpointMonitorConfig,
  GpuMonitorConfig,
  IntegrityMonitorConfig,
  PredictionMonitorConfig,
  TrainingMonitorConfig,
} from '../../core/config';
import type { MonitorObservation } from '../../core/check';
import type { GpuSampleView, PredictionReportView } from '../../protocol';
import type { IntegrityView, TrainingView } from '../../core/report/types';

export type { IntegrityFileView, IntegrityView, MonitorView, TrainingView } from '../../core/report/types';

export interface Probe<V> {
  readonly observation: MonitorObservation;
  readonly view?: V;
}

export interface ProbeContext {
  /** The config file's directory (relative paths in the monitor resolve against it). */
  readonly dir: string;
  /** How the monitor's paths should be shown (relative to the config). */
  readonly display: (absolute: string) => string;
  readonly signal?: AbortSignal;
  /** Environment for child processes (nvidia-smi is looked up on its PATH). */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * One-shot runs of each engine. The defaults call the real engines; tests and the extension may
 * pass their own (a fake GPU, say).
 */
export interface CheckEngines {
  training(monitor: TrainingMonitorConfig, logdir: string, context: ProbeContext): Promise<Probe<TrainingView>>;
  predictions(
    monitor: PredictionMonitorConfig,
    paths: { readonly log: string; readonly reference?: string },
    context: ProbeContext,
  ): Promise<Probe<PredictionReportView>>;
  integrity(monitor: IntegrityMonitorConfig, manifest: string, context: ProbeContext): Promise<Probe<IntegrityView>>;
  gpu(monitor: GpuMonitorConfig, context: ProbeContext): Promise<Probe<GpuSampleView | null>>;
  endpoint(monitor: EndpointMonitorConfig, golden: string | undefined, context: ProbeContext): Promise<Probe<never>>;
}
