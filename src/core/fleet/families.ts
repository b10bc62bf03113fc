// What `modelmon watch` publishes to Prometheus, derived from the same CheckResult that
// `modelmon check --json` prints: every value here is read off a verdict or a view the check
// computed, never re-decided, so a dashboard, an Alertmanager rule and a CI check agree.
import { isFailing, type CheckResult, type MonitorResult } from '../check';
import type { MonitorView } from '../report/types';
import type { GpuSnapshot } from '../gpu/types';

export type FamilyType = 'gauge' | 'counter' | 'histogram';

/** One metric family: its name as Prometheus shows it, help text, type and label names. */
export interface FamilySpec {
  readonly name: string;
  readonly help: string;
  readonly type: FamilyType;
  readonly labelNames: readonly string[];
}

const gauge = (name: string, help: string, labelNames: readonly string[]): FamilySpec => ({ name, help, type: 'gauge', labelNames });
const counter = (name: string, help: string, labelNames: readonly string[]): FamilySpec => ({ name, help, type: 'counter', labelNames });

/**
 * Every family, by name. Label values are bounded by the config (monitors, features, runs, GPUs)
 * and by the finding kinds: no row, step or timestamp is ever a label.
 */
export const FAMILIES = {
  buildInfo: gauge('modelmon_build_info', 'Always 1; the version label says which Model Monitor publishes.', ['version']),
  checkFailed: gauge('modelmon_check_failed', "1 when `modelmon check` on this config would exit 1 (a finding at or above failOn), else 0.", []),
  monitorFailed: gauge('modelmon_monitor_failed', 'Per monitor, 1 when one of its findings fails the check, else 0.', ['monitor', 'type']),
  findings: gauge('modelmon_findings', 'Active (unacknowledged) findings per monitor, kind and severity, as modelmon check counts them.', ['monitor', 'kind', 'severity']),
  findingsAcknowledged: gauge('modelmon_findings_acknowledged', 'Findings someone acknowledged in modelmon.json; they no longer fail the check.', ['monitor', 'kind']),
  alertsActive: gauge('modelmon_alerts_active', 'Findings that fail the check (unacknowledged, at or above failOn), per monitor and kind.', ['monitor', 'kind']),
  featureDrifted: gauge('modelmon_feature_drifted', "1 when the latest window's verdict says the feature drifted, else 0.", ['monitor', 'feature']),
  featureDriftScore: gauge('modelmon_feature_drift_score', "The drift statistic of the feature's latest window (its value; the test label names it).", ['monitor', 'feature', 'test']),
  featureDriftPValue: gauge('modelmon_feature_drift_p_value', "The family-wise p-value of the feature's latest window, where its test gives one.", ['monitor', 'feature', 'test']),
  featureAttributionRank: gauge('modelmon_feature_attribution_rank', "The feature's rank by mean |attribution| in the latest window (1 = leaned on most), for logs with SHAP-style attributions: the window's top 10, the reference's top 5 and every feature that moved.", ['monitor', 'feature']),
  predictionRows: counter('modelmon_prediction_rows_total', 'Rows read from the prediction log.', ['monitor']),
  predictionAccuracy: gauge('modelmon_prediction_accuracy_ratio', 'Accuracy of the latest window against its labels (0-1).', ['monitor']),
  predictionEstimatedAccuracy: gauge('modelmon_prediction_estimated_accuracy_ratio', 'Accuracy of the latest window estimated from confidences, without labels (0-1).', ['monitor']),
  trainingTagFindings: gauge('modelmon_training_tag_findings', 'Active findings per training tag; only tags with findings have a series.', ['monitor', 'run', 'tag', 'kind']),
  trainingLastStep: gauge('modelmon_training_last_step', 'The last step a training run logged a scalar at.', ['monitor', 'run']),
  checkpointVerified: gauge('modelmon_checkpoint_verified', "1 when every checkpoint matches the manifest and is safe to load (no unacknowledged error), else 0.", ['monitor']),
  gpuUtilization: gauge('modelmon_gpu_utilization_ratio', 'GPU utilisation (0-1) in the latest sample.', ['gpu', 'uuid', 'name']),
  gpuMemoryUsed: gauge('modelmon_gpu_memory_used_bytes', 'GPU memory in use.', ['gpu', 'uuid', 'name']),
  gpuMemoryTotal: gauge('modelmon_gpu_memory_total_bytes', 'GPU memory in all.', ['gpu', 'uuid', 'name']),
  gpuTemperature: gauge('modelmon_gpu_temperature_celsius', 'GPU core temperature.', ['gpu', 'uuid', 'name']),
  gpuPower: gauge('modelmon_gpu_power_watts', 'GPU power draw.', ['gpu', 'uuid', 'name']),
  gpuEnergy: counter('modelmon_gpu_energy_joules_total', 'Energy drawn since modelmon watch started, integrated over its samples (trapezoids).', ['gpu', 'uuid', 'name']),
  endpointUp: gauge('modelmon_endpoint_up', 'Per endpoint monitor, 1 when a probe of the latest run succeeded, else 0.', ['endpoint']),
  endpointProbeDuration: {
    name: 'modelmon_endpoint_probe_duration_seconds',
    help: 'Time of each successful health probe, from the request to the last byte of the answer.',
    type: 'histogram',
    labelNames: ['endpoint'],
  } as FamilySpec,
} as const;

/** Buckets of the probe histogram: 5 ms to 10 s, where served models' health answers fall. */
export const PROBE_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One value of a family at one label set. */
export interface Sample {
  readonly family: FamilySpec;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** What the watcher knows at one moment: the check's result, its views, and the GPUs it sampled. */
export interface FleetSnapshot {
  readonly version: string;
  readonly result: CheckResult;
  /** In the order of `result.monitors`; undefined where the monitor has no view. */
  readonly views: readonly (MonitorView | undefined)[];
  /** The latest GPU sample and each GPU's energy since start (joules, keyed by uuid, else `#index`). */
  readonly gpu?: { readonly snapshot: GpuSnapshot; readonly energyJoules: ReadonlyMap<string, number> };
}

const MIB = 1024 * 1024;

/** Every gauge and counter value of a snapshot (the probe histogram is observed as probes come in). */
export function samplesOf(snapshot: FleetSnapshot): Sample[] {
  const out: Sample[] = [];
  const push = (family: FamilySpec, labels: Record<string, string>, value: number | null | undefined) => {
    if (value !== null && value !== undefined && !Number.isNaN(value)) out.push({ family, labels, value });
  };
  const { result } = snapshot;
  push(FAMILIES.buildInfo, { version: snapshot.version }, 1);
  push(FAMILIES.checkFailed, {}, result.verdict === 'fail' ? 1 : 0);
  result.monitors.forEach((monitor, i) => {
    push(FAMILIES.monitorFailed, { monitor: monitor.name, type: monitor.type }, monitor.failed ? 1 : 0);
    findingCounts(monitor, result, out);
    const view = snapshot.views[i];
    if (monitor.type === 'integrity') {
      push(FAMILIES.checkpointVerified, { monitor: monitor.name }, monitor.findings.some((f) => f.acknowledged === undefined && f.severity === 'error') ? 0 : 1);
    }
    if (monitor.type === 'endpoint') {
      push(FAMILIES.endpointUp, { endpoint: monitor.name }, monitor.findings.some((f) => f.kind === 'endpoint-down' || (f.kind === 'unreadable' && f.location?.file === monitor.target)) ? 0 : 1);
    }
    if (monitor.type === 'training') tagFindings(monitor, out);
    if (view?.type === 'training') {
      for (const run of view.view.runs) push(FAMILIES.trainingLastStep, { monitor: monitor.name, run: run.name }, run.lastStep);
    }
    if (view?.type === 'predictions') {
      const report = view.view;
      push(FAMILIES.predictionRows, { monitor: monitor.name }, report.rows);
      const latest = report.windows[report.windows.length - 1];
      push(FAMILIES.predictionAccuracy, { monitor: monitor.name }, latest?.metrics.accuracy);
      push(FAMILIES.predictionEstimatedAccuracy, { monitor: monitor.name }, latest?.metrics.estimatedAccuracy);
      for (const f of report.features) {
        const labels = { monitor: monitor.name, feature: f.feature };
        // The test label names what the score is (ks, chi2, psi, ...), as the check's table does.
        const test = f.test ?? f.statistic;
        push(FAMILIES.featureDrifted, labels, f.drifted ? 1 : 0);
        push(FAMILIES.featureDriftScore, { ...labels, test }, f.value);
        push(FAMILIES.featureDriftPValue, { ...labels, test }, f.pValue);
      }
      for (const f of report.attributions?.features ?? []) push(FAMILIES.featureAttributionRank, { monitor: monitor.name, feature: f.feature }, f.rank);
    }
  });
  if (snapshot.gpu) {
    for (const g of snapshot.gpu.snapshot.gpus) {
      const labels = { gpu: String(g.index), uuid: g.uuid ?? '', name: g.name ?? '' };
      push(FAMILIES.gpuUtilization, labels, g.utilizationGpu === null ? null : g.utilizationGpu / 100);
      push(FAMILIES.gpuMemoryUsed, labels, g.memoryUsedMiB === null ? null : g.memoryUsedMiB * MIB);
      push(FAMILIES.gpuMemoryTotal, labels, g.memoryTotalMiB === null ? null : g.memoryTotalMiB * MIB);
      push(FAMILIES.gpuTemperature, labels, g.temperatureC);
      push(FAMILIES.gpuPower, labels, g.powerW);
      push(FAMILIES.gpuEnergy, labels, snapshot.gpu.energyJoules.get(g.uuid ?? `#${g.index}`) ?? 0);
    }
  }
  return out;
}

/** Per run and tag, the tags that have findings (a run logs hundreds of tags; most never have one). */
function tagFindings(monitor: MonitorResult, out: Sample[]): void {
  const counts = new Map<string, { run: string; tag: string; kind: string; n: number }>();
  for (const f of monitor.findings) {
    const tag = f.location?.tag;
    if (f.acknowledged !== undefined || tag === undefined) continue;
    // The subject is `run/tag` (the run labelled as the check shows it).
    const run = f.subject?.endsWith(`/${tag}`) ? f.subject.slice(0, -tag.length - 1) : (f.subject ?? '');
    const key = `${run}\u0000${tag}\u0000${f.kind}`;
    const entry = counts.get(key) ?? { run, tag, kind: f.kind, n: 0 };
    entry.n++;
    counts.set(key, entry);
  }
  for (const { run, tag, kind, n } of counts.values()) out.push({ family: FAMILIES.trainingTagFindings, labels: { monitor: monitor.name, run, tag, kind }, value: n });
}

/** Findings by kind and severity, acknowledged ones apart, and the failing ones as alerts. */
function findingCounts(monitor: MonitorResult, result: CheckResult, out: Sample[]): void {
  const active = new Map<string, { kind: string; severity: string; n: number }>();
  const acknowledged = new Map<string, number>();
  const alerts = new Map<string, number>();
  for (const f of monitor.findings) {
    if (f.acknowledged !== undefined) {
      acknowledged.set(f.kind, (acknowledged.get(f.kind) ?? 0) + 1);
      continue;
    }
    const key = `${f.kind}\u0000${f.severity}`;
    const entry = active.get(key) ?? { kind: f.kind, severity: f.severity, n: 0 };
    entry.n++;
    active.set(key, entry);
    if (isFailing(f, result.failOn)) alerts.set(f.kind, (alerts.get(f.kind) ?? 0) + 1);
  }
  for (const { kind, severity, n } of active.values()) out.push({ family: FAMILIES.findings, labels: { monitor: monitor.name, kind, severity }, value: n });
  for (const [kind, n] of acknowledged) out.push({ family: FAMILIES.findingsAcknowledged, labels: { monitor: monitor.name, kind }, value: n });
  for (const [kind, n] of alerts) out.push({ family: FAMILIES.alertsActive, labels: { monitor: monitor.name, kind }, value: n });
}
