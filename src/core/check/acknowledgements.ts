import type { Acknowledgement, ModelmonConfig } from '../config';
import { isAtOrUnder, normalizePath, relativePath, resolvePath } from '../tagSites/paths';

/** One `modelmon.json` as the editor knows it: its folder (absolute) and what it configures. */
export interface AcknowledgementScope {
  readonly configDir: string;
  readonly config: Pick<ModelmonConfig, 'training' | 'predictions' | 'acknowledged'>;
}

/** The first acknowledgement of monitor `monitor` that covers `kind` and `subject`, as the check's policy matches it. */
function covering(acks: readonly Acknowledgement[], monitor: string, kind: string, subject: string | undefined): Acknowledgement | undefined {
  return acks.find(
    (a) => a.monitor === monitor && (a.kind === undefined || a.kind === kind) && (a.subject === undefined || (subject !== undefined && (subject === a.subject || subject.startsWith(`${a.subject}/`)))),
  );
}

/**
 * Why a training finding of the editor is acknowledged in `modelmon.json`, or undefined. The run is
 * matched to the training monitor whose log directory holds it, and its subject is built as
 * `modelmon check` builds it (`<run relative to the log dir>/<tag>`, the monitor's name for the
 * log dir itself), so the editor and the report agree on every finding.
 */
export function trainingAcknowledgement(scopes: readonly AcknowledgementScope[], finding: { readonly runDir: string; readonly tag: string; readonly kind: string }): string | undefined {
  const runDir = normalizePath(finding.runDir);
  for (const { configDir, config } of scopes) {
    for (const monitor of config.training) {
      const logdir = resolvePath(normalizePath(configDir), monitor.logdir);
      if (!isAtOrUnder(runDir, logdir)) continue;
      const rel = relativePath(logdir, runDir);
      const run = rel === '' || rel === '.' ? monitor.name : rel;
      const ack = covering(config.acknowledged, monitor.name, finding.kind, `${run}/${finding.tag}`);
      if (ack) return ack.reason;
    }
  }
  return undefined;
}

/**
 * Why a prediction log's alert state is acknowledged: every kind of alert it has now is covered by
 * an acknowledgement of the log's monitor (with no subject, or naming the alert's features).
 */
export function predictionLogAcknowledgement(
  scopes: readonly AcknowledgementScope[],
  log: { readonly path: string; readonly alerts: readonly { readonly kind: string; readonly features: readonly string[] }[] },
): string | undefined {
  if (!log.alerts.length) return undefined;
  const path = normalizePath(log.path);
  for (const { configDir, config } of scopes) {
    for (const monitor of config.predictions) {
      if (resolvePath(normalizePath(configDir), monitor.log) !== path) continue;
      const reasons = log.alerts.map((a) => covering(config.acknowledged, monitor.name, a.kind, a.features.slice(0, 3).join(', ') || monitor.log)?.reason);
      if (reasons.every((r) => r !== undefined)) return reasons[0];
    }
  }
  return undefined;
}

/** Why a GPU alert is acknowledged (`{"monitor": "gpu", "kind": "throttle", "subject": "GPU 0"}`), as the check names them. */
export function gpuAcknowledgement(scopes: readonly AcknowledgementScope[], alert: { readonly gpuIndex: number; readonly kind: string }): string | undefined {
  for (const { config } of scopes) {
    const ack = covering(config.acknowledged, 'gpu', alert.kind, `GPU ${alert.gpuIndex}`);
    if (ack) return ack.reason;
  }
  return undefined;
}
