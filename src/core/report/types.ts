import type { FindingView, GpuSampleView, PredictionReportView, RunEfficiencyView, RunSummary, TaggedSeries } from '../../protocol';

/** What a training monitor saw, in the dashboards' shapes. */
export interface TrainingView {
  readonly runs: readonly RunSummary[];
  readonly series: readonly TaggedSeries[];
  readonly findings: readonly FindingView[];
  /** Each run's efficiency, where GPU samples were joined with it. */
  readonly efficiency?: readonly RunEfficiencyView[];
}

/** One file of an integrity manifest and how it compared. */
export interface IntegrityFileView {
  readonly path: string;
  readonly status: 'ok' | 'modified' | 'missing' | 'unexpected' | 'unsafe' | 'error';
  readonly detail: string;
}

export interface IntegrityView {
  readonly manifest: string;
  readonly files: readonly IntegrityFileView[];
}

/** A monitor's data for the report, beside its judged result. */
export type MonitorView =
  | { readonly type: 'training'; readonly view: TrainingView }
  | { readonly type: 'predictions'; readonly view: PredictionReportView }
  | { readonly type: 'integrity'; readonly view: IntegrityView }
  | { readonly type: 'gpu'; readonly view: GpuSampleView | null };
