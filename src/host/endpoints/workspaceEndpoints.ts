import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EndpointMonitorConfig } from '../../core/config';
import { parseGolden, type GoldenCase, type GoldenVerdict } from '../../core/endpoints/golden';
import { EndpointMonitor } from '../../core/endpoints/monitor';
import type { TrafficReport } from '../../core/endpoints/traffic';
import type { ConcreteProtocol } from '../../core/endpoints/types';
import { AccessLogTail } from '../../io/endpoints/accessLogFile';
import { displayUrl } from '../../io/endpoints/httpProbe';
import { checkGolden, fetchModelVersion, probeHealth, resolveProtocol, type EndpointTarget } from '../../io/endpoints/prober';
import type { EndpointView, EndpointsState } from '../../protocol/endpoints';
import type { AlertCenter } from '../alerts/alertCenter';
import type { MonitorLog } from '../log';
import { endpointView } from './endpointView';

/** SecretStorage key of a bearer token for one origin. */
export const tokenKey = (origin: string) => `modelmon.endpointToken:${origin}`;
/** Golden answers are re-checked every this many probes (they cost a request each). */
const GOLDEN_EVERY = 10;

/** One configured endpoint while it is watched: its timer, monitor, access-log tail. */
class WatchedEndpoint implements vscode.Disposable {
  readonly monitor: EndpointMonitor;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private protocol: ConcreteProtocol | undefined;
  private probes = 0;
  private modelVersion: string | null = null;
  private certDaysLeft: number | null = null;
  private golden: (GoldenVerdict & { at: number }) | null = null;
  private traffic: TrafficReport | null = null;
  private tail: AccessLogTail | undefined;
  private readonly abort = new AbortController();

  constructor(
    readonly config: EndpointMonitorConfig,
    private readonly dir: string,
    private readonly secrets: vscode.SecretStorage,
    private readonly alerts: AlertCenter,
    private readonly log: MonitorLog,
    private readonly changed: () => void,
  ) {
    this.monitor = new EndpointMonitor(config.slo);
  }

  get source(): string {
    return `endpoint:${this.config.name}`;
  }

  start(): void {
    if (this.config.accessLog) {
      this.tail = new AccessLogTail(path.resolve(this.dir, this.config.accessLog), { format: 'auto', windowSeconds: 60 }, (report) => {
        this.traffic = report;
        this.changed();
      });
      this.tail.start(2000);
    }
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.intervalMs);
  }

  private async target(): Promise<EndpointTarget> {
    let headers: Record<string, string> | undefined;
    try {
      const token = await this.secrets.get(tokenKey(new URL(this.config.url).origin));
      if (token) headers = { authorization: `Bearer ${token}` };
    } catch {
      // host:port (TCP) has no origin and takes no token
    }
    return { url: this.config.url, protocol: this.config.protocol, timeoutMs: this.config.timeoutMs, ...(this.config.model ? { model: this.config.model } : {}), ...(headers ? { headers } : {}) };
  }

  /** One probe; a tick while the previous probe runs is skipped, so probes never overlap. */
  async tick(): Promise<void> {
    if (this.inFlight || this.abort.signal.aborted) return;
    this.inFlight = true;
    try {
      const target = await this.target();
      this.protocol ??= await resolveProtocol(target, this.abort.signal);
      const result = await probeHealth(target, this.protocol, this.abort.signal);
      if (this.abort.signal.aborted) return;
      if (result.certDaysLeft !== undefined) this.certDaysLeft = result.certDaysLeft;
      if (result.ok && this.probes % GOLDEN_EVERY === 0) await this.checkAnswers(target, this.protocol);
      this.probes++;
      const events = this.monitor.update(result, this.golden ?? undefined);
      for (const e of events) {
        if (e.type === 'raised') this.alerts.raise({ source: this.source, kind: e.alert.kind, severity: e.alert.severity, message: `${this.config.name}: ${e.alert.message}` });
        else this.alerts.clear(this.source, e.kind);
      }
    } catch (error) {
      this.log.warn(`endpoint ${this.config.name}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.inFlight = false;
      this.changed();
    }
  }

  private async checkAnswers(target: EndpointTarget, protocol: ConcreteProtocol): Promise<void> {
    this.modelVersion = await fetchModelVersion(target, protocol, this.abort.signal);
    if (!this.config.golden) return;
    let cases: GoldenCase[];
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(path.resolve(this.dir, this.config.golden)));
      cases = parseGolden(Buffer.from(bytes).toString('utf8')).cases;
    } catch {
      this.log.warn(`endpoint ${this.config.name}: cannot read golden answers ${this.config.golden}`);
      return;
    }
    if (!cases.length) return;
    this.golden = { ...(await checkGolden(target, protocol, cases, this.modelVersion, this.abort.signal)), at: Date.now() };
  }

  view(trusted: boolean): EndpointView {
    return endpointView({
      name: this.config.name,
      url: /^[a-z]+:\/\//i.test(this.config.url) ? displayUrl(this.config.url) : this.config.url,
      protocol: this.protocol ?? this.config.protocol,
      trusted,
      snapshot: this.monitor.snapshot(),
      modelVersion: this.modelVersion,
      certDaysLeft: this.certDaysLeft,
      golden: this.golden,
      traffic: this.traffic,
    });
  }

  dispose(): void {
    this.abort.abort();
    if (this.timer) clearInterval(this.timer);
    this.tail?.dispose();
  }
}

/**
 * The endpoints of the workspace's `modelmon.json` files and the `modelmon.endpoints` setting,
 * each probed on its interval. Nothing is probed in an untrusted workspace: a workspace must not
 * be able to make the editor send requests. Tokens come from SecretStorage only.
 */
export class WorkspaceEndpoints implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private watched: WatchedEndpoint[] = [];
  private configs: { config: EndpointMonitorConfig; dir: string }[] = [];
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly alerts: AlertCenter,
    private readonly log: MonitorLog,
  ) {
    this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.restart()));
  }

  /** Replaces the configured endpoints (from config files and settings) and restarts probing. */
  configure(configs: { config: EndpointMonitorConfig; dir: string }[]): void {
    const key = (c: { config: EndpointMonitorConfig; dir: string }[]) => JSON.stringify(c);
    if (key(configs) === key(this.configs)) return;
    this.configs = configs;
    this.restart();
  }

  private restart(): void {
    for (const w of this.watched) w.dispose();
    this.watched = this.configs.map(({ config, dir }) => new WatchedEndpoint(config, dir, this.secrets, this.alerts, this.log, () => this.fire()));
    if (vscode.workspace.isTrusted) for (const w of this.watched) w.start();
    else if (this.watched.length) this.log.info(`endpoints: ${this.watched.length} configured, none probed: the workspace is not trusted`);
    this.fire();
  }

  /** Probes every endpoint now (the Refresh command). */
  async probeNow(): Promise<void> {
    if (!vscode.workspace.isTrusted) return;
    await Promise.all(this.watched.map((w) => w.tick()));
  }

  /** Changes are coalesced: many probes finishing together redraw once. */
  private fire(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.emitter.fire();
    }, 50);
  }

  state(): EndpointsState {
    const trusted = vscode.workspace.isTrusted;
    return {
      endpoints: this.watched.map((w) => w.view(trusted)),
      status: !this.watched.length ? 'No endpoint is configured.' : trusted ? null : 'Probes are off: this workspace is not trusted.',
    };
  }

  dispose(): void {
    clearTimeout(this.pending);
    for (const w of this.watched) w.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
