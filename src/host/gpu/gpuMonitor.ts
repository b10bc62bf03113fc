import * as vscode from 'vscode';
import type { GpuAlert } from '../../core/gpu/alerts';
import type { ListedGpu } from '../../core/gpu/computeApps';
import { EnergyMeter, type EnergyReport } from '../../core/gpu/energy';
import { GpuMonitorModel } from '../../core/gpu/monitorModel';
import type { GpuMonitorState } from '../../core/gpu/statusView';
import type { ComputeApp, GpuSnapshot } from '../../core/gpu/types';
import { absentGpuSource, createGpuSource, resolveGpuTool, type GpuSource, type GpuSourceEvent } from '../../io/gpu/gpuSource';
import { TOOL_VENDOR, VENDOR_NAME } from '../../core/gpu/backend';
import { affectsGpuSettings, readGpuSettings, type GpuSettings } from './gpuSettings';
import { GpuStatusBar } from './gpuStatusBar';
import { standInDescription } from './standIn';
import { plural } from '../../core/charts/format';
import { parseLabelMatchers, type LabelMatcher } from '../../core/gpu/dcgmLabels';
import type { StatusViewOptions } from '../../core/gpu/statusView';
import { parsePrometheusUrl } from '../../io/gpu/prometheus';
import { PrometheusGpuSource } from '../../io/gpu/prometheusSource';

/** Where GPU alerts go; `AlertCenter` (host/alerts) has this shape. */
export interface GpuAlertSink {
  raise(signal: { source: string; kind: string; severity: 'error' | 'warning' | 'info'; message: string }): unknown;
  clear(source: string, kind: string, note?: string): void;
}

/** What the dashboard receives on every change. */
export interface GpuMonitorUpdate {
  readonly state: GpuMonitorState;
  readonly computeApps: readonly ComputeApp[];
  readonly energy: EnergyReport;
}

/** One sampling session: lives until the settings change or the monitor is disposed. */
interface Session {
  readonly sampler: Pick<GpuSource, 'on' | 'start' | 'dispose' | 'pid'>;
  /** What samples, for logs and the status bar: `nvidia-smi`, or `Prometheus at http://...`. */
  readonly name: string;
  /** Set when the GPUs are the cluster's, read from Prometheus. */
  readonly origin: string | null;
  /** The label matcher picking the workspace's own cluster GPUs for the status bar. */
  readonly statusMatch: readonly LabelMatcher[];
  readonly model: GpuMonitorModel;
  /** What the tool replays when it is a stand-in (the test fixtures' bin folders), else null. */
  readonly replay: string | null;
}

/**
 * The GPU monitor in the editor: one nvidia-smi session built from the settings, its model
 * (alerts, energy, history) and the status bar item. A settings change disposes the session (and
 * its child process) and starts a new one. Training is "alive" when a compute process holds a
 * GPU, when `setTrainingActive(true)` was called, or while a Python debug session or a task whose
 * name contains "train" runs.
 */
export class GpuMonitor implements vscode.Disposable {
  private readonly updated = new vscode.EventEmitter<GpuMonitorUpdate>();
  /** Fires on every sample and state change. */
  readonly onDidUpdate = this.updated.event;
  private readonly statusBar: GpuStatusBar;
  private readonly subscriptions: vscode.Disposable[] = [];
  private session: Session | null = null;
  private settings: GpuSettings;
  private disabled = false;
  private mig: readonly ListedGpu[] = [];
  private explicitTraining = false;
  private readonly editorRuns = new Set<object>();
  private noGpuNoted = false;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly alerts?: GpuAlertSink,
  ) {
    this.settings = readGpuSettings();
    this.statusBar = new GpuStatusBar({ gpuIndex: this.settings.gpuIndex, metrics: this.settings.statusBarShow });
    this.subscriptions.push(
      this.statusBar,
      this.updated,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsGpuSettings(e)) this.restart();
      }),
      vscode.debug.onDidStartDebugSession((s) => this.trackRun(s, /python|debugpy/i.test(s.type), true)),
      vscode.debug.onDidTerminateDebugSession((s) => this.trackRun(s, true, false)),
      vscode.tasks.onDidStartTaskProcess((e) => this.trackRun(e.execution, /train/i.test(e.execution.task.name), true)),
      vscode.tasks.onDidEndTaskProcess((e) => this.trackRun(e.execution, true, false)),
    );
    this.startSession();
  }

  get state(): GpuMonitorState {
    return this.disabled || !this.session ? { kind: 'disabled' } : this.session.model.state;
  }

  /** The sample every view shows now (the status bar and the tree read this same object). */
  get shownSnapshot(): GpuSnapshot | undefined {
    const state = this.state;
    return state.kind === 'sampling' ? state.snapshot : state.kind === 'retrying' ? (state.last ?? undefined) : undefined;
  }

  /** How the status bar shows the state; the dashboard's copy of the status bar text uses the same. */
  get statusOptions(): StatusViewOptions {
    const s = this.session;
    return {
      gpuIndex: this.settings.gpuIndex,
      metrics: this.settings.statusBarShow,
      ...(this.replay ? { replay: this.replay } : {}),
      ...(s?.statusMatch.length ? { match: s.statusMatch } : {}),
      ...(s ? { sourceName: s.name } : {}),
    };
  }

  /** `Prometheus at http://...` while the cluster's GPUs are shown, else null (this machine's GPUs). */
  get origin(): string | null {
    return this.session?.origin ?? null;
  }

  /** What the GPU tool replays when it is a stand-in rather than the machine's own GPU. */
  get replay(): string | null {
    return this.session?.replay ?? null;
  }

  /** Recent snapshots of this session, oldest first. */
  get history(): readonly GpuSnapshot[] {
    return this.session?.model.history ?? [];
  }

  get computeApps(): readonly ComputeApp[] {
    return this.session?.model.computeApps ?? [];
  }

  get activeAlerts(): readonly GpuAlert[] {
    return this.session?.model.alerts ?? [];
  }

  /** GPUs with their MIG instances; empty unless MIG mode is on. */
  get migInventory(): readonly ListedGpu[] {
    return this.mig;
  }

  get energy(): EnergyReport {
    return this.session?.model.energy ?? new EnergyMeter({ pricePerKWh: this.settings.pricePerKWh }).report();
  }

  /** The pid of the running nvidia-smi stream, for diagnostics and tests. */
  get samplerPid(): number | undefined {
    return this.session?.sampler.pid;
  }

  /** Tells the idle rule that a training run is (or is no longer) alive, beyond what nvidia-smi shows. */
  setTrainingActive(active: boolean): void {
    this.explicitTraining = active;
    this.syncTraining();
  }

  /** Starts the energy count afresh. */
  resetEnergy(): void {
    this.session?.model.meter.reset();
  }

  /** Re-reads the settings and starts a new session, disposing the old one and its child process. */
  restart(): void {
    this.stopSession();
    this.settings = readGpuSettings();
    this.startSession();
  }

  dispose(): void {
    this.stopSession();
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }

  private trackRun(run: object, relevant: boolean, started: boolean): void {
    if (!relevant) return;
    if (started) this.editorRuns.add(run);
    else this.editorRuns.delete(run);
    this.syncTraining();
  }

  private syncTraining(): void {
    if (this.session) this.session.model.trainingActive = this.explicitTraining || this.editorRuns.size > 0;
  }

  private render(): void {
    const state = this.state;
    this.statusBar.configure(this.statusOptions);
    this.statusBar.render(state);
    this.syncAvailability(state);
    this.updated.fire({ state, computeApps: this.computeApps, energy: this.energy });
  }

  /** Last value given to the `modelmon.gpuAvailable` context key, so it is set only on change. */
  private gpuAvailable: boolean | undefined;

  /** Tells `when` clauses (the palette's Open GPU Dashboard) whether any GPU, NVIDIA or AMD, answers. */
  private syncAvailability(state: GpuMonitorState): void {
    const available = state.kind === 'sampling' || (state.kind === 'retrying' && state.last !== null);
    if (available === this.gpuAvailable) return;
    this.gpuAvailable = available;
    void vscode.commands.executeCommand('setContext', 'modelmon.gpuAvailable', available);
  }

  private startSession(): void {
    const s = this.settings;
    this.disabled = !s.enabled;
    if (this.disabled) return this.render();
    let session: Session;
    try {
      if (s.source === 'prometheus') session = this.clusterSession(s);
      else session = this.localSession(s);
    } catch (e) {
      this.log.error(`GPU monitor: ${(e as Error).message}`);
      this.disabled = true;
      return this.render();
    }
    this.session = session;
    this.syncTraining();
    session.sampler.on((event) => {
      if (this.session === session) this.onSamplerEvent(session, event);
    });
    this.render();
    session.sampler.start();
  }

  /** This machine's GPUs through nvidia-smi, amd-smi or rocm-smi. */
  private localSession(s: GpuSettings): Session {
    // Every GPU is sampled (the dashboard shows them all); gpu.index only picks what the status bar shows.
    const paths = { 'nvidia-smi': s.nvidiaSmiPath, 'amd-smi': s.amdSmiPath, 'rocm-smi': s.rocmSmiPath };
    const { resolved, tried } = resolveGpuTool(s.backend, paths, process.env);
    const sampler = resolved
      ? createGpuSource(resolved, { intervalMs: s.intervalMs })
      : s.backend === 'auto'
        ? absentGpuSource('nvidia-smi', `no GPU tool found (${tried}): no GPU monitoring on this machine`)
        : absentGpuSource(s.backend, `${s.backend} not found (${tried}): no ${VENDOR_NAME[TOOL_VENDOR[s.backend]]} GPU monitoring on this machine`);
    const model = new GpuMonitorModel({
      pricePerKWh: s.pricePerKWh,
      thresholds: { memoryPercent: s.memoryAlertPercent, temperatureC: s.temperatureAlertC, idleSeconds: s.idleAlertSeconds },
    });
    return { sampler, model, name: resolved?.tool ?? 'nvidia-smi', origin: null, statusMatch: [], replay: resolved ? standInDescription(resolved.executable) : null };
  }

  /**
   * The cluster's GPUs from Prometheus. The URL and the matcher of what is read come from user or
   * machine settings only; a missing or bad one is said once, like a machine without a GPU.
   */
  private clusterSession(s: GpuSettings): Session {
    const model = new GpuMonitorModel({
      pricePerKWh: s.pricePerKWh,
      thresholds: { memoryPercent: s.memoryAlertPercent, temperatureC: s.temperatureAlertC, idleSeconds: s.idleAlertSeconds },
    });
    const fail = (message: string): Session => ({ sampler: absentGpuSource('nvidia-smi', message), model, name: 'Prometheus', origin: 'Prometheus', statusMatch: [], replay: null });
    if (!s.prometheusUrl) return fail('modelmon.gpu.source is "prometheus" but modelmon.prometheus.url is not set in user or machine settings');
    const parsed = parsePrometheusUrl(s.prometheusUrl);
    if ('error' in parsed) return fail(`modelmon.prometheus.url: ${parsed.error}`);
    let matchers: LabelMatcher[] = [];
    let statusMatch: LabelMatcher[] = [];
    try {
      matchers = s.prometheusMatch ? parseLabelMatchers(s.prometheusMatch) : [];
    } catch (e) {
      return fail(`modelmon.prometheus.match: ${(e as Error).message}`);
    }
    try {
      statusMatch = s.statusBarMatch ? parseLabelMatchers(s.statusBarMatch) : [];
    } catch (e) {
      this.log.warn(`modelmon.prometheus.statusBarMatch ignored: ${(e as Error).message}`);
    }
    const sampler = new PrometheusGpuSource({ url: parsed.url, matchers, intervalMs: s.prometheusIntervalMs });
    return { sampler, model, name: sampler.description, origin: sampler.description, statusMatch, replay: null };
  }

  private stopSession(): void {
    const session = this.session;
    this.session = null;
    this.mig = [];
    if (!session) return;
    for (const a of session.model.alerts) this.alerts?.clear(alertSource(a), a.kind, 'GPU monitor restarted');
    void session.sampler.dispose();
  }

  private onSamplerEvent(session: Session, event: GpuSourceEvent): void {
    const model = session.model;
    switch (event.type) {
      case 'snapshot':
        for (const e of model.onSnapshot(event.snapshot)) this.publish(e.type, e.alert);
        return this.render();
      case 'computeApps':
        return model.onComputeApps(event.apps);
      case 'migInventory':
        this.mig = event.gpus;
        this.log.info(`GPU: MIG on; ${event.gpus.map((g) => `GPU ${g.index}: ${g.migDevices.map((d) => d.profile).join(', ') || 'no instances'}`).join('; ')}`);
        return;
      case 'notice':
        return this.log.info(`GPU: ${event.message}`);
      case 'status': {
        const st = event.status;
        if (st.state === 'no-gpu') {
          // Most machines have no GPU: say so once per window, not on every settings change.
          if (!this.noGpuNoted) this.log.info(`GPU monitoring off: ${st.message}`);
          this.noGpuNoted = true;
          model.onNoGpu(st.message);
          return this.render();
        }
        if (st.state === 'retrying') {
          this.log.warn(`GPU: ${st.reason}; retrying in ${(st.delayMs / 1000).toFixed(1)} s`);
          model.onRetrying(st.reason, st.delayMs);
          return this.render();
        }
        const tool = session.name;
        if (st.state === 'running') this.log.info(`GPU: ${tool} streaming (pid ${st.pid}, ${plural(st.gpuCount, 'GPU')})`);
        if (st.state === 'polling') this.log.info(`GPU: ${tool} polled every ${this.settings.intervalMs} ms, one process at a time (${plural(st.gpuCount, 'GPU')}): ${st.reason}`);
        return;
      }
    }
  }

  private publish(type: 'raised' | 'cleared', alert: GpuAlert): void {
    const source = alertSource(alert);
    if (type === 'raised') {
      this.log.warn(`GPU alert: ${alert.message}`);
      this.alerts?.raise({ source, kind: alert.kind, severity: alert.severity, message: alert.message });
    } else {
      this.log.info(`GPU alert cleared: ${alert.message}`);
      this.alerts?.clear(source, alert.kind);
    }
  }
}

/** An alert's source for the alert centre: `gpu:0` here, `gpu:node-a/0` for a cluster GPU. */
function alertSource(alert: GpuAlert): string {
  return alert.host !== undefined ? `gpu:${alert.host}/${alert.gpuIndex}` : `gpu:${alert.gpuIndex}`;
}
