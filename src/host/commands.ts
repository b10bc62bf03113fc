import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeAlertKind, describeAlertSource, describeIncidentState, type Incident } from '../core/alerts';
import type { TrainingFocus } from '../protocol/views';
import type { AlertCenter } from './alerts/alertCenter';
import { ALERT_HISTORY_URI, AlertHistoryDocument } from './alerts/alertHistory';
import { driftCheckTitle, parseRowRange, rowRangeProblem } from '../core/driftCheck';
import type { Dashboards } from './dashboards';
import { fileOfNode, type ExplorerNode } from './explorer/explorerTree';
import { describeError, type MonitorLog } from './log';
import type { DriftCheckOptions, DriftCheckResult, DriftReference, PredictionLogs } from './predictions/service';
import { DRIFT_TESTS, readSettings, type DriftTestName } from './settings';
import type { TrainingRuns } from './training/service';

/** What the commands act on. */
export interface CommandTargets {
  readonly training: TrainingRuns;
  readonly predictions: PredictionLogs;
  readonly alerts: AlertCenter;
  readonly dashboards: Dashboards;
  readonly log: MonitorLog;
  readonly state: vscode.Memento;
  /** Verifies checkpoints; undefined when the integrity glue is not available. */
  readonly verifyIntegrity?: (target?: vscode.Uri) => Promise<unknown>;
  /** Writes the HTML report; undefined when the report module is not available. */
  readonly exportReport?: (target: vscode.Uri) => Promise<unknown>;
  /** Everything `modelmon.refresh` should rescan. */
  readonly refreshAll: () => Promise<void>;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNode = (x: unknown): x is ExplorerNode => isRecord(x) && typeof x.kind === 'string' && !('log' in x && typeof x.log === 'string');

/** The focus a tree node or an argument object asks the training dashboard for. */
function trainingFocusOf(value: unknown): TrainingFocus | undefined {
  if (!isRecord(value)) return undefined;
  if (isNode(value)) {
    if (value.kind === 'run') return { runs: [value.run.name] };
    if (value.kind === 'tag') return { runs: [value.run.name], tag: value.tag.tag };
    if (value.kind === 'runGroup') return { runs: value.runs.map((r) => r.name) };
  }
  const arg: Record<string, unknown> = value;
  const focus: { runs?: string[]; tag?: string; step?: number; section?: 'efficiency' } = {};
  if (Array.isArray(arg.runs)) focus.runs = arg.runs.filter((r): r is string => typeof r === 'string');
  if (typeof arg.tag === 'string') focus.tag = arg.tag;
  if (typeof arg.step === 'number' && Number.isFinite(arg.step)) focus.step = arg.step;
  if (arg.section === 'efficiency') focus.section = arg.section;
  return focus;
}

function logOf(value: unknown): string | undefined {
  if (value instanceof vscode.Uri) return value.fsPath;
  if (!isRecord(value)) return undefined;
  if (isNode(value)) return value.kind === 'predictionLog' ? value.log.path : undefined;
  const arg: Record<string, unknown> = value;
  return typeof arg.log === 'string' ? resolveInWorkspace(arg.log) : undefined;
}

function resolveInWorkspace(p: string): string {
  if (path.isAbsolute(p)) return p;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return root ? path.join(root, p) : p;
}

function incidentOf(arg: unknown, alerts: AlertCenter): Incident | undefined {
  if (typeof arg === 'string') return alerts.get(arg);
  if (isRecord(arg) && isNode(arg) && arg.kind === 'alert') return alerts.get(arg.incident.id);
  if (isRecord(arg) && typeof arg.id === 'string') return alerts.get(arg.id);
  return undefined;
}

/** Registers every `modelmon.*` command; the returned disposables unregister them. */
export function registerCommands(t: CommandTargets): vscode.Disposable[] {
  const register = (id: string, run: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (error) {
        t.log.error(`${id}: ${describeError(error)}`);
        void vscode.window.showErrorMessage(`Model Monitor: ${describeError(error)}`);
        return undefined;
      }
    });

  const history = new AlertHistoryDocument(t.alerts);
  return [
    register('modelmon.refresh', () => t.refreshAll()),
    register('modelmon.showOutput', () => t.log.show(true)),
    register('modelmon.addLogDir', async (arg?: unknown) => {
      let dir = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? arg.fsPath : undefined;
      if (!dir) {
        const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Watch Log Directory', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
        dir = picked?.[0]?.fsPath;
      }
      if (!dir) return undefined;
      await t.training.addLogdir(resolveInWorkspace(dir));
      return t.training.logdirs();
    }),
    register('modelmon.removeLogDir', async (arg?: unknown) => {
      const dir = typeof arg === 'string' ? resolveInWorkspace(arg) : (await vscode.window.showQuickPick(t.training.addedLogdirs().map((d) => ({ label: vscode.workspace.asRelativePath(d), dir: d })), { placeHolder: 'Stop watching which log directory?' }))?.dir;
      if (!dir) return undefined;
      await t.training.removeLogdir(dir);
      return t.training.logdirs();
    }),
    register('modelmon.openTrainingDashboard', (arg?: unknown) => t.dashboards.openTraining(trainingFocusOf(arg))),
    register('modelmon.compareRuns', async (arg?: unknown) => {
      await t.training.ready();
      const given = trainingFocusOf(arg)?.runs;
      const runs = t.training.runs();
      const picked = await vscode.window.showQuickPick(
        runs.map((r) => ({ label: r.name, description: r.lastStep !== null ? `step ${r.lastStep}` : undefined, picked: given?.includes(r.name) ?? false })),
        { canPickMany: true, title: 'Compare Runs', placeHolder: 'Pick the runs to overlay' },
      );
      if (!picked?.length) return undefined;
      return t.dashboards.openTraining({ runs: picked.map((p) => p.label) });
    }),
    register('modelmon.openPredictionsDashboard', (arg?: unknown) => t.dashboards.openPredictions(logOf(arg))),
    register('modelmon.openGpuDashboard', () => t.dashboards.openGpu()),
    register('modelmon.checkDrift', async (arg?: unknown) => {
      const options = isRecord(arg) && !isNode(arg) && typeof arg.log === 'string' ? parseDriftOptions(arg) : await askDriftOptions(t, logOf(arg));
      return options ? checkDrift(t, options) : undefined;
    }),
    register('modelmon.compareRanges', async (arg?: unknown) => {
      const log = logOf(arg) ?? (await pickLog(t, 'Compare Two Row Ranges: prediction log'));
      if (!log) return undefined;
      await t.predictions.ready();
      const rows = t.predictions.logs().find((l) => l.path === log)?.rows ?? 0;
      if (rows < 4) {
        void vscode.window.showWarningMessage(`Model Monitor: ${path.basename(log)} has ${rows} readable rows; comparing two ranges needs at least 4.`);
        return undefined;
      }
      const half = Math.floor(rows / 2);
      const first = await askRange('Compare Two Row Ranges (1/2): reference rows', `0-${half}`, rows);
      if (!first) return undefined;
      const second = await askRange('Compare Two Row Ranges (2/2): rows to compare against the reference', `${first.end}-${rows}`, rows);
      if (!second) return undefined;
      return checkDrift(t, { log, reference: { kind: 'range', ...first }, range: second });
    }),
    register('modelmon.verifyIntegrity', async (arg?: unknown) => {
      if (!t.verifyIntegrity) {
        void vscode.window.showInformationMessage('Model Monitor: checkpoint verification is not available in this build.');
        return undefined;
      }
      const target = isRecord(arg) && isNode(arg) ? fileOfNode(arg) : arg instanceof vscode.Uri ? arg : undefined;
      return t.verifyIntegrity(target);
    }),
    register('modelmon.exportReport', async (arg?: unknown) => {
      if (!t.exportReport) {
        void vscode.window.showInformationMessage('Model Monitor: the HTML report is not available in this build yet.');
        return undefined;
      }
      const target = arg instanceof vscode.Uri
        ? arg
        : await vscode.window.showSaveDialog({ filters: { HTML: ['html'] }, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri.with({ path: `${vscode.workspace.workspaceFolders[0]!.uri.path}/modelmon-report.html` }) });
      if (!target) return undefined;
      await t.exportReport(target);
      t.log.info(`report written to ${target.fsPath}`);
      if (!(arg instanceof vscode.Uri)) {
        void vscode.window.showInformationMessage(`Model Monitor: report written to ${vscode.workspace.asRelativePath(target)}.`, 'Open').then((c) => {
          if (c === 'Open') void vscode.env.openExternal(target);
        });
      }
      return target;
    }),
    register('modelmon.acknowledgeAlert', async (arg?: unknown) => {
      const incident = incidentOf(arg, t.alerts) ?? (await pickIncident(t.alerts, 'Acknowledge which alert?'));
      return incident ? t.alerts.acknowledge(incident.id) : undefined;
    }),
    register('modelmon.snoozeAlert', async (arg?: unknown) => {
      const incident = incidentOf(arg, t.alerts) ?? (await pickIncident(t.alerts, 'Snooze which alert for 1 hour?'));
      return incident ? t.alerts.snooze(incident.id) : undefined;
    }),
    register('modelmon.showAlertHistory', async () => {
      // A virtual document: read-only, never an unsaved Untitled file to be asked about on close.
      const doc = await vscode.workspace.openTextDocument(ALERT_HISTORY_URI);
      history.refresh();
      await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
    vscode.workspace.registerTextDocumentContentProvider(ALERT_HISTORY_URI.scheme, history),
    history,
    t.alerts.onDidChange(() => history.refresh()),
    register('modelmon.revealFile', async (arg?: unknown) => {
      const uri = isRecord(arg) && isNode(arg) ? fileOfNode(arg) : arg instanceof vscode.Uri ? arg : undefined;
      if (!uri) return;
      await vscode.commands.executeCommand('revealInExplorer', uri);
    }),
  ];
}

function parseDriftOptions(arg: Record<string, unknown>): DriftCheckOptions {
  const options: { -readonly [K in keyof DriftCheckOptions]: DriftCheckOptions[K] } = { log: resolveInWorkspace(String(arg.log)) };
  const ref = arg.reference;
  if (typeof ref === 'number') options.reference = { kind: 'rows', rows: ref };
  else if (typeof ref === 'string') options.reference = { kind: 'file', path: resolveInWorkspace(ref) };
  else if (isRecord(ref)) {
    if (ref.kind === 'rows' && typeof ref.rows === 'number') options.reference = { kind: 'rows', rows: ref.rows };
    else if (ref.kind === 'range' && typeof ref.start === 'number' && typeof ref.end === 'number') options.reference = { kind: 'range', start: ref.start, end: ref.end };
    else if (ref.kind === 'file' && typeof ref.path === 'string') options.reference = { kind: 'file', path: resolveInWorkspace(ref.path) };
  }
  if (typeof arg.test === 'string' && (DRIFT_TESTS as readonly string[]).includes(arg.test)) options.test = arg.test as DriftTestName;
  if (isRecord(arg.range) && typeof arg.range.start === 'number' && typeof arg.range.end === 'number') options.range = { start: arg.range.start, end: arg.range.end };
  if (arg.silent === true) options.silent = true;
  return options;
}

async function pickLog(t: CommandTargets, title = 'Check Drift (1/3): prediction log'): Promise<string | undefined> {
  await t.predictions.ready();
  const logs = t.predictions.logs();
  if (logs.length === 1) return logs[0]!.path;
  const picked = await vscode.window.showQuickPick(
    logs.map((l) => ({ label: l.label, description: `${l.rows} rows`, path: l.path })),
    { title, placeHolder: 'Which log?' },
  );
  return picked?.path;
}

async function askDriftOptions(t: CommandTargets, given?: string): Promise<DriftCheckOptions | undefined> {
  const log = given ?? (await pickLog(t));
  if (!log) return undefined;
  const settings = readSettings();
  const refChoice = await vscode.window.showQuickPick(
    [
      { label: `First ${settings.referenceRows} rows`, id: 'default' },
      { label: 'First N rows…', id: 'rows' },
      { label: 'Another log file…', id: 'file' },
    ],
    { title: 'Check Drift (2/3): reference', placeHolder: 'What is the reference distribution?' },
  );
  if (!refChoice) return undefined;
  let reference: DriftReference = { kind: 'rows', rows: settings.referenceRows };
  if (refChoice.id === 'rows') {
    const n = await vscode.window.showInputBox({ title: 'Reference rows', value: String(settings.referenceRows), validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 ? undefined : 'A positive whole number') });
    if (!n) return undefined;
    reference = { kind: 'rows', rows: Number(n) };
  } else if (refChoice.id === 'file') {
    const file = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Prediction logs': ['csv', 'jsonl', 'ndjson', 'json'] }, openLabel: 'Use as Reference' });
    if (!file?.[0]) return undefined;
    reference = { kind: 'file', path: file[0].fsPath };
  }
  const testChoice = await vscode.window.showQuickPick(
    DRIFT_TESTS.map((id) => ({ label: id, description: id === settings.driftTest ? 'configured' : undefined })),
    { title: 'Check Drift (3/3): test', placeHolder: 'Which statistical test?' },
  );
  if (!testChoice) return undefined;
  return { log, reference, test: testChoice.label as DriftTestName };
}

async function askRange(title: string, value: string, rows: number): Promise<{ start: number; end: number } | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    value,
    prompt: `start-end of 0-based rows, end exclusive; the log has ${rows.toLocaleString('en-US')} rows (0-${rows})`,
    validateInput: (v) => rowRangeProblem(v, rows),
  });
  return text !== undefined ? parseRowRange(text, rows) : undefined;
}

async function pickIncident(alerts: AlertCenter, placeHolder: string): Promise<Incident | undefined> {
  const active = alerts.active();
  if (!active.length) {
    void vscode.window.showInformationMessage('Model Monitor: no active alerts.');
    return undefined;
  }
  const time = (ms: number) => new Date(ms).toLocaleTimeString();
  const picked = await vscode.window.showQuickPick(
    active.map((i) => ({
      label: i.message,
      description: `${describeAlertSource(i.source)} · ${describeAlertKind(i.kind)} · ${describeIncidentState(i, time)}`,
      detail: `since ${new Date(i.firstSeen).toLocaleString()}${i.count > 1 ? `, seen ${i.count} times` : ''}`,
      id: i.id,
    })),
    { placeHolder },
  );
  return picked ? alerts.get(picked.id) : undefined;
}

/**
 * Runs a drift check with progress, then (unless silent) opens its result in a panel of its own.
 * An ad-hoc check never touches the live monitor: no alert, no drift reaction, no change to the
 * predictions dashboard or the tree.
 */
async function checkDrift(t: CommandTargets, options: DriftCheckOptions): Promise<DriftCheckResult> {
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Model Monitor: checking drift in ${path.basename(options.log)}`, cancellable: true },
    (_progress, token) => t.predictions.checkDrift(options, token),
  );
  t.log.info(`drift check: ${result.summary}`);
  if (!options.silent && result.report) {
    await t.dashboards.openDriftCheck(driftCheckTitle({ ...result, report: result.report }, path.basename(result.log)), result.report);
    const show = result.drifted.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`Model Monitor: ${result.summary}`);
  }
  return result;
}
