import * as vscode from 'vscode';
import type { HostToWebview } from '../../protocol';
import type { GpuAlertView, GpuSampleView } from '../../protocol/views';
import { DashboardPanel, type PanelContext } from './dashboardPanel';
import type { GpuSource } from './ports';

/** The GPU dashboard: history on `ready`, then each sample as it arrives. */
export class GpuPanel extends DashboardPanel {
  private pending: GpuSampleView[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sentStatus: string | null = null;

  constructor(
    panel: vscode.WebviewPanel,
    context: PanelContext,
    private readonly source: GpuSource | undefined,
  ) {
    super('gpu', panel, context);
    if (source) {
      // Sources fire only on samples; a status change without one (nvidia-smi gone) is polled.
      const poll = setInterval(() => this.checkStatus(), 2000);
      this.disposables.push(
        source.onDidSample((sample) => this.queue(sample)),
        { dispose: () => clearTimeout(this.timer) },
        { dispose: () => clearInterval(poll) },
      );
    }
  }

  private checkStatus(): void {
    const s = this.source;
    if (!s || !this.ready) return;
    const status = s.status();
    if (status === this.sentStatus) return;
    this.sentStatus = status;
    this.post({ type: 'update', panel: 'gpu', update: { samples: [], energy: s.energy(), status, ...replayOf(s), ...clusterOf(s) } });
  }

  protected override initMessage(): HostToWebview {
    this.pending = [];
    const s = this.source;
    if (!s) return { type: 'init', panel: 'gpu', state: { samples: [], energy: { wh: 0, cost: null, currency: null }, status: 'GPU monitoring is turned off.' } };
    this.sentStatus = s.status();
    return { type: 'init', panel: 'gpu', state: { samples: s.history(), energy: s.energy(), status: this.sentStatus, ...replayOf(s), ...clusterOf(s) } };
  }

  /** Samples are batched briefly so a fast sampler does not flood the page. */
  private queue(sample: GpuSampleView): void {
    if (!this.ready) return;
    this.pending.push(sample);
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const samples = this.pending;
      this.pending = [];
      const s = this.source;
      if (!s || !samples.length) return;
      this.sentStatus = s.status();
      this.post({ type: 'update', panel: 'gpu', update: { samples, energy: s.energy(), status: this.sentStatus, ...replayOf(s), ...clusterOf(s) } });
    }, 200);
  }
}

/** The page labels a replayed stand-in as such, never as the machine's GPU. */
function replayOf(source: GpuSource): { replay?: string } {
  const replay = source.replay?.() ?? null;
  return replay ? { replay } : {};
}

/** The monitor's active alerts, and where a cluster's GPUs are read from; absent for this machine's GPUs without alerts. */
function clusterOf(source: GpuSource): { alerts?: GpuAlertView[]; source?: string } {
  const alerts = source.alerts?.() ?? [];
  const origin = source.origin?.() ?? null;
  return { ...(alerts.length ? { alerts: [...alerts] } : {}), ...(origin ? { source: origin } : {}) };
}
