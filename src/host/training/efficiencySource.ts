import * as vscode from 'vscode';
import type { TrainingSource } from '../panels/ports';
import type { TrainingEfficiency } from './efficiency';

/**
 * The training dashboard's port with each run's efficiency added: the same runs, series and
 * findings, and a change event that also fires when new GPU samples change a run's figures.
 */
export function withEfficiency(source: TrainingSource, efficiency: TrainingEfficiency): TrainingSource & vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const subscriptions = [changed, source.onDidChange(() => changed.fire()), efficiency.onDidChange(() => changed.fire())];
  return {
    onDidChange: changed.event,
    logdirs: () => source.logdirs(),
    ...(source.scanProgress ? { scanProgress: () => source.scanProgress!() } : {}),
    listRuns: () => source.listRuns(),
    series: (run, tag) => source.series(run, tag),
    findings: () => source.findings(),
    hparams: () => source.hparams(),
    histograms: (run, tag) => source.histograms(run, tag),
    efficiency: () => efficiency.allViews(),
    dispose: () => {
      for (const s of subscriptions) s.dispose();
    },
  };
}
