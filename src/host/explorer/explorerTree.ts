import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Incident } from '../../core/alerts';
import type { GpuReading } from '../../core/gpu/types';
import { AlertCenter } from '../alerts/alertCenter';
import { acknowledgedLabel, type ConfigAcknowledgements } from '../alerts/configAcknowledgements';
import type { PredictionLogs, PredictionLogState } from '../predictions/service';
import type { RunEfficiencyView } from '../../protocol/views';
import { efficiencyTooltipMarkdown } from '../training/efficiencyView';
import type { RunState, TagState, TrainingFinding } from '../training/model';
import type { TrainingRuns } from '../training/service';
import { formatValue } from '../training/sparkline';
import { plural } from '../../core/charts/format';
import { gpuLabel } from '../../core/gpu/backend';
import { gpuName } from '../../core/gpu/alerts';
import { gpuReadingSummary } from '../../core/gpu/statusView';

/** A checkpoint or manifest the integrity section lists. */
export interface IntegrityFile {
  readonly path: string;
  readonly kind: 'checkpoint' | 'manifest';
  /** e.g. "verified", "modified", "unsafe pickle"; undefined until checked. */
  readonly status?: string;
  readonly severity?: 'error' | 'warning' | 'info';
}

export type SectionId = 'training' | 'predictions' | 'gpu' | 'integrity' | 'alerts';

/** Every node of the Model Monitor tree, tagged by kind. */
export type ExplorerNode =
  | { readonly kind: 'section'; readonly section: SectionId }
  | { readonly kind: 'runGroup'; readonly group: string; readonly runs: readonly RunState[] }
  | { readonly kind: 'run'; readonly run: RunState }
  | { readonly kind: 'tag'; readonly run: RunState; readonly tag: TagState }
  | { readonly kind: 'predictionLog'; readonly log: PredictionLogState }
  | { readonly kind: 'gpu'; readonly gpu: GpuReading }
  | { readonly kind: 'integrityFile'; readonly file: IntegrityFile }
  | { readonly kind: 'alert'; readonly incident: Incident }
  | { readonly kind: 'message'; readonly text: string; readonly icon?: string };

/** What the tree reads; each source is optional so the tree works while parts are missing. */
export interface ExplorerSources {
  readonly training: TrainingRuns;
  readonly predictions?: PredictionLogs;
  readonly gpus?: {
    readonly onDidChange: vscode.Event<unknown>;
    /** The GPUs of the very sample the status bar shows. */
    current(): readonly GpuReading[] | undefined;
    status(): string | null;
    /** What a stand-in tool replays, or null for the machine's own GPU. */
    replay?(): string | null;
  };
  readonly integrity?: { readonly onDidChange: vscode.Event<unknown>; files(): readonly IntegrityFile[] };
  readonly alerts: AlertCenter;
  /** Acknowledgements from `modelmon.json`, shown on the findings and alerts they cover. */
  readonly acknowledgements?: ConfigAcknowledgements;
  /** Each run's efficiency, shown as columns in its tooltip. */
  readonly efficiency?: { readonly onDidChange: vscode.Event<unknown>; of(run: string): RunEfficiencyView | undefined };
}

const SECTION_LABELS: Record<SectionId, string> = {
  training: 'Training Runs',
  predictions: 'Prediction Logs',
  gpu: 'GPUs',
  integrity: 'Checkpoints',
  alerts: 'Alerts',
};

/** The `modelmon.explorer` tree: runs and tags, prediction logs, GPUs, checkpoints and alerts. */
export class ExplorerTree implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExplorerNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private gpusShown: readonly GpuReading[] | undefined;

  constructor(private readonly sources: ExplorerSources) {
    const refresh = () => this.refresh();
    this.disposables.push(sources.training.onDidChange(refresh), sources.alerts.onDidChange(refresh));
    if (sources.predictions) this.disposables.push(sources.predictions.onDidChange(refresh));
    if (sources.integrity) this.disposables.push(sources.integrity.onDidChange(refresh));
    if (sources.acknowledgements) this.disposables.push(sources.acknowledgements.onDidChange(refresh));
    if (sources.efficiency) this.disposables.push(sources.efficiency.onDidChange(refresh));
    // The GPU items follow the status bar sample for sample: a delayed refresh showed an older
    // reading than the status bar beside it.
    const gpus = sources.gpus;
    if (gpus) {
      this.disposables.push(
        gpus.onDidChange(() => {
          const current = gpus.current();
          if (current === this.gpusShown) return;
          const appeared = !this.gpusShown?.length !== !current?.length;
          this.gpusShown = current;
          this.changed.fire(appeared ? undefined : { kind: 'section', section: 'gpu' });
        }),
      );
    }
  }

  refresh(): void {
    this.changed.fire(undefined);
    void vscode.commands.executeCommand('setContext', 'modelmon.hasItems', this.hasItems());
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    switch (node.kind) {
      case 'section':
        return this.sectionItem(node.section);
      case 'runGroup': {
        const item = new vscode.TreeItem(node.group, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `runGroup:${node.group}`;
        item.description = `${plural(node.runs.length, 'run')}`;
        item.iconPath = this.runIcon(node.runs);
        item.contextValue = 'runGroup';
        return item;
      }
      case 'run':
        return this.runItem(node.run);
      case 'tag':
        return this.tagItem(node.run, node.tag);
      case 'predictionLog':
        return this.logItem(node.log);
      case 'gpu':
        return this.gpuItem(node.gpu);
      case 'integrityFile':
        return this.integrityItem(node.file);
      case 'alert':
        return this.alertItem(node.incident);
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.icon ?? 'info');
        item.contextValue = 'message';
        return item;
      }
    }
  }

  getChildren(node?: ExplorerNode): ExplorerNode[] {
    if (!node) return this.sections();
    switch (node.kind) {
      case 'section':
        return this.sectionChildren(node.section);
      case 'runGroup':
        return node.runs.map((run) => ({ kind: 'run', run }));
      case 'run':
        return node.run.tags.map((tag) => ({ kind: 'tag', run: node.run, tag }));
      default:
        return [];
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private sections(): ExplorerNode[] {
    const ids: SectionId[] = [];
    // With nothing found at all the tree stays empty, so the view's welcome text shows.
    if (this.sources.training.runs().length || this.sources.training.logdirs().length) ids.push('training');
    if (this.sources.predictions?.logs().length) ids.push('predictions');
    if (this.sources.gpus && (this.sources.gpus.current()?.length ?? 0) > 0) ids.push('gpu');
    if (this.sources.integrity?.files().length) ids.push('integrity');
    if (this.sources.alerts.active().length) ids.push('alerts');
    return ids.map((section) => ({ kind: 'section', section }));
  }

  private hasItems(): boolean {
    return this.sources.training.runs().length > 0 || (this.sources.predictions?.logs().length ?? 0) > 0 || (this.sources.integrity?.files().length ?? 0) > 0;
  }

  private sectionChildren(section: SectionId): ExplorerNode[] {
    switch (section) {
      case 'training': {
        const runs = this.sources.training.runs();
        if (!runs.length) return [{ kind: 'message', text: 'No TensorBoard runs found', icon: 'search' }];
        const groups = new Map<string, RunState[]>();
        for (const run of runs) {
          const members = groups.get(run.group);
          if (members) members.push(run);
          else groups.set(run.group, [run]);
        }
        return [...groups].map(([group, members]): ExplorerNode =>
          members.length === 1 && members[0]!.name === group ? { kind: 'run', run: members[0]! } : { kind: 'runGroup', group, runs: members },
        );
      }
      case 'predictions':
        return (this.sources.predictions?.logs() ?? []).map((log) => ({ kind: 'predictionLog', log }));
      case 'gpu':
        return (this.sources.gpus?.current() ?? []).map((gpu) => ({ kind: 'gpu', gpu }));
      case 'integrity':
        return (this.sources.integrity?.files() ?? []).map((file) => ({ kind: 'integrityFile', file }));
      case 'alerts':
        return this.sources.alerts.active().map((incident) => ({ kind: 'alert', incident }));
    }
  }

  private sectionItem(section: SectionId): vscode.TreeItem {
    const item = new vscode.TreeItem(SECTION_LABELS[section], vscode.TreeItemCollapsibleState.Expanded);
    item.id = `section:${section}`;
    item.contextValue = `section-${section}`;
    const icons: Record<SectionId, string> = { training: 'graph-line', predictions: 'graph', gpu: 'circuit-board', integrity: 'verified', alerts: 'bell' };
    item.iconPath = new vscode.ThemeIcon(icons[section]);
    if (section === 'training') {
      const runs = this.sources.training.runs();
      const findings = this.sources.training.findings();
      const scan = this.sources.training.scanProgress?.();
      const reading = scan && scan[1] > 0 ? ` · reading ${scan[0].toLocaleString('en-US')} of ${plural(scan[1], 'run')}…` : '';
      item.description = `${plural(runs.length, 'run')}${findings.length ? ` · ${plural(findings.length, 'finding')}` : ''}${reading}`;
    } else if (section === 'gpu') {
      item.description = this.sources.gpus?.status() ?? undefined;
    } else if (section === 'alerts') {
      item.description = `${this.sources.alerts.active().length} active`;
    }
    return item;
  }

  private findingsOf(run: string, tag?: string): TrainingFinding[] {
    return this.sources.training.findings().filter((f) => f.run === run && (tag === undefined || f.tag === tag));
  }

  private acknowledgedReason(f: TrainingFinding): string | undefined {
    return this.sources.acknowledgements?.training(f);
  }

  /** The findings that still need attention: acknowledged ones keep their label, not their alarm. */
  private openFindingsOf(run: string, tag?: string): TrainingFinding[] {
    return this.findingsOf(run, tag).filter((f) => this.acknowledgedReason(f) === undefined);
  }

  private runIcon(runs: readonly RunState[]): vscode.ThemeIcon {
    const findings = runs.flatMap((r) => this.openFindingsOf(r.name));
    if (findings.some((f) => f.severity === 'error')) return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    if (findings.some((f) => f.severity === 'warning')) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'));
    return new vscode.ThemeIcon('pulse');
  }

  private runItem(run: RunState): vscode.TreeItem {
    const item = new vscode.TreeItem(run.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `run:${run.logdir}:${run.name}`;
    const findings = this.findingsOf(run.name);
    const acknowledged = findings.filter((f) => this.acknowledgedReason(f) !== undefined).length;
    const open = findings.length - acknowledged;
    item.description = [run.lastStep !== null ? `step ${run.lastStep}` : '', open ? plural(open, 'finding') : '', acknowledged ? `${acknowledged} acknowledged` : ''].filter(Boolean).join(' · ');
    const tooltip = new vscode.MarkdownString(`**${run.name}**\n\n${vscode.workspace.asRelativePath(run.dir)}\n\n`);
    for (const f of findings.slice(0, 8)) {
      const reason = this.acknowledgedReason(f);
      tooltip.appendText(`- ${f.message}${reason !== undefined ? ` (${acknowledgedLabel(reason)})` : ''}\n`);
    }
    const efficiency = this.sources.efficiency?.of(run.name);
    if (efficiency) tooltip.appendMarkdown(`\n${efficiencyTooltipMarkdown(efficiency)}\n`);
    item.tooltip = tooltip;
    item.iconPath = this.runIcon([run]);
    item.resourceUri = vscode.Uri.file(run.eventFiles[0] ?? run.dir);
    item.contextValue = 'run hasFile';
    return item;
  }

  private tagItem(run: RunState, tag: TagState): vscode.TreeItem {
    const item = new vscode.TreeItem(tag.tag, vscode.TreeItemCollapsibleState.None);
    item.id = `tag:${run.logdir}:${run.name}:${tag.tag}`;
    const all = this.findingsOf(run.name, tag.tag);
    const findings = this.openFindingsOf(run.name, tag.tag);
    const acknowledged = all.length > 0 && !findings.length;
    const state = acknowledged ? ` · ${all[0]!.kind} · acknowledged` : tag.nonFinite ? ' · NaN' : findings.length ? ` · ${findings[0]!.kind}` : '';
    item.description = `${formatValue(tag.lastValue)} @ ${tag.lastStep ?? '–'}${state}`;
    item.tooltip = [`${run.name} / ${tag.tag}`, `${tag.points} points`, ...all.map((f) => {
      const reason = this.acknowledgedReason(f);
      return reason !== undefined ? `${f.message} (${acknowledgedLabel(reason)})` : f.message;
    })].join('\n');
    item.iconPath = acknowledged
      ? new vscode.ThemeIcon('pass')
      : tag.nonFinite || findings.some((f) => f.severity === 'error')
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
      : findings.length
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'))
        : new vscode.ThemeIcon('graph-line');
    item.contextValue = 'tag';
    item.command = { command: 'modelmon.openTrainingDashboard', title: 'Open chart', arguments: [{ runs: [run.name], tag: tag.tag, ...(all[0] ? { step: all[0].step } : {}) }] };
    return item;
  }

  private logItem(log: PredictionLogState): vscode.TreeItem {
    const item = new vscode.TreeItem(path.basename(log.path), vscode.TreeItemCollapsibleState.None);
    item.id = `log:${log.path}`;
    item.description = log.error ? 'unreadable' : log.report ? `${log.rows} rows${log.alerts ? ` · ${plural(log.alerts, 'alert')}` : ''}${log.drifted ? ' · drift' : ''}` : 'analysing…';
    item.tooltip = log.error ?? log.label;
    item.iconPath = log.error
      ? new vscode.ThemeIcon('error')
      : log.drifted
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'))
        : new vscode.ThemeIcon('table');
    item.resourceUri = vscode.Uri.file(log.path);
    item.contextValue = 'predictionLog hasFile';
    item.command = { command: 'modelmon.openPredictionsDashboard', title: 'Open dashboard', arguments: [{ log: log.path }] };
    return item;
  }

  private gpuItem(gpu: GpuReading): vscode.TreeItem {
    // Vendor and model (`NVIDIA H100 80GB HBM3`, `AMD Instinct MI300X`), as the status bar names them.
    // A cluster has a GPU 0 on every node: its items are named and keyed by node too.
    const item = new vscode.TreeItem(`${gpuName(gpu)} ${gpuLabel(gpu)}`, vscode.TreeItemCollapsibleState.None);
    item.id = gpu.cluster ? `gpu:${gpu.cluster.host}/${gpu.uuid ?? gpu.index}` : `gpu:${gpu.index}`;
    const replay = this.sources.gpus?.replay?.() ?? null;
    item.description = [gpuReadingSummary(gpu), replay ? 'replay' : ''].filter(Boolean).join(' · ');
    item.tooltip = replay ? `Replay: a stand-in tool replays ${replay}; this is not this machine's GPU.` : undefined;
    item.iconPath = new vscode.ThemeIcon('circuit-board');
    item.contextValue = 'gpu';
    item.command = { command: 'modelmon.openGpuDashboard', title: 'Open GPU dashboard' };
    return item;
  }

  private integrityItem(file: IntegrityFile): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.workspace.asRelativePath(file.path), vscode.TreeItemCollapsibleState.None);
    item.id = `integrity:${file.path}`;
    item.description = file.status;
    item.iconPath = file.severity === 'error'
      ? new vscode.ThemeIcon('error')
      : file.severity === 'warning'
        ? new vscode.ThemeIcon('warning')
        : new vscode.ThemeIcon(file.kind === 'manifest' ? 'checklist' : 'package');
    item.resourceUri = vscode.Uri.file(file.path);
    item.contextValue = `${file.kind === 'manifest' ? 'manifest' : 'checkpoint'} hasFile`;
    return item;
  }

  private alertItem(incident: Incident): vscode.TreeItem {
    const item = new vscode.TreeItem(incident.message, vscode.TreeItemCollapsibleState.None);
    item.id = `alert:${incident.id}`;
    const reason = AlertCenter.configReason(incident);
    const state = reason !== undefined ? 'acknowledged in modelmon.json' : incident.state;
    item.description = `${state}${incident.count > 1 ? ` · ×${incident.count}` : ''} · ${new Date(incident.lastSeen).toLocaleTimeString()}`;
    item.iconPath = incident.state === 'acknowledged'
      ? new vscode.ThemeIcon('pass')
      : new vscode.ThemeIcon(incident.severity === 'error' ? 'error' : incident.severity === 'warning' ? 'warning' : 'info');
    item.contextValue = `alert-${incident.state}`;
    item.tooltip = incident.events.map((e) => `${new Date(e.at).toLocaleString()} ${e.kind}${e.note ? `: ${e.note}` : ''}`).join('\n');
    return item;
  }
}

/** The file a node stands for, for "Reveal File". */
export function fileOfNode(node: ExplorerNode): vscode.Uri | undefined {
  switch (node.kind) {
    case 'run':
      return vscode.Uri.file(node.run.eventFiles[0] ?? node.run.dir);
    case 'predictionLog':
      return vscode.Uri.file(node.log.path);
    case 'integrityFile':
      return vscode.Uri.file(node.file.path);
    default:
      return undefined;
  }
}
