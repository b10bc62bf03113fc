import * as vscode from 'vscode';
import { isWebviewMessage, randomNonce, webviewPage, type HostToWebview, type ViewOptions, type WebviewToHost } from '../../protocol';
import type { PanelKind } from '../../protocol/views';

export interface RenderReport {
  readonly panel: PanelKind;
  readonly points: number;
  readonly charts: number;
  /** What the page says it shows (the GPU dashboard: vendor and model), for tests. */
  readonly title?: string;
}

/** What every panel gets from the registry that created it. */
export interface PanelContext {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly rendered: (report: RenderReport) => void;
}

export const VIEW_TYPES: Record<PanelKind, string> = {
  training: 'modelmon.training',
  predictions: 'modelmon.predictions',
  gpu: 'modelmon.gpu',
  endpoint: 'modelmon.endpoint',
};

export const TITLES: Record<PanelKind, string> = {
  training: 'Training Runs',
  predictions: 'Predictions',
  gpu: 'GPU Monitor',
  endpoint: 'Endpoints',
};

/** Webview options shared by creation and restore: scripts on, resources only from dist/ and media/. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    // The page keeps its view state with setState and is re-sent its data on `ready`, so a hidden
    // dashboard does not need to stay alive.
    retainContextWhenHidden: false,
    enableFindWidget: true,
  };
}

/**
 * One dashboard webview panel. It owns its disposables (message handler, source subscriptions)
 * and releases them when the panel closes. The page asks for data with `ready` (on first load and
 * whenever VS Code re-creates a hidden webview); until then nothing is posted.
 */
export abstract class DashboardPanel implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  private pageReady = false;
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(
    readonly kind: PanelKind,
    readonly panel: vscode.WebviewPanel,
    protected readonly context: PanelContext,
  ) {
    const webview = panel.webview;
    webview.options = webviewOptions(context.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icons', 'modelmon.svg');
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down; it says `ready` again when shown.
        if (!panel.visible) this.pageReady = false;
      }),
    );
    webview.html = webviewPage({
      panel: kind,
      title: TITLES[kind],
      cspSource: webview.cspSource,
      nonce: randomNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'media', 'panel.css')).toString(),
    });
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** The full state for an `init` message. */
  protected abstract initMessage(): HostToWebview;

  /** Called when the page (re)loaded and has been sent `init`: incremental tracking restarts. */
  protected onInit(): void {}

  protected onOptions(_options: ViewOptions): void {}

  /** Paths the page may ask to open: only those this panel sent. */
  protected allowedFiles(): ReadonlySet<string> {
    return new Set();
  }

  /** True when the page is loaded and listening; updates to a page that is not are dropped. */
  protected get ready(): boolean {
    return this.pageReady && !this.disposed;
  }

  protected post(message: HostToWebview): void {
    if (!this.ready) return;
    this.panel.webview.postMessage(message).then(undefined, (e: unknown) => this.context.log.warn(`${this.kind} dashboard: post failed: ${String(e)}`));
  }

  protected sendInit(): void {
    if (this.disposed) return;
    this.pageReady = true;
    try {
      this.post(this.initMessage());
      this.onInit();
    } catch (e) {
      this.context.log.error(`${this.kind} dashboard: could not build its state: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  private receive(message: unknown): void {
    if (!isWebviewMessage(message)) {
      this.context.log.warn(`${this.kind} dashboard: dropped a malformed message`);
      return;
    }
    this.handle(message);
  }

  private handle(m: WebviewToHost): void {
    switch (m.type) {
      case 'ready':
        if (m.panel === this.kind) this.sendInit();
        return;
      case 'rendered':
        if (m.panel === this.kind) this.context.rendered({ panel: m.panel, points: m.points, charts: m.charts, ...(m.title !== undefined ? { title: m.title } : {}) });
        return;
      case 'openFile':
        void this.openFile(m.path, m.line);
        return;
      case 'setOptions':
        if (m.panel === this.kind) this.onOptions(m);
        return;
      case 'error':
        this.context.log.error(`${this.kind} dashboard: ${m.message}`);
        return;
    }
  }

  private async openFile(path: string, line: number): Promise<void> {
    if (!this.allowedFiles().has(path)) {
      this.context.log.warn(`${this.kind} dashboard: refused to open ${path}: not a file this dashboard shows`);
      return;
    }
    try {
      const position = new vscode.Position(line - 1, 0);
      await vscode.window.showTextDocument(vscode.Uri.file(path), {
        selection: new vscode.Range(position, position),
        viewColumn: vscode.ViewColumn.Beside,
        preview: true,
      });
    } catch (e) {
      void vscode.window.showErrorMessage(`Model Monitor could not open ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Runs `fn` once, `ms` after the first of a burst of calls: live sources change many times a second. */
export function coalesce(fn: () => void, ms: number): { (): void; dispose(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
  schedule.dispose = () => clearTimeout(timer);
  return schedule;
}
