import { GpuAlertRules, type GpuAlert, type GpuAlertEvent, type GpuAlertThresholds } from './alerts';
import { EnergyMeter, type EnergyReport } from './energy';
import type { GpuMonitorState } from './statusView';
import type { ComputeApp, GpuSnapshot } from './types';

export interface GpuMonitorModelOptions {
  readonly thresholds?: Partial<GpuAlertThresholds>;
  readonly pricePerKWh: number;
  /** Snapshots kept for a dashboard opened late. */
  readonly historyLimit?: number;
}

/**
 * What one monitoring session knows, fed by the sampler's events: the state the status bar shows,
 * recent history, the compute processes, alerts (once per episode) and energy. The editor only
 * forwards events here and renders the result, so all of it is tested without VS Code.
 *
 * @example
 * const model = new GpuMonitorModel({ pricePerKWh: 0.15 });
 * for (const e of model.onSnapshot(snapshot)) notify(e);
 * statusBar.render(model.state);
 */
export class GpuMonitorModel {
  readonly rules: GpuAlertRules;
  readonly meter: EnergyMeter;
  readonly historyLimit: number;
  /** Set by the editor while a run it knows of (a task, a debug session) is training. */
  trainingActive = false;
  private current: GpuMonitorState = { kind: 'starting' };
  private readonly snapshots: GpuSnapshot[] = [];
  private apps: readonly ComputeApp[] = [];

  constructor(options: GpuMonitorModelOptions) {
    const limit = options.historyLimit ?? 600;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`GpuMonitorModel: historyLimit must be an integer >= 1, got ${limit}`);
    this.historyLimit = limit;
    this.rules = new GpuAlertRules(options.thresholds);
    this.meter = new EnergyMeter({ pricePerKWh: options.pricePerKWh });
  }

  get state(): GpuMonitorState {
    return this.current;
  }

  /** Recent snapshots, oldest first. */
  get history(): readonly GpuSnapshot[] {
    return this.snapshots;
  }

  get computeApps(): readonly ComputeApp[] {
    return this.apps;
  }

  get alerts(): GpuAlert[] {
    return this.rules.active;
  }

  get energy(): EnergyReport {
    return this.meter.report();
  }

  /** A new sample: updates history, energy and alerts; returns the alerts that started or ended. */
  onSnapshot(snapshot: GpuSnapshot): GpuAlertEvent[] {
    this.snapshots.push(snapshot);
    if (this.snapshots.length > this.historyLimit) this.snapshots.splice(0, this.snapshots.length - this.historyLimit);
    this.meter.add(snapshot, this.apps);
    const events = this.rules.update(snapshot, { computeApps: this.apps, trainingActive: this.trainingActive });
    this.current = { kind: 'sampling', snapshot, alerts: this.rules.active };
    return events;
  }

  onComputeApps(apps: readonly ComputeApp[]): void {
    this.apps = apps;
  }

  onNoGpu(message: string): void {
    this.current = { kind: 'no-gpu', message };
  }

  /** The sampler is waiting to restart nvidia-smi; the last sample stays visible in the tooltip. */
  onRetrying(reason: string, delayMs: number): void {
    this.current = { kind: 'retrying', reason, delayMs, last: this.snapshots.at(-1) ?? null };
  }
}
