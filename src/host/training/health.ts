import * as vscode from 'vscode';
import { HealthMonitor, type HealthOptions } from '../../core/tfevents/health';
import type { RunStore } from '../../core/tfevents/run-store';
import type { MonitorLog } from '../log';
import { severityOfFinding, type TrainingFinding } from './model';

/** The engine's health options from `modelmon.training.*`; a bad pattern falls back to the default. */
export function readHealthOptions(log?: MonitorLog): HealthOptions {
  const c = vscode.workspace.getConfiguration('modelmon.training');
  const options: { -readonly [K in keyof HealthOptions]: HealthOptions[K] } = {};
  const pattern = (key: string, target: 'lossTags' | 'gradNormTags' | 'learningRateTags') => {
    const v = c.get<unknown>(key);
    if (typeof v !== 'string' || !v) return;
    try {
      options[target] = new RegExp(v, 'i');
    } catch (error) {
      log?.warn(`modelmon.training.${key}: not a regular expression (${String(error)}); using the default`);
    }
  };
  pattern('lossTagPattern', 'lossTags');
  pattern('gradNormTagPattern', 'gradNormTags');
  pattern('learningRateTagPattern', 'learningRateTags');
  const tokens = (key: string, target: 'trainTokens' | 'validationTokens') => {
    const v = c.get<unknown>(key);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length) options[target] = v as string[];
  };
  tokens('trainTokens', 'trainTokens');
  tokens('validationTokens', 'validationTokens');
  const num = (key: keyof HealthOptions & ('minPoints' | 'minImprovement' | 'spikeFactor' | 'overfitRise' | 'gradExplosionFactor' | 'lrJumpFactor')) => {
    const v = c.get<unknown>(key);
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) options[key] = v;
  };
  for (const key of ['minPoints', 'minImprovement', 'spikeFactor', 'overfitRise', 'gradExplosionFactor', 'lrJumpFactor'] as const) num(key);
  return options;
}

/** Health findings of one log directory's store, recomputed only for series that changed. */
export class RunHealth {
  private monitor: HealthMonitor;

  constructor(options: HealthOptions) {
    this.monitor = new HealthMonitor(options);
  }

  findings(store: RunStore): TrainingFinding[] {
    return this.monitor.update(store).findings.map((f) => ({ ...f, severity: severityOfFinding(f.kind, f.severity) }));
  }
}
