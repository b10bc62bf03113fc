import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AlertSignal } from '../../core/alerts';
import { gpuAcknowledgement, predictionLogAcknowledgement, trainingAcknowledgement, type AcknowledgementScope } from '../../core/check';
import type { ModelmonConfig } from '../../core/config';
import type { PredictionLogState } from '../predictions/service';
import type { RunState, TrainingFinding } from '../training/model';

/** What the acknowledgements are read against: the workspace's configs, runs and prediction logs. */
export interface AcknowledgementSources {
  readonly configs: { readonly onDidChange: vscode.Event<void>; loaded(): readonly { readonly uri: vscode.Uri; readonly config: ModelmonConfig }[] };
  runs(): readonly RunState[];
  logs(): readonly PredictionLogState[];
}

/** The label every view puts on an acknowledged finding or alert. */
export function acknowledgedLabel(reason: string): string {
  return `acknowledged in modelmon.json: ${reason}`;
}

/**
 * The `acknowledged` entries of the workspace's `modelmon.json` files, applied in the editor as
 * `modelmon check` applies them (core's matching), so the tree, alerts, problems and dashboards
 * agree with the report.
 */
export class ConfigAcknowledgements {
  /** Fires when a config (and so possibly an acknowledgement) changed. */
  readonly onDidChange: vscode.Event<void>;

  constructor(private readonly sources: AcknowledgementSources) {
    this.onDidChange = sources.configs.onDidChange;
  }

  private scopes(): AcknowledgementScope[] {
    return this.sources.configs.loaded().map(({ uri, config }) => ({ configDir: path.dirname(uri.fsPath), config }));
  }

  /** The reason a training finding is acknowledged, or undefined. */
  training(finding: Pick<TrainingFinding, 'run' | 'tag' | 'kind'>): string | undefined {
    const run = this.sources.runs().find((r) => r.name === finding.run);
    return run && trainingAcknowledgement(this.scopes(), { runDir: run.dir, tag: finding.tag, kind: finding.kind });
  }

  /** The reason an alert signal is acknowledged, from its source (`run:`, `predictions:`, `gpu:`). */
  signal(signal: Pick<AlertSignal, 'source' | 'kind'>): string | undefined {
    const [prefix, rest] = splitSource(signal.source);
    if (prefix === 'gpu') return gpuAcknowledgement(this.scopes(), { gpuIndex: Number(rest), kind: signal.kind });
    if (prefix === 'run') {
      const run = this.sources.runs().find((r) => r.name === rest);
      if (!run) return undefined;
      // A run alert names its kind; any of the run's tags with that kind acknowledged counts.
      return run.tags.map((t) => trainingAcknowledgement(this.scopes(), { runDir: run.dir, tag: t.tag, kind: signal.kind })).find((r) => r !== undefined);
    }
    if (prefix === 'predictions') {
      const log = this.sources.logs().find((l) => l.path === rest);
      const alerts = log?.report?.alerts ?? [];
      return log && predictionLogAcknowledgement(this.scopes(), { path: log.path, alerts });
    }
    return undefined;
  }
}

function splitSource(source: string): [string, string] {
  const at = source.indexOf(':');
  return at < 0 ? [source, ''] : [source.slice(0, at), source.slice(at + 1)];
}
