import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME } from '../core/config';
import { writeHtmlReport } from '../io/report';
import { ConfigAcknowledgements } from './alerts/configAcknowledgements';
import { AlertCenter } from './alerts/alertCenter';
import { runDriftReaction } from './alerts/onDrift';
import type { ModelMonitorApi } from './api';
import { registerCommands } from './commands';
import type { Dashboards, RenderEvent } from './dashboards';
import { ConfigFileDiagnostics } from './diagnostics/configFile';
import { PredictionLogDiagnostics } from './diagnostics/predictionLogs';
import { TagSiteIndex } from './diagnostics/tagSiteIndex';
import { TrainingCodeDiagnostics } from './diagnostics/trainingCode';
import { EfficiencyCodeDiagnostics } from './diagnostics/efficiencyCode';
import { TrainingEfficiency } from './training/efficiency';
import { withEfficiency } from './training/efficiencySource';
import { ExplorerTree } from './explorer/explorerTree';
import { GpuMonitor } from './gpu/gpuMonitor';
import { IntegrityFiles } from './integrityFiles';
import { createMonitorLog, describeError, type MonitorLog } from './log';
import { GpuPanelSource, PredictionsPanelSource, TrainingPanelSource } from './panelSources';
import { createDashboards } from './panelsGlue';
import type { DriftCheckResult } from './predictions/service';
import { WorkspacePredictionLogs } from './predictions/workspaceLogs';
import { WorkspaceTrainingRuns } from './training/trainingRuns';
import { registerEndpoints } from './endpoints';
import { reportRender } from './panels';
import { plural } from '../core/charts/format';

/**
 * Everything the extension owns while it is active. Built once in `activate`; disposing it
 * stops every watcher, child process, panel and registration.
 */
export class MonitorContext implements vscode.Disposable {
  readonly log: MonitorLog;
  readonly alerts: AlertCenter;
  readonly training: WorkspaceTrainingRuns;
  readonly predictions: WorkspacePredictionLogs;
  readonly sites: TagSiteIndex;
  readonly trainingDiagnostics: TrainingCodeDiagnostics;
  readonly configDiagnostics: ConfigFileDiagnostics;
  readonly predictionDiagnostics: PredictionLogDiagnostics;
  readonly integrity: IntegrityFiles;
  readonly gpu: GpuMonitor;
  readonly efficiency: TrainingEfficiency;
  readonly efficiencyDiagnostics: EfficiencyCodeDiagnostics;
  readonly gpuSource: GpuPanelSource;
  readonly predictionsSource: PredictionsPanelSource;
  readonly dashboards: Dashboards;
  readonly explorer: ExplorerTree;
  readonly endpoints: ReturnType<typeof registerEndpoints>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly firstScan: Promise<void>;
  private knownFindings: Set<string> | undefined;
  private readonly knownRuns = new Set<string>();

  constructor(private readonly extension: vscode.ExtensionContext) {
    const own = <T extends vscode.Disposable>(d: T): T => {
      this.disposables.push(d);
      return d;
    };
    this.log = own(createMonitorLog());
    this.alerts = own(new AlertCenter(extension.workspaceState, this.log));
    this.training = own(new WorkspaceTrainingRuns(extension.workspaceState, this.log));
    this.predictions = own(new WorkspacePredictionLogs(this.log));
    this.sites = own(new TagSiteIndex(this.log));
    this.trainingDiagnostics = own(new TrainingCodeDiagnostics(this.training, this.sites));
    this.configDiagnostics = own(new ConfigFileDiagnostics(this.log));
    const acknowledgements = new ConfigAcknowledgements({ configs: this.configDiagnostics, runs: () => this.training.runs(), logs: () => this.predictions.logs() });
    this.alerts.useConfigAcknowledgements((signal) => acknowledgements.signal(signal));
    this.trainingDiagnostics.acknowledged = (f) => acknowledgements.training(f);
    own(
      acknowledgements.onDidChange(() => {
        this.alerts.applyConfigAcknowledgements();
        this.trainingDiagnostics.update();
      }),
    );
    this.predictionDiagnostics = own(new PredictionLogDiagnostics(this.predictions));
    this.integrity = own(new IntegrityFiles(this.log));
    this.gpu = own(new GpuMonitor(this.log, this.alerts));
    this.efficiency = own(new TrainingEfficiency(this.training, this.gpu, this.log, vscode.Uri.joinPath(extension.globalStorageUri, 'gpu-history.rec').fsPath));
    this.efficiencyDiagnostics = own(new EfficiencyCodeDiagnostics(this.training, this.sites, this.efficiency));
    this.gpuSource = own(new GpuPanelSource(this.gpu));
    this.predictionsSource = own(new PredictionsPanelSource(this.predictions));
    this.dashboards = own(
      createDashboards(extension, this.log, {
        training: own(withEfficiency(own(new TrainingPanelSource(this.training, this.sites, (f) => acknowledgements.training(f))), this.efficiency)),
        predictions: this.predictionsSource,
        gpu: this.gpuSource,
      }),
    );
    this.explorer = own(
      new ExplorerTree({
        training: this.training,
        predictions: this.predictions,
        alerts: this.alerts,
        integrity: this.integrity,
        acknowledgements,
        efficiency: this.efficiency,
        gpus: { onDidChange: this.gpu.onDidUpdate, current: () => this.gpu.shownSnapshot?.gpus, status: () => this.gpuSource.status(), replay: () => this.gpu.replay },
      }),
    );
    own(vscode.window.createTreeView('modelmon.explorer', { treeDataProvider: this.explorer, showCollapseAll: true }));
    this.endpoints = own(registerEndpoints({ extension, alerts: this.alerts, log: this.log, configs: this.configDiagnostics, rendered: reportRender }));
    for (const d of registerCommands({
      training: this.training,
      predictions: this.predictions,
      alerts: this.alerts,
      dashboards: this.dashboards,
      log: this.log,
      state: extension.workspaceState,
      verifyIntegrity: (target) => this.integrity.verify(target),
      exportReport: (target) => this.exportReport(target),
      refreshAll: () => this.refreshAll(),
    })) {
      own(d);
    }
    this.alerts.registerOpener('predictions:', (incident) => this.dashboards.openPredictions(incident.source.slice('predictions:'.length)));
    this.alerts.registerOpener('run:', (incident) => this.dashboards.openTraining({ runs: [incident.source.slice('run:'.length)] }));
    this.alerts.registerOpener('gpu:', () => this.dashboards.openGpu());
    own(this.training.onDidChange(() => this.raiseNewTrainingAlerts()));
    own(
      this.configDiagnostics.onDidChange(() => {
        const manifests = this.configDiagnostics.loaded().flatMap(({ uri, config }) => config.integrity.map((i) => path.resolve(path.dirname(uri.fsPath), i.manifest)));
        this.integrity.setConfiguredManifests(manifests);
      }),
    );
    own(this.predictions.onDidChange(() => this.raisePredictionAlerts()));
    own(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('modelmon.tensorboard.pollIntervalMs') || e.affectsConfiguration('modelmon.tensorboard.verifyDataCrc')) void this.training.restart();
        else if (e.affectsConfiguration('modelmon.tensorboard') || e.affectsConfiguration('modelmon.training')) void this.training.refresh();
        if (e.affectsConfiguration('modelmon.predictions')) void this.predictions.refresh();
        if (e.affectsConfiguration('modelmon.diagnostics')) void this.sites.rescan();
        if (e.affectsConfiguration('modelmon.diagnostics') || e.affectsConfiguration('modelmon.codeLens')) this.trainingDiagnostics.update();
        if (e.affectsConfiguration('modelmon.diagnostics')) this.efficiencyDiagnostics.update();
        if (e.affectsConfiguration('modelmon.integrity')) void this.integrity.refresh();
      }),
    );
    void vscode.commands.executeCommand('setContext', 'modelmon.active', true);
    // Scans run after activation returns, so activating stays cheap.
    const scanStart = performance.now();
    this.firstScan = this.scanAll().finally(() => {
      this.firstScanMs = performance.now() - scanStart;
      this.log.info(`first scan of the workspace took ${this.firstScanMs.toFixed(0)} ms`);
    });
  }

  /** Set by activate once the constructor returned: what VS Code waited for. */
  activateMs = 0;
  private firstScanMs: number | undefined;

  /** The object `activate` returns. */
  api(): ModelMonitorApi {
    return {
      ready: () => this.firstScan,
      runs: () => this.training.runs(),
      findings: () => this.training.findings(),
      efficiency: () => this.efficiency.allViews(),
      predictionLogs: () => this.predictions.logs(),
      diagnosticsFor: (uri) => [
        ...this.trainingDiagnostics.collection.get(uri) ?? [],
        ...this.efficiencyDiagnostics.collection.get(uri) ?? [],
        ...this.configDiagnostics.collection.get(uri) ?? [],
        ...this.predictionDiagnostics.collection.get(uri) ?? [],
      ],
      gpuStatusText: () => this.gpuSource.statusText(),
      gpuStatusTooltip: () => this.gpuSource.statusTooltip(),
      checkDrift: async (options) => (await vscode.commands.executeCommand<DriftCheckResult>('modelmon.checkDrift', { ...options, silent: options.silent ?? true })),
      onDidRender: this.dashboards.onDidRender as vscode.Event<RenderEvent>,
      alerts: () => this.alerts.history(),
      explorer: this.explorer,
      endpoints: () => this.endpoints.state(),
      timings: () => ({ activateMs: this.activateMs, firstScanMs: this.firstScanMs }),
    };
  }

  dispose(): void {
    for (const d of this.disposables.reverse()) {
      try {
        d.dispose();
      } catch (error) {
        this.log.error(`dispose: ${describeError(error)}`);
      }
    }
  }

  private async scanAll(): Promise<void> {
    const started = Date.now();
    await Promise.all([
      this.training.ready(),
      this.predictions.ready(),
      this.sites.ready(),
      this.configDiagnostics.scan(),
      this.integrity.refresh(),
    ]).catch((error: unknown) => this.log.error(`first scan: ${describeError(error)}`));
    this.trainingDiagnostics.update();
    this.explorer.refresh();
    this.log.info(`first scan finished in ${Date.now() - started} ms`);
  }

  private async refreshAll(): Promise<void> {
    await Promise.all([this.training.refresh(), this.predictions.refresh(), this.sites.rescan(), this.configDiagnostics.scan(), this.integrity.refresh()]);
    this.trainingDiagnostics.update();
    this.explorer.refresh();
  }

  /**
   * Notifies about findings that appear in a run while it is watched. Findings present when a
   * run is first read (at start-up, or a log directory just added) are shown as problems only.
   */
  private raiseNewTrainingAlerts(): void {
    const findings = this.training.findings();
    const runs = new Set(this.training.runs().map((r) => r.name));
    const first = !this.knownFindings;
    const known = (this.knownFindings ??= new Set());
    for (const f of findings) {
      const key = `${f.run}\u0000${f.tag}\u0000${f.kind}`;
      if (known.has(key)) continue;
      known.add(key);
      if (first || !this.knownRuns.has(f.run) || f.severity === 'info') continue;
      this.alerts.raise({ source: `run:${f.run}`, kind: f.kind, severity: f.severity, message: `${f.run}: ${f.message}` });
    }
    for (const r of runs) this.knownRuns.add(r);
  }

  private raisePredictionAlerts(): void {
    for (const log of this.predictions.logs()) {
      const source = `predictions:${log.path}`;
      if (log.drifted) {
        const { newEpisode } = this.alerts.raise({ source, kind: 'drift', severity: 'warning', message: `drift in ${log.label} (${plural(log.alerts, 'alert')})` });
        if (newEpisode) void runDriftReaction({ log: log.path, report: log.report }, this.extension.workspaceState, this.log);
      } else if (log.report) this.alerts.clear(source, 'drift');
    }
  }

  private async exportReport(target: vscode.Uri): Promise<unknown> {
    const configs = await vscode.workspace.findFiles(`**/${CONFIG_FILE_NAME}`, '**/node_modules/**', 1);
    const config = configs[0];
    if (!config) throw new Error(`the report needs a ${CONFIG_FILE_NAME} in the workspace that lists what to check`);
    this.log.info(`report: running the checks of ${vscode.workspace.asRelativePath(config)}`);
    return writeHtmlReport(config.fsPath, target.fsPath, { title: `Model Monitor report: ${path.basename(path.dirname(config.fsPath))}` });
  }
}
