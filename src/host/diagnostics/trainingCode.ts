import * as vscode from 'vscode';
import { describePlacedFinding, placeFindings, siteLogsTag, tieIncludes, tieScript, type PlacedFinding, type RunPlace, type ScriptSites, type ScriptTie, type TagSite } from '../../core/tagSites';
import { readSettings } from '../settings';
import type { TrainingFinding } from '../training/model';
import type { TrainingRuns } from '../training/service';
import { formatValue, svgSparklineDataUri, unicodeSparkline } from '../training/sparkline';
import type { IndexedScript, TagSiteIndex } from './tagSiteIndex';

export const DIAGNOSTIC_SOURCE = 'Model Monitor';

/** The arguments of `modelmon.openTrainingDashboard`. */
export interface TrainingFocusArgs {
  readonly runs?: readonly string[];
  readonly tag?: string;
  readonly step?: number;
}

function toSeverity(finding: TrainingFinding): vscode.DiagnosticSeverity {
  return finding.severity === 'error'
    ? vscode.DiagnosticSeverity.Error
    : finding.severity === 'warning'
      ? vscode.DiagnosticSeverity.Warning
      : vscode.DiagnosticSeverity.Information;
}

const SEVERITY_ICON = { error: '$(error)', warning: '$(warning)', info: '$(info)' } as const;

/**
 * Training findings as problems on the Python lines that log the affected tags, with a code
 * action to open the chart at the finding's step, a lens with each run's latest value and a
 * hover with a sparkline. Which runs a script shows is core's tie (`placeFindings`): the runs
 * under the directories its writers write to, or any run by tag name when nothing ties it.
 */
export class TrainingCodeDiagnostics implements vscode.CodeActionProvider, vscode.CodeLensProvider, vscode.HoverProvider, vscode.Disposable {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  readonly collection = vscode.languages.createDiagnosticCollection('modelmon-training');
  private readonly findingsByDiagnostic = new Map<string, TrainingFinding>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly training: TrainingRuns,
    private readonly sites: TagSiteIndex,
  ) {
    const selector: vscode.DocumentSelector = { language: 'python', scheme: 'file' };
    this.disposables.push(
      this.collection,
      this.lensesChanged,
      training.onDidChange(() => this.update()),
      sites.onDidChange(() => this.update()),
      vscode.languages.registerCodeActionsProvider(selector, this, { providedCodeActionKinds: TrainingCodeDiagnostics.providedCodeActionKinds }),
      vscode.languages.registerCodeLensProvider(selector, this),
      vscode.languages.registerHoverProvider(selector, this),
    );
  }

  /** The `modelmon.json` acknowledgement of a finding; set by the context once configs are read. */
  acknowledged: ((finding: TrainingFinding) => string | undefined) | undefined;

  /** Recomputes every file's problems from the current findings and tag sites. */
  update(): void {
    this.collection.clear();
    this.findingsByDiagnostic.clear();
    if (!readSettings().diagnosticsEnabled) return;
    const findings = this.training.findings();
    const runs = new Map(this.training.runs().map((r) => [r.name, r]));
    for (const script of this.sites.files()) {
      const { uri } = script;
      const diagnostics: vscode.Diagnostic[] = [];
      for (const { site, finding, by } of this.placed(script, findings)) {
        const range = new vscode.Range(site.line, site.column, site.endLine, site.endColumn);
        // An acknowledgement in modelmon.json keeps the problem visible but as a note that says so.
        const acknowledged = this.acknowledged?.(finding);
        const message = describePlacedFinding(finding, by) + (acknowledged !== undefined ? ` [acknowledged in modelmon.json: ${acknowledged}]` : '');
        const diagnostic = new vscode.Diagnostic(range, message, acknowledged !== undefined ? vscode.DiagnosticSeverity.Information : toSeverity(finding));
        diagnostic.source = DIAGNOSTIC_SOURCE;
        const file = finding.file ?? runs.get(finding.run)?.eventFiles[0];
        const target = file ? vscode.Uri.file(file) : uri;
        diagnostic.code = { value: finding.kind, target };
        if (file) {
          diagnostic.relatedInformation = [
            new vscode.DiagnosticRelatedInformation(new vscode.Location(target, new vscode.Position(0, 0)), `event file of run ${finding.run}`),
          ];
        }
        this.findingsByDiagnostic.set(this.keyOf(uri, diagnostic), finding);
        diagnostics.push(diagnostic);
      }
      if (diagnostics.length) this.collection.set(uri, diagnostics);
    }
    this.lensesChanged.fire();
  }

  /** The finding behind a diagnostic this class published. */
  findingOf(uri: vscode.Uri, diagnostic: vscode.Diagnostic): TrainingFinding | undefined {
    return this.findingsByDiagnostic.get(this.keyOf(uri, diagnostic));
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const finding = this.findingOf(document.uri, diagnostic);
      if (!finding) continue;
      const action = new vscode.CodeAction(`Open chart of ${finding.run} at step ${finding.step}`, vscode.CodeActionKind.QuickFix);
      const args: TrainingFocusArgs = { runs: [finding.run], tag: finding.tag, step: finding.step };
      action.command = { command: 'modelmon.openTrainingDashboard', title: action.title, arguments: [args] };
      action.diagnostics = [diagnostic];
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!readSettings().codeLensEnabled) return [];
    const lenses: vscode.CodeLens[] = [];
    const script = this.sites.scriptOf(document.uri);
    if (!script) return [];
    const tie = this.tieOf(script);
    for (const site of script.sites) {
      const latest = this.latestPerRun(site, tie);
      if (!latest.length) continue;
      const shown = latest.slice(0, 4).map(({ run, value }) => `${run} ${formatValue(value)}`);
      if (latest.length > 4) shown.push(`+${latest.length - 4} more`);
      const args: TrainingFocusArgs = { runs: latest.map((l) => l.run), tag: latest[0]!.tag };
      lenses.push(
        new vscode.CodeLens(new vscode.Range(site.line, site.column, site.endLine, site.endColumn), {
          title: `${site.tag}: ${shown.join(' · ')}`,
          tooltip: 'Latest value per run; click to open the chart',
          command: 'modelmon.openTrainingDashboard',
          arguments: [args],
        }),
      );
    }
    return lenses;
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const script = this.sites.scriptOf(document.uri);
    const site = script?.sites.find((s) => new vscode.Range(s.line, s.column, s.endLine, s.endColumn).contains(position));
    if (!script || !site) return undefined;
    const latest = this.latestPerRun(site, this.tieOf(script));
    if (!latest.length) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.supportHtml = false;
    md.appendMarkdown(`**${escapeMarkdown(site.tag)}** — Model Monitor\n\n`);
    for (const { run, tag, value, lastStep } of latest.slice(0, 6)) {
      const series = this.training.series(run, tag);
      if (!series || !series.values.length) continue;
      md.appendMarkdown(`\`${run.replace(/`/g, "'")}\` ${formatValue(value)} at step ${lastStep ?? '–'}  \n`);
      md.appendMarkdown(`![${escapeMarkdown(run)}](${svgSparklineDataUri(series.values)})  \n`);
      md.appendText(`${unicodeSparkline(series.values)}\n`);
      md.appendMarkdown('\n');
    }
    // Placed findings come errors first, so the worst is never cut off.
    const placed = this.placed(script, this.training.findings()).filter((p) => p.site === site);
    for (const { finding, by } of placed.slice(0, 5)) md.appendMarkdown(`- ${SEVERITY_ICON[finding.severity]} ${escapeMarkdown(describePlacedFinding(finding, by))}\n`);
    const args = encodeURIComponent(JSON.stringify([{ runs: latest.map((l) => l.run), tag: latest[0]!.tag }]));
    md.appendMarkdown(`\n[Open chart](command:modelmon.openTrainingDashboard?${args})`);
    md.isTrusted = { enabledCommands: ['modelmon.openTrainingDashboard'] };
    return new vscode.Hover(md, new vscode.Range(site.line, site.column, site.endLine, site.endColumn));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private latestPerRun(site: TagSite, tie: ScriptTie): { run: string; tag: string; value: number | null; lastStep: number | null }[] {
    const out: { run: string; tag: string; value: number | null; lastStep: number | null }[] = [];
    for (const run of this.training.runs()) {
      if (!tieIncludes(tie, run.name)) continue;
      for (const tag of run.tags) if (siteLogsTag(site, tag.tag)) out.push({ run: run.name, tag: tag.tag, value: tag.lastValue, lastStep: tag.lastStep });
    }
    return out;
  }

  private runPlaces(): RunPlace[] {
    return this.training.runs().map((r) => ({ name: r.name, dir: r.dir }));
  }

  /** The folder a script's relative log directories may also start from. */
  private workspaceRootOf(uri: vscode.Uri): string {
    return vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '/';
  }

  private asScript(script: IndexedScript): ScriptSites {
    return { path: script.uri.fsPath, sites: script.sites, writers: script.writers };
  }

  private tieOf(script: IndexedScript): ScriptTie {
    return tieScript(this.asScript(script), this.runPlaces(), this.workspaceRootOf(script.uri));
  }

  private placed(script: IndexedScript, findings: readonly TrainingFinding[]): PlacedFinding<TrainingFinding>[] {
    return placeFindings([this.asScript(script)], this.runPlaces(), findings, this.workspaceRootOf(script.uri));
  }

  private keyOf(uri: vscode.Uri, d: vscode.Diagnostic): string {
    return `${uri.toString()}|${d.range.start.line}:${d.range.start.character}|${d.message}`;
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
