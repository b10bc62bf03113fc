import * as vscode from 'vscode';
import type { Dashboards, RenderEvent } from './dashboards';
import type { MonitorLog } from './log';
import { onDidRender, openDriftCheckPanel, openGpuDashboard, openPredictionsDashboard, openTrainingDashboard, registerPanels, type PanelSources } from './panels';

/** The webview dashboards behind the commands' `Dashboards` port. */
export function createDashboards(extension: vscode.ExtensionContext, log: MonitorLog, sources: PanelSources): Dashboards {
  const registration = registerPanels(extension, sources, log);
  return {
    onDidRender: onDidRender as vscode.Event<RenderEvent>,
    openTraining: async (focus) => {
      openTrainingDashboard(focus ?? {});
    },
    openPredictions: async (log) => {
      openPredictionsDashboard(log ? { log } : {});
    },
    openGpu: async () => {
      openGpuDashboard();
    },
    openDriftCheck: async (title, report) => {
      openDriftCheckPanel(title, report);
    },
    dispose: () => registration.dispose(),
  };
}
