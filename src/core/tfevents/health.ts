import { median } from 'simple-statistics';
import type { RunData, RunStore } from './run-store';
import type { TagSeries } from './tag-series';

/** What kind of training problem a finding reports. */
export type FindingKind =
  | 'non-finite'
  | 'not-learning'
  | 'loss-spike'
  | 'divergence'
  | 'plateau'
  | 'overfitting'
  | 'exploding-gradients'
  | 'lr-step-change';

/** One problem in one tag of one run, with a one-line reason. */
export interface TrainingFinding {
  run: string;
  tag: string;
  /** The step the problem starts at (for ongoing states such as not-learning: the latest step checked). */
  step: number;
  kind: FindingKind;
  severity: 'error' | 'warning';
  message: string;
}

/** Which tags each check looks at, and its thresholds. Every field has a default. */
export interface HealthOptions {
  /** Loss tags (default /loss/i). */
  lossTags?: RegExp;
  /** Gradient-norm tags (default /grad(ient)?s?[_/.-]?norm/i). */
  gradNormTags?: RegExp;
  /** Learning-rate tags (default: 'lr' or 'learning_rate' as a name part, e.g. lr, lr-Adam, optim/learning_rate). */
  learningRateTags?: RegExp;
  /** Name parts (of run path + tag) marking training series (default train, training). */
  trainTokens?: string[];
  /** Name parts marking validation series (default val, valid, validation, eval, test). */
  validationTokens?: string[];
  /** Points a trend check needs (default 20). */
  minPoints?: number;
  /** A loss must fall at least this fraction of its starting level, or it is not learning (default 0.05). */
  minImprovement?: number;
  /** A spike is at least this many times the median of the 20 points before it (default 3). */
  spikeFactor?: number;
  /** Validation loss this fraction above its minimum counts as rising (default 0.1). */
  overfitRise?: number;
  /** A gradient norm this many times its recent median is exploding (default 50). */
  gradExplosionFactor?: number;
  /** A learning rate jumping up by this factor after being constant is unscheduled (default 2). */
  lrJumpFactor?: number;
}

type Resolved = Required<HealthOptions>;

const DEFAULTS: Resolved = {
  lossTags: /loss/i,
  gradNormTags: /grad(ient)?s?[_/.-]?norm/i,
  learningRateTags: /(^|[/_.\s-])(lr|learning[_-]?rate)([/_.\s-]|$)/i,
  trainTokens: ['train', 'training'],
  validationTokens: ['val', 'valid', 'validation', 'eval', 'test'],
  minPoints: 20,
  minImprovement: 0.05,
  spikeFactor: 3,
  overfitRise: 0.1,
  gradExplosionFactor: 50,
  lrJumpFactor: 2,
};

const WINDOW = 20;
const MAX_SPIKES_PER_TAG = 10;

function resolve(options: HealthOptions): Resolved {
  const o = { ...DEFAULTS, ...options };
  const positive = (name: keyof HealthOptions, v: number, min: number) => {
    if (!Number.isFinite(v) || v < min) throw new RangeError(`health option ${name} must be a number >= ${min}, got ${v}`);
  };
  positive('minPoints', o.minPoints, 5);
  positive('minImprovement', o.minImprovement, 0);
  positive('spikeFactor', o.spikeFactor, 1);
  positive('overfitRise', o.overfitRise, 0);
  positive('gradExplosionFactor', o.gradExplosionFactor, 1);
  positive('lrJumpFactor', o.lrJumpFactor, 1);
  return o;
}

/** The finite points of a tag's current timeline segment (after its last restart). */
interface Segment {
  steps: number[];
  values: number[];
}

function segmentOf(series: TagSeries): Segment {
  const from = series.segmentStartStep === undefined ? 0 : series.indexOfStep(series.segmentStartStep);
  const steps: number[] = [];
  const values: number[] = [];
  for (let i = from; i < series.size; i++) {
    const v = series.valueAt(i);
    if (Number.isFinite(v)) {
      steps.push(series.stepAt(i));
      values.push(v);
    }
  }
  return { steps, values };
}

function fmt(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 1e5 || a < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}

/** Starting level: median of the first 5% of points (3 to 10 of them), before most learning happens. */
function headLevel(values: number[]): number {
  return median(values.slice(0, Math.min(10, Math.max(3, Math.ceil(values.length * 0.05)))));
}

function tailLevel(values: number[]): number {
  return median(values.slice(-Math.max(5, Math.ceil(values.length * 0.2))));
}

/** Trailing median of `width` points at each index. */
function smooth(values: number[], width: number): number[] {
  return values.map((_, i) => median(values.slice(Math.max(0, i - width + 1), i + 1)));
}

function nameTokens(run: string, tag: string): string[] {
  const path = run === '.' ? tag : `${run}/${tag}`;
  return path.toLowerCase().split(/[/_.\s-]+/).filter(Boolean);
}

/** Series key without its train/validation marker, and which marker it had. */
function role(run: string, tag: string, o: Resolved): { key: string; role: 'train' | 'validation' | 'plain' } {
  const tokens = nameTokens(run, tag);
  const v = tokens.findIndex((t) => o.validationTokens.includes(t));
  if (v >= 0) return { key: tokens.filter((_, i) => i !== v).join('/'), role: 'validation' };
  const t = tokens.findIndex((x) => o.trainTokens.includes(x));
  if (t >= 0) return { key: tokens.filter((_, i) => i !== t).join('/'), role: 'train' };
  return { key: tokens.join('/'), role: 'plain' };
}

function checkNonFinite(run: string, s: TagSeries): TrainingFinding[] {
  if (s.firstNonFiniteStep === undefined) return [];
  const what = Number.isNaN(s.firstNonFiniteValue) ? 'NaN' : s.firstNonFiniteValue > 0 ? 'Inf' : '-Inf';
  return [
    {
      run,
      tag: s.tag,
      step: s.firstNonFiniteStep,
      kind: 'non-finite',
      severity: 'error',
      message: `${s.tag} is ${what} at step ${s.firstNonFiniteStep} (${s.nonFiniteCount} non-finite of ${s.totalPoints} values)`,
    },
  ];
}

/** Chance-level cross-entropy ln(k) for a few common class counts, if the level is near one. */
function chanceNote(level: number): string {
  for (const k of [2, 10, 100, 1000]) {
    if (Math.abs(level - Math.log(k)) <= 0.1 * Math.log(k)) return `, near chance level for ${k} classes (ln ${k} = ${fmt(Math.log(k))})`;
  }
  return '';
}

function checkLoss(run: string, s: TagSeries, validation: boolean, o: Resolved): TrainingFinding[] {
  const seg = segmentOf(s);
  const n = seg.values.length;
  const out: TrainingFinding[] = [];
  if (n < 5) return out;
  const lastStep = seg.steps[n - 1]!;
  const head = headLevel(seg.values);
  const make = (step: number, kind: FindingKind, severity: TrainingFinding['severity'], message: string) =>
    out.push({ run, tag: s.tag, step, kind, severity, message });

  let notLearning = false;
  if (n >= o.minPoints) {
    const tail = tailLevel(seg.values);
    if (head > 0 && tail > head * (1 - o.minImprovement)) {
      notLearning = true;
      make(
        lastStep,
        'not-learning',
        'warning',
        `${s.tag} is not learning: ${fmt(head)} at the start, ${fmt(tail)} over the last ${Math.max(5, Math.ceil(n * 0.2))} points${chanceNote(tail)}`,
      );
    }
  }
  if (validation) return out;

  const divergence = findDivergence(seg);
  if (divergence >= 0) {
    make(
      seg.steps[divergence]!,
      'divergence',
      'error',
      `${s.tag} is diverging: rose to ${fmt(seg.values[divergence]!)} at step ${seg.steps[divergence]} and kept rising (started at ${fmt(head)})`,
    );
  }
  const stop = divergence >= 0 ? divergence : n;
  let spikes = 0;
  for (let i = 5; i < stop - 1 && spikes < MAX_SPIKES_PER_TAG; i++) {
    const before = median(seg.values.slice(Math.max(0, i - WINDOW), i));
    const v = seg.values[i]!;
    const next = seg.values[i + 1]!;
    // A spike jumps well above the recent level, by a fair share of the starting level, then comes back.
    if (v > before * o.spikeFactor && v - before > 0.25 * head && next < before * o.spikeFactor) {
      spikes++;
      make(seg.steps[i]!, 'loss-spike', 'warning', `${s.tag} spiked to ${fmt(v)} at step ${seg.steps[i]} (${fmt(v / before)}x the recent median ${fmt(before)})`);
      i += 5;
    }
  }
  if (!notLearning && divergence < 0 && n >= 2 * o.minPoints) {
    const window = seg.values.slice(-Math.max(15, Math.ceil(n * 0.3)));
    const third = Math.ceil(window.length / 3);
    const wStart = median(window.slice(0, third));
    const wEnd = median(window.slice(-third));
    const learned = head - wEnd > o.minImprovement * head;
    if (learned && wEnd > 0.2 * head && wStart - wEnd < 0.01 * wStart) {
      make(lastStep, 'plateau', 'warning', `${s.tag} has plateaued at ${fmt(wEnd)} over the last ${window.length} points (started at ${fmt(head)})`);
    }
  }
  return out;
}

/**
 * Index where a sustained rise starts: three points in a row above both twice the best smoothed
 * level so far and halfway back from it to the starting level; -1 if none.
 */
function findDivergence(seg: Segment): number {
  const v = seg.values;
  if (v.length < 6) return -1;
  const start = median(v.slice(0, 3));
  let best = Infinity;
  for (let i = 3; i + 2 < v.length; i++) {
    best = Math.min(best, median(v.slice(i - 3, i)));
    const threshold = Math.max(2 * best, best + 0.5 * (start - best));
    if (best > 0 && v[i]! > threshold && v[i + 1]! > threshold && v[i + 2]! > threshold) return i;
  }
  return -1;
}

function checkGradNorm(run: string, s: TagSeries, o: Resolved): TrainingFinding[] {
  const seg = segmentOf(s);
  for (let i = 3; i < seg.values.length; i++) {
    const before = median(seg.values.slice(Math.max(0, i - WINDOW), i));
    const v = seg.values[i]!;
    if (before > 0 && v > before * o.gradExplosionFactor) {
      return [
        {
          run,
          tag: s.tag,
          step: seg.steps[i]!,
          kind: 'exploding-gradients',
          severity: 'error',
          message: `${s.tag} exploded to ${fmt(v)} at step ${seg.steps[i]} (${fmt(v / before)}x the recent median ${fmt(before)})`,
        },
      ];
    }
  }
  return [];
}

function checkLearningRate(run: string, s: TagSeries, o: Resolved): TrainingFinding[] {
  const seg = segmentOf(s);
  const v = seg.values;
  const out: TrainingFinding[] = [];
  for (let i = 3; i < v.length; i++) {
    const prev = v[i - 1]!;
    const constant = Math.abs(v[i - 2]! - prev) <= 1e-9 * Math.abs(prev) && Math.abs(v[i - 3]! - prev) <= 1e-9 * Math.abs(prev);
    // Schedules decay, warm up gradually or cycle; a jump up after a flat stretch is a hand edit.
    if (constant && prev > 0 && v[i]! > prev * o.lrJumpFactor) {
      out.push({
        run,
        tag: s.tag,
        step: seg.steps[i]!,
        kind: 'lr-step-change',
        severity: 'warning',
        message: `${s.tag} jumped from ${fmt(prev)} to ${fmt(v[i]!)} at step ${seg.steps[i]} after being constant: no schedule does that`,
      });
    }
  }
  return out;
}

function checkOverfitting(trainRun: string, train: TagSeries, valRun: string, val: TagSeries, o: Resolved): TrainingFinding[] {
  const vs = segmentOf(val);
  const ts = segmentOf(train);
  const n = vs.values.length;
  if (n < 10 || ts.values.length < 5) return [];
  const smoothed = smooth(vs.values, n >= 50 ? 5 : 3);
  let m = 0;
  for (let i = 1; i < n; i++) if (smoothed[i]! < smoothed[m]!) m = i;
  const after = n - 1 - m;
  if (after < Math.max(3, Math.ceil(n * 0.1))) return [];
  const minLevel = smoothed[m]!;
  const lastLevel = median(vs.values.slice(-Math.max(3, Math.ceil(n * 0.1))));
  if (!(minLevel > 0 && lastLevel > minLevel * (1 + o.overfitRise))) return [];
  // The raw minimum near the smoothed one names the step where validation loss bottomed out.
  let raw = Math.max(0, m - 4);
  for (let i = raw; i <= m; i++) if (vs.values[i]! < vs.values[raw]!) raw = i;
  const minStep = vs.steps[raw]!;
  const trainAt = (step: number) => {
    const upTo = ts.steps.filter((s) => s <= step).length;
    return median(ts.values.slice(Math.max(0, upTo - 5), Math.max(1, upTo)));
  };
  const trainThen = trainAt(minStep);
  const trainNow = median(ts.values.slice(-5));
  if (!(trainNow < trainThen)) return [];
  const rise = Math.round((lastLevel / vs.values[raw]! - 1) * 100);
  const where = (run: string, tag: string) => (run === valRun ? tag : `${run}:${tag}`);
  return [
    {
      run: valRun,
      tag: val.tag,
      step: minStep,
      kind: 'overfitting',
      severity: 'warning',
      message:
        `${val.tag} rose ${rise}% from its minimum ${fmt(vs.values[raw]!)} at step ${minStep} to ${fmt(lastLevel)} ` +
        `while ${where(trainRun, train.tag)} kept falling (${fmt(trainThen)} to ${fmt(trainNow)}): overfitting`,
    },
  ];
}

interface CacheEntry {
  versions: string;
  findings: TrainingFinding[];
}

/**
 * Keeps health findings current as points arrive: each check is recomputed only for the tags
 * (or train/validation pairs) whose series changed since the last {@link update}; its cost is
 * bounded by the series' point limit.
 */
export class HealthMonitor {
  private readonly options: Resolved;
  private cache = new Map<string, CacheEntry>();
  private reported = new Set<string>();

  constructor(options: HealthOptions = {}) {
    this.options = resolve(options);
  }

  /** All current findings (sorted by run, tag, step), and those not reported by an earlier call. */
  update(store: RunStore): { findings: TrainingFinding[]; added: TrainingFinding[] } {
    const o = this.options;
    const next = new Map<string, CacheEntry>();
    const cached = (key: string, versions: string, compute: () => TrainingFinding[]) => {
      const hit = this.cache.get(key);
      const entry = hit && hit.versions === versions ? hit : { versions, findings: compute() };
      next.set(key, entry);
      return entry.findings;
    };
    const findings: TrainingFinding[] = [];
    const losses: { run: RunData; series: TagSeries; key: string; role: 'train' | 'validation' | 'plain' }[] = [];
    for (const run of store.runs) {
      for (const s of run.tags.values()) {
        if (s.kind !== 'scalar') continue;
        const key = `${run.name}\0${s.tag}`;
        const version = String(s.version);
        const isLoss = o.lossTags.test(s.tag) || (o.lossTags.test(run.name) && run.relation?.relation === 'add_scalars');
        const r = role(run.name, s.tag, o);
        findings.push(
          ...cached(key, version, () => {
            const out = checkNonFinite(run.name, s);
            if (isLoss) out.push(...checkLoss(run.name, s, r.role === 'validation', o));
            if (o.gradNormTags.test(s.tag)) out.push(...checkGradNorm(run.name, s, o));
            if (o.learningRateTags.test(s.tag)) out.push(...checkLearningRate(run.name, s, o));
            return out;
          }),
        );
        if (isLoss) losses.push({ run, series: s, key: r.key, role: r.role });
      }
    }
    for (const val of losses) {
      if (val.role !== 'validation') continue;
      const candidates = losses.filter((t) => t.role !== 'validation' && t.key === val.key);
      const train = candidates.find((t) => t.role === 'train') ?? candidates[0];
      if (!train) continue;
      const key = `pair\0${train.run.name}\0${train.series.tag}\0${val.run.name}\0${val.series.tag}`;
      const versions = `${train.series.version}/${val.series.version}`;
      findings.push(...cached(key, versions, () => checkOverfitting(train.run.name, train.series, val.run.name, val.series, o)));
    }
    this.cache = next;
    findings.sort((a, b) => cmp(a.run, b.run) || cmp(a.tag, b.tag) || a.step - b.step || cmp(a.kind, b.kind));
    const added: TrainingFinding[] = [];
    const seen = new Set<string>();
    for (const f of findings) {
      // Ongoing states are one finding however their latest step moves; spikes are one per step.
      const id = `${f.run}\0${f.tag}\0${f.kind}${f.kind === 'loss-spike' || f.kind === 'lr-step-change' ? `\0${f.step}` : ''}`;
      seen.add(id);
      if (!this.reported.has(id)) added.push(f);
    }
    this.reported = seen;
    return { findings, added };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Health findings over every run of the store, computed once. */
export function findHealthProblems(store: RunStore, options: HealthOptions = {}): TrainingFinding[] {
  return new HealthMonitor(options).update(store).findings;
}
