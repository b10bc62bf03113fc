import type { DriftExplanation } from '../multivariate';
import type { DriftEpisode, DriftPattern, PredictionAlert, PredictionAlertKind } from './report';

interface EpisodeState {
  kind: PredictionAlertKind;
  key: string;
  confirm: number;
  clear: number;
  active: boolean;
  start: number;
  features: string[];
  /** Peak strength of each feature named during the episode. */
  peaks: Map<string, number>;
  /** Strength of the condition at each evaluation of the episode (bounded). */
  strength: number[];
  alert: MutableAlert | undefined;
  /** Evaluations since the episode opened. */
  evaluations: number;
  initial: string[];
  baseMessage: string;
  explanation: DriftExplanation | undefined;
}

type MutableAlert = { -readonly [K in keyof PredictionAlert]: PredictionAlert[K] };

/** What an evaluation says about an alert condition. */
export interface ConditionDetails {
  /** Columns involved, strongest first; `trailing` ones (segments) always stay after the others. */
  readonly features: string[];
  readonly trailing?: string[];
  /** Strength of each feature (|shift| in sd), used to rank features across the episode. */
  readonly featureStrength?: ReadonlyMap<string, number>;
  /** Features strong enough to join an open episode (default: all of `features`). */
  readonly joining?: string[];
  /** The alert's text; a function is only called when an alert is raised. */
  readonly message: string | (() => string);
  readonly severity: PredictionAlert['severity'];
  readonly strength?: number;
}

/** Where and why a condition was evaluated. */
export interface EvaluationPoint {
  readonly index: number;
  readonly line: number;
  readonly ts: string | null;
}

const MAX_EPISODES = 500;
const MAX_STRENGTH = 64;

/**
 * Turns a condition evaluated again and again into alerts raised once per episode: an episode
 * starts after `confirm` consecutive evaluations where the condition may start, and ends after
 * `clear` consecutive evaluations where it no longer holds. Ended episodes get a pattern label.
 */
export class EpisodeTracker {
  private readonly states = new Map<string, EpisodeState>();
  private readonly ended: DriftEpisode[] = [];
  readonly alerts: PredictionAlert[] = [];
  private alertsDropped = 0;

  constructor(
    private readonly clear = 4,
    private readonly evaluationsPerWindow = 4,
    private readonly maxAlerts = 10000,
  ) {}

  /**
   * Feeds one evaluation. `holds`: the condition is true now; `canStart`: strong enough to open
   * an episode (defaults to `holds`). Returns the alert when one is raised.
   */
  update(
    key: string,
    kind: PredictionAlertKind,
    at: EvaluationPoint,
    holds: boolean,
    details: () => ConditionDetails,
    options: { canStart?: boolean; confirm?: number } = {},
  ): PredictionAlert | undefined {
    let s = this.states.get(key);
    if (!s) {
      s = { kind, key, confirm: 0, clear: 0, active: false, start: -1, features: [], peaks: new Map(), strength: [], alert: undefined, evaluations: 0, initial: [], baseMessage: '', explanation: undefined };
      this.states.set(key, s);
    }
    if (s.active) {
      s.evaluations++;
      if (holds) {
        s.clear = 0;
        const d = details();
        if (d.strength !== undefined && s.strength.length < MAX_STRENGTH) s.strength.push(d.strength);
        this.merge(s, d, d.joining ?? d.features);
      } else if (++s.clear >= this.clear) {
        s.active = false;
        s.confirm = 0;
        this.ended.push({ kind, key, start: s.start, end: at.index, features: s.features, pattern: this.pattern(s, at.index), ...(s.explanation ? { explanation: s.explanation } : {}) });
        if (this.ended.length > MAX_EPISODES) this.ended.shift();
      }
      return undefined;
    }
    const canStart = options.canStart ?? holds;
    if (!canStart) {
      s.confirm = 0;
      return undefined;
    }
    if (++s.confirm < (options.confirm ?? 2)) return undefined;
    const d = details();
    s.active = true;
    s.clear = 0;
    s.evaluations = 1;
    s.start = at.index;
    s.features = [];
    s.peaks = new Map();
    s.strength = d.strength !== undefined ? [d.strength] : [];
    s.explanation = undefined;
    const message = typeof d.message === 'function' ? d.message() : d.message;
    const alert: MutableAlert = { kind, index: at.index, ts: at.ts, line: at.line, features: [], message, severity: d.severity };
    s.alert = alert;
    s.initial = [...d.features, ...(d.trailing ?? [])];
    s.baseMessage = message;
    this.merge(s, d, d.features);
    if (this.alerts.length < this.maxAlerts) this.alerts.push(alert);
    else this.alertsDropped++;
    return alert;
  }

  /**
   * Features that join an open episode are added to its alert, ranked by their peak strength,
   * so the one alert of an episode names everything that drifted in it.
   */
  private merge(s: EpisodeState, d: ConditionDetails, joining: readonly string[]): void {
    const trailing = new Set(d.trailing ?? []);
    let changed = false;
    for (const f of joining) {
      const v = d.featureStrength?.get(f) ?? 0;
      const old = s.peaks.get(f);
      if (old === undefined || v > old) {
        s.peaks.set(f, v);
        changed = true;
      }
    }
    if (!changed || !s.alert) return;
    const rank = [...s.peaks.keys()].sort((a, b) => Number(trailing.has(a)) - Number(trailing.has(b)) || s.peaks.get(b)! - s.peaks.get(a)!);
    s.features = rank;
    s.alert.features = rank;
    const later = rank.filter((f) => !s.initial.includes(f));
    if (later.length) s.alert.message = `${s.baseMessage}; later also ${later.join(', ')}`;
  }

  /** The episode of `key` still open, with the features it has named so far; undefined when none is. */
  openEpisode(key: string): { readonly start: number; readonly features: readonly string[] } | undefined {
    const s = this.states.get(key);
    return s?.active ? { start: s.start, features: [...s.features] } : undefined;
  }

  /** Attaches the explanation computed when `alert`'s episode opened to the alert and its episode. */
  explain(alert: PredictionAlert, explanation: DriftExplanation): void {
    for (const s of this.states.values()) {
      if (s.alert !== alert) continue;
      s.explanation = explanation;
      s.alert.explanation = explanation;
      return;
    }
  }

  /** True while the episode `alert` opened is still open. */
  isOpen(alert: PredictionAlert): boolean {
    for (const s of this.states.values()) if (s.alert === alert) return s.active;
    return false;
  }

  isActive(key: string): boolean {
    return this.states.get(key)?.active ?? false;
  }

  /** Ended episodes plus the ones still open (end = null). */
  episodes(): DriftEpisode[] {
    const open: DriftEpisode[] = [];
    for (const s of this.states.values()) {
      if (s.active) open.push({ kind: s.kind, key: s.key, start: s.start, end: null, features: s.features, pattern: this.pattern(s, null), ...(s.explanation ? { explanation: s.explanation } : {}) });
    }
    return [...this.ended, ...open].sort((a, b) => a.start - b.start);
  }

  get droppedAlerts(): number {
    return this.alertsDropped;
  }

  private pattern(s: EpisodeState, end: number | null): DriftPattern {
    if (this.ended.some((e) => e.key === s.key && e.start < s.start)) return 'recurring';
    // Short: the condition held for at most two windows (plus the evaluations needed to clear).
    if (end !== null && s.evaluations <= 2 * this.evaluationsPerWindow + this.clear) return 'temporary';
    // A sliding window over an abrupt change saturates one window after onset; a ramp keeps growing.
    const w = this.evaluationsPerWindow;
    if (s.strength.length < 3 * w) return 'undetermined';
    const at = (k: number) => s.strength[k]!;
    const early = at(w);
    const later = Math.max(...s.strength.slice(2 * w, 3 * w));
    return later > 1.5 * early ? 'gradual' : 'abrupt';
  }
}
