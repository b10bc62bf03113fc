/** How loud an alert is; maps to a notification's kind and a diagnostic's severity. */
export type AlertSeverity = 'error' | 'warning' | 'info';

/** One observation that a condition holds right now (drift on a log, a hot GPU, NaN in a run). */
export interface AlertSignal {
  /** What is watched, e.g. `predictions:/ws/predictions/x.csv`, `gpu:0`, `run:nan_divergence`. */
  readonly source: string;
  /** What is wrong, e.g. `drift`, `temperature`, `nan`. Together with `source` it keys an episode. */
  readonly kind: string;
  readonly severity: AlertSeverity;
  readonly message: string;
}

export type IncidentState = 'open' | 'acknowledged' | 'snoozed' | 'resolved';

export type IncidentEventKind = 'opened' | 'repeated' | 'acknowledged' | 'snoozed' | 'unsnoozed' | 'resolved';

/** A step in an incident's timeline. */
export interface IncidentEvent {
  readonly at: number;
  readonly kind: IncidentEventKind;
  readonly note?: string;
}

/** One episode of one alert: from the first signal to its resolution (or a quiet gap). */
export interface Incident {
  readonly id: string;
  readonly source: string;
  readonly kind: string;
  readonly severity: AlertSeverity;
  readonly message: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly count: number;
  readonly state: IncidentState;
  readonly snoozedUntil?: number;
  readonly events: readonly IncidentEvent[];
}

/** What `AlertBook.observe` decided about one signal. */
export interface Observation {
  readonly incident: Incident;
  /** True when this signal started a new episode. */
  readonly newEpisode: boolean;
  /** True when the user should hear about it now: once per episode, again after a snooze ends. */
  readonly notify: boolean;
}

export interface AlertBookOptions {
  /** A signal after this much silence starts a new episode (ms). */
  readonly episodeGapMs: number;
  /** The history keeps at most this many incidents, dropping the oldest resolved ones first. */
  readonly maxIncidents: number;
  /** Timeline events kept per incident. */
  readonly maxEventsPerIncident: number;
  /**
   * A condition that clears and returns within this time (ms) continues its episode instead of
   * opening a new one, so a flapping signal (a throttle that comes and goes) notifies once. 0: off.
   */
  readonly reopenWithinMs: number;
}

export const DEFAULT_ALERT_BOOK_OPTIONS: AlertBookOptions = { episodeGapMs: 30 * 60_000, maxIncidents: 200, maxEventsPerIncident: 50, reopenWithinMs: 0 };

/** The JSON form kept in workspace state. */
export interface AlertHistory {
  readonly version: 1;
  readonly nextId: number;
  readonly incidents: readonly Incident[];
}

type MutableIncident = { -readonly [K in keyof Incident]: Incident[K] } & { events: IncidentEvent[] };

const keyOf = (source: string, kind: string): string => `${source}\u0000${kind}`;

/**
 * The incident history: groups repeated alert signals into episodes, decides when to notify
 * (once per episode, not while snoozed or after acknowledgement), and records each incident's
 * timeline. Time is passed in, so the rules are testable without clocks.
 *
 * @example
 * const book = new AlertBook();
 * book.observe({ source: 'gpu:0', kind: 'temperature', severity: 'warning', message: '91 C' }, now).notify; // true
 * book.observe({ source: 'gpu:0', kind: 'temperature', severity: 'warning', message: '92 C' }, now + 1000).notify; // false
 */
export class AlertBook {
  private readonly options: AlertBookOptions;
  private readonly list: MutableIncident[] = [];
  private nextId = 1;

  constructor(options: Partial<AlertBookOptions> = {}, history?: unknown) {
    this.options = { ...DEFAULT_ALERT_BOOK_OPTIONS, ...options };
    if (!(this.options.episodeGapMs > 0)) throw new RangeError('episodeGapMs must be a positive number of milliseconds');
    if (!(this.options.maxIncidents >= 1)) throw new RangeError('maxIncidents must be at least 1');
    if (!(this.options.maxEventsPerIncident >= 2)) throw new RangeError('maxEventsPerIncident must be at least 2');
    if (isAlertHistory(history)) {
      this.nextId = history.nextId;
      for (const incident of history.incidents) this.list.push({ ...incident, events: [...incident.events] });
    }
  }

  /** Records that `signal` holds at time `now` (ms since the epoch). */
  observe(signal: AlertSignal, now: number): Observation {
    const current = this.current(signal.source, signal.kind);
    if (current && now - current.lastSeen <= this.options.episodeGapMs) {
      current.lastSeen = now;
      current.count++;
      current.message = signal.message;
      if (severityRank(signal.severity) > severityRank(current.severity)) current.severity = signal.severity;
      if (current.state === 'snoozed' && (current.snoozedUntil ?? 0) <= now) {
        current.state = 'open';
        delete current.snoozedUntil;
        this.addEvent(current, { at: now, kind: 'unsnoozed' });
        return { incident: { ...current }, newEpisode: false, notify: true };
      }
      return { incident: { ...current }, newEpisode: false, notify: false };
    }
    const reopened = current ? undefined : this.reopen(signal, now);
    if (reopened) return { incident: { ...reopened }, newEpisode: false, notify: false };
    let snoozedUntil: number | undefined;
    if (current) {
      // A quiet gap ends the old episode; a snooze the user set still covers the new one.
      if (current.state === 'snoozed' && (current.snoozedUntil ?? 0) > now) snoozedUntil = current.snoozedUntil;
      this.close(current, current.lastSeen, 'quiet');
    }
    const incident: MutableIncident = {
      id: `incident-${this.nextId++}`,
      source: signal.source,
      kind: signal.kind,
      severity: signal.severity,
      message: signal.message,
      firstSeen: now,
      lastSeen: now,
      count: 1,
      state: snoozedUntil !== undefined ? 'snoozed' : 'open',
      events: [{ at: now, kind: 'opened', note: signal.message }],
    };
    if (snoozedUntil !== undefined) incident.snoozedUntil = snoozedUntil;
    this.list.push(incident);
    this.prune();
    return { incident: { ...incident }, newEpisode: true, notify: snoozedUntil === undefined };
  }

  /** Ends the open episode of (source, kind) because its condition cleared. */
  resolve(source: string, kind: string, now: number, note?: string): Incident | undefined {
    const current = this.current(source, kind);
    if (!current) return undefined;
    this.close(current, now, note);
    return { ...current };
  }

  /** Marks an incident acknowledged; `note` says by whom or why (e.g. the config's reason). */
  acknowledge(id: string, now: number, note?: string): Incident | undefined {
    const incident = this.list.find((i) => i.id === id);
    if (!incident || incident.state === 'resolved') return undefined;
    incident.state = 'acknowledged';
    delete incident.snoozedUntil;
    this.addEvent(incident, note === undefined ? { at: now, kind: 'acknowledged' } : { at: now, kind: 'acknowledged', note });
    return { ...incident };
  }

  /** Silences an incident until `until`; a signal after that notifies again. */
  snooze(id: string, now: number, until: number): Incident | undefined {
    if (!(until > now)) throw new RangeError('until must be later than now');
    const incident = this.list.find((i) => i.id === id);
    if (!incident || incident.state === 'resolved') return undefined;
    incident.state = 'snoozed';
    incident.snoozedUntil = until;
    this.addEvent(incident, { at: now, kind: 'snoozed', note: new Date(until).toISOString() });
    return { ...incident };
  }

  /** Every incident, oldest first. */
  incidents(): Incident[] {
    return this.list.map((i) => ({ ...i }));
  }

  /** Incidents that are not resolved, newest first. */
  active(): Incident[] {
    return this.list.filter((i) => i.state !== 'resolved').map((i) => ({ ...i })).reverse();
  }

  get(id: string): Incident | undefined {
    const incident = this.list.find((i) => i.id === id);
    return incident && { ...incident };
  }

  toJSON(): AlertHistory {
    return { version: 1, nextId: this.nextId, incidents: this.incidents() };
  }

  /** The episode a returning signal continues: resolved (not by a quiet gap) within `reopenWithinMs`. */
  private reopen(signal: AlertSignal, now: number): MutableIncident | undefined {
    if (!(this.options.reopenWithinMs > 0)) return undefined;
    const key = keyOf(signal.source, signal.kind);
    const last = [...this.list].reverse().find((i) => keyOf(i.source, i.kind) === key);
    const resolvedAt = last?.events.at(-1);
    if (!last || last.state !== 'resolved' || resolvedAt?.kind !== 'resolved' || resolvedAt.note === 'quiet') return undefined;
    if (now - resolvedAt.at > this.options.reopenWithinMs) return undefined;
    // The user's acknowledgement of the episode still stands when it returns.
    last.state = last.events.some((e) => e.kind === 'acknowledged') ? 'acknowledged' : 'open';
    last.lastSeen = now;
    last.count++;
    last.message = signal.message;
    this.addEvent(last, { at: now, kind: 'repeated', note: 'returned after clearing' });
    return last;
  }

  private current(source: string, kind: string): MutableIncident | undefined {
    const key = keyOf(source, kind);
    for (let k = this.list.length - 1; k >= 0; k--) {
      const incident = this.list[k]!;
      if (keyOf(incident.source, incident.kind) === key) return incident.state === 'resolved' ? undefined : incident;
    }
    return undefined;
  }

  private close(incident: MutableIncident, at: number, note?: string): void {
    incident.state = 'resolved';
    delete incident.snoozedUntil;
    this.addEvent(incident, note === undefined ? { at, kind: 'resolved' } : { at, kind: 'resolved', note });
  }

  private addEvent(incident: MutableIncident, event: IncidentEvent): void {
    incident.events.push(event);
    // Keep the opening event; drop the oldest of the rest.
    if (incident.events.length > this.options.maxEventsPerIncident) incident.events.splice(1, 1);
  }

  private prune(): void {
    while (this.list.length > this.options.maxIncidents) {
      const resolved = this.list.findIndex((i) => i.state === 'resolved');
      this.list.splice(resolved >= 0 ? resolved : 0, 1);
    }
  }
}

function severityRank(severity: AlertSeverity): number {
  return severity === 'error' ? 2 : severity === 'warning' ? 1 : 0;
}

const STATES: readonly string[] = ['open', 'acknowledged', 'snoozed', 'resolved'];
const SEVERITIES: readonly string[] = ['error', 'warning', 'info'];

function isIncident(value: unknown): value is Incident {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' && typeof v.source === 'string' && typeof v.kind === 'string' &&
    typeof v.message === 'string' && typeof v.severity === 'string' && SEVERITIES.includes(v.severity) &&
    typeof v.state === 'string' && STATES.includes(v.state) &&
    typeof v.firstSeen === 'number' && typeof v.lastSeen === 'number' && typeof v.count === 'number' &&
    Array.isArray(v.events) && v.events.every((e) => typeof e === 'object' && e !== null && typeof (e as IncidentEvent).at === 'number' && typeof (e as IncidentEvent).kind === 'string')
  );
}

/** Checks stored state before trusting it: workspace state may hold an older or a corrupt shape. */
export function isAlertHistory(value: unknown): value is AlertHistory {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.version === 1 && typeof v.nextId === 'number' && Array.isArray(v.incidents) && v.incidents.every(isIncident);
}
