import * as vscode from 'vscode';
import { AlertBook, type AlertSignal, type Incident, type Observation } from '../../core/alerts';
import type { MonitorLog } from '../log';
import { readSettings } from '../settings';

const HISTORY_KEY = 'modelmon.alertHistory';
const SNOOZE_MS = 60 * 60_000;
/** How an acknowledgement from `modelmon.json` is noted in an incident's timeline. */
const CONFIG_NOTE = 'modelmon.json: ';

/** What an alert's "Open" action shows; registered by whoever raises the alert. */
export type AlertOpener = (incident: Incident) => Thenable<unknown> | void;

/**
 * The host side of alerts: feeds signals into the incident history (kept in workspace state),
 * shows one notification per episode with Open / Acknowledge / Snooze 1h, and tells the tree.
 */
export class AlertCenter implements vscode.Disposable {
  private readonly book: AlertBook;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly openers = new Map<string, AlertOpener>();
  /** Notifications shown, newest last; the tests read them instead of the UI. */
  readonly shown: { readonly incidentId: string; readonly message: string }[] = [];

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: MonitorLog,
    private readonly now: () => number = Date.now,
  ) {
    const gap = readSettings().episodeGapMinutes * 60_000;
    // A condition that clears and comes back within the gap (a replayed throttle) is one episode.
    this.book = new AlertBook({ episodeGapMs: gap, reopenWithinMs: gap }, state.get<unknown>(HISTORY_KEY));
    void this.updateContext();
  }

  /** Registers how to open alerts whose source starts with `prefix` (e.g. `predictions:`). */
  registerOpener(prefix: string, opener: AlertOpener): vscode.Disposable {
    this.openers.set(prefix, opener);
    return new vscode.Disposable(() => this.openers.delete(prefix));
  }

  /** Where acknowledgements written in `modelmon.json` come from; they silence an episode as a click would. */
  private configAcknowledgement: (signal: AlertSignal) => string | undefined = () => undefined;

  useConfigAcknowledgements(lookup: (signal: AlertSignal) => string | undefined): void {
    this.configAcknowledgement = lookup;
    this.applyConfigAcknowledgements();
  }

  /** Acknowledges the open incidents a (changed) `modelmon.json` now acknowledges. */
  applyConfigAcknowledgements(): void {
    let changed = false;
    for (const incident of this.book.active()) {
      if (incident.state === 'acknowledged') continue;
      const reason = this.configAcknowledgement(incident);
      if (reason !== undefined && this.book.acknowledge(incident.id, this.now(), `${CONFIG_NOTE}${reason}`)) changed = true;
    }
    if (changed) this.persist();
  }

  /** Records that a condition holds; notifies when it starts an episode (or a snooze ended). */
  raise(signal: AlertSignal): Observation {
    let observation = this.book.observe(signal, this.now());
    if (observation.newEpisode) this.log.warn(`alert: ${signal.source} ${signal.kind}: ${signal.message}`);
    const reason = observation.incident.state === 'acknowledged' ? undefined : this.configAcknowledgement(signal);
    if (reason !== undefined) {
      const incident = this.book.acknowledge(observation.incident.id, this.now(), `${CONFIG_NOTE}${reason}`);
      if (incident) observation = { ...observation, incident, notify: false };
    }
    this.persist();
    if (observation.notify && readSettings().notifications) this.notify(observation.incident);
    return observation;
  }

  /** The `modelmon.json` reason an incident was acknowledged with, if that is how. */
  static configReason(incident: Incident): string | undefined {
    const note = [...incident.events].reverse().find((e) => e.kind === 'acknowledged')?.note;
    return note?.startsWith(CONFIG_NOTE) ? note.slice(CONFIG_NOTE.length) : undefined;
  }

  /** Ends an episode because its condition cleared. */
  clear(source: string, kind: string, note?: string): void {
    const incident = this.book.resolve(source, kind, this.now(), note);
    if (!incident) return;
    this.log.info(`alert cleared: ${source} ${kind}`);
    this.persist();
  }

  acknowledge(id: string): Incident | undefined {
    const incident = this.book.acknowledge(id, this.now());
    if (incident) {
      this.log.info(`alert acknowledged: ${incident.source} ${incident.kind}`);
      this.persist();
    }
    return incident;
  }

  snooze(id: string, forMs = SNOOZE_MS): Incident | undefined {
    const now = this.now();
    const incident = this.book.snooze(id, now, now + forMs);
    if (incident) {
      this.log.info(`alert snoozed until ${new Date(now + forMs).toISOString()}: ${incident.source} ${incident.kind}`);
      this.persist();
    }
    return incident;
  }

  active(): Incident[] {
    return this.book.active();
  }

  history(): Incident[] {
    return this.book.incidents();
  }

  get(id: string): Incident | undefined {
    return this.book.get(id);
  }

  open(incident: Incident): void {
    for (const [prefix, opener] of this.openers) {
      if (incident.source.startsWith(prefix)) {
        void opener(incident);
        return;
      }
    }
    this.log.info(`no view to open for alert source ${incident.source}`);
  }

  dispose(): void {
    this.changed.dispose();
  }

  private notify(incident: Incident): void {
    this.shown.push({ incidentId: incident.id, message: incident.message });
    const show = incident.severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(`Model Monitor: ${incident.message}`, 'Open', 'Acknowledge', 'Snooze 1h').then((choice) => {
      if (choice === 'Open') this.open(incident);
      else if (choice === 'Acknowledge') this.acknowledge(incident.id);
      else if (choice === 'Snooze 1h') this.snooze(incident.id);
    });
  }

  private persist(): void {
    void this.state.update(HISTORY_KEY, this.book.toJSON());
    void this.updateContext();
    this.changed.fire();
  }

  private async updateContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'modelmon.hasActiveAlerts', this.book.active().length > 0);
    await vscode.commands.executeCommand('setContext', 'modelmon.hasAlertHistory', this.book.incidents().length > 0);
  }
}
