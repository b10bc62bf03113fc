import type * as vscode from 'vscode';
import type { HostToWebview } from '../../protocol';
import type { PredictionsState } from '../../protocol/views';
import { DashboardPanel, type PanelContext } from './dashboardPanel';

/** The webview type of ad-hoc drift-check panels; none is restored after a reload (the check is re-run instead). */
export const DRIFT_CHECK_VIEW_TYPE = 'modelmon.driftCheck';

/**
 * One ad-hoc drift check ("Check Drift...", "Compare Two Row Ranges..."), in a panel of its own:
 * a fixed result that never replaces the live predictions dashboard, its tree items or its alerts.
 */
export class DriftCheckPanel extends DashboardPanel {
  constructor(
    panel: vscode.WebviewPanel,
    context: PanelContext,
    private readonly state: PredictionsState,
  ) {
    super('predictions', panel, context);
  }

  protected override initMessage(): HostToWebview {
    return { type: 'init', panel: 'predictions', state: this.state };
  }

  protected override allowedFiles(): ReadonlySet<string> {
    return new Set(this.state.report ? [this.state.report.log] : []);
  }
}
