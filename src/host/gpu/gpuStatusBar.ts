import * as vscode from 'vscode';
import { accessibleStatusText, describeGpuStatus, type GpuMonitorState, type StatusViewOptions } from '../../core/gpu/statusView';

/** The command a click on the GPU status bar item runs. */
export const OPEN_GPU_DASHBOARD_COMMAND = 'modelmon.openGpuDashboard';

/**
 * The GPU status bar item, driven by one method: `render(state)` maps the monitor's state to
 * text, background colour, tooltip and command (the mapping itself is the pure `describeGpuStatus`).
 */
export class GpuStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(private options: StatusViewOptions) {
    this.item = vscode.window.createStatusBarItem('modelmon.gpu', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Model Monitor: GPU';
    this.item.command = OPEN_GPU_DASHBOARD_COMMAND;
  }

  /** Shows a different GPU or metric list from the next render on. */
  configure(options: StatusViewOptions): void {
    this.options = options;
  }

  render(state: GpuMonitorState): void {
    const view = describeGpuStatus(state, this.options);
    if (!view.visible) {
      this.item.hide();
      return;
    }
    this.item.text = view.text;
    // Screen readers would otherwise read the codicon markup ("dollar warning").
    this.item.accessibilityInformation = { label: accessibleStatusText(view.text), role: 'button' };
    const tooltip = new vscode.MarkdownString(view.tooltip);
    tooltip.supportThemeIcons = true;
    this.item.tooltip = tooltip;
    this.item.backgroundColor =
      view.severity === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : view.severity === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
