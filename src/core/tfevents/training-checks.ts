// The individual training-health checks; each reads one series (or one train/validation pair).
import { median } from 'simple-statistics';
import { formatPlainNumber } from '../charts/format';
import type { FindingKind, ResolvedHealthOptions, TrainingFinding } from './health';
import type { TagSeries } from './tag-series';

const WINDOW = 20;
const MAX_SPIKES_PER_TAG = 10;

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
export function seriesRole(run: string, tag: string, o: ResolvedHealthOptions): { key: string; role: 'train' | 'validation' | 'plain' } {
  const tokens = nameTokens(run, tag);
  const v = tokens.findIndex((t) => o.validationTokens.includes(t));
  if (v >= 0) return { key: tokens.filter((_, i) => i !== v).join('/'), role: 'validation' };
  const t = tokens.findIndex((x) => o.trainTokens.includes(x));
  if (t >= 0) return { key: tokens.filter((_, i) => i !== t).join('/'), role: 'train' };
  return { key: tokens.join('/'), role: 'plain' };
}

/** NaN/Inf anywhere in the current timeline: one finding at the first such step. */
export function checkNonFinite(run: string, s: TagSeries): TrainingFinding[] {
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
    if (Math.abs(level - Math.log(k)) <= 0.1 * Math.log(k)) return `, near chance level for ${k} classes (ln ${k} = ${formatPlainNumber(Math.log(k))})`;
  }
  return '';
}

/**
 * A loss tag: not learning (last 20% not at least `minImprovement` below the starting level),
 * and for training losses divergence, transient spikes (> spikeFactor x the median of the 20
 * points before, by a quarter of the starting level, back down on the next point) and plateaus
 * (learned, then < 1% change over the last 30% while still above a fifth of the start).
 */
export function checkLoss(run: string, s: TagSeries, validation: boolean, o: ResolvedHealthOptions): TrainingFinding[] {
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
        `${s.tag} is not learning: ${formatPlainNumber(head)} at the start, ${formatPlainNumber(tail)} over the last ${Math.max(5, Math.ceil(n * 0.2))} points${chanceNote(tail)}`,
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
      `${s.tag} is diverging: rose to ${formatPlainNumber(seg.values[divergence]!)} at step ${seg.steps[divergence]} and kept rising (started at ${formatPlainNumber(head)})`,
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
      make(seg.steps[i]!, 'loss-spike', 'warning', `${s.tag} spiked to ${formatPlainNumber(v)} at step ${seg.steps[i]} (${formatPlainNumber(v / before)}x the recent median ${formatPlainNumber(before)})`);
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
      make(lastStep, 'plateau', 'warning', `${s.tag} has plateaued at ${formatPlainNumber(wEnd)} over the last ${window.length} points (started at ${formatPlainNumber(head)})`);
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

/** A gradient norm above gradExplosionFactor x the median of the 20 values before it. */
export function checkGradNorm(run: string, s: TagSeries, o: ResolvedHealthOptions): TrainingFinding[] {
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
          message: `${s.tag} exploded to ${formatPlainNumber(v)} at step ${seg.steps[i]} (${formatPlainNumber(v / before)}x the recent median ${formatPlainNumber(before)})`,
        },
      ];
    }
  }
  return [];
}

/** A learning rate that jumps up by lrJumpFactor after three equal values: not a schedule. */
export function checkLearningRate(run: string, s: TagSeries, o: ResolvedHealthOptions): TrainingFinding[] {
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
        message: `${s.tag} jumped from ${formatPlainNumber(prev)} to ${formatPlainNumber(v[i]!)} at step ${seg.steps[i]} after being constant: no schedule does that`,
      });
    }
  }
  return out;
}

/**
 * Validation loss rising `overfitRise` above its smoothed minimum, for at least a tenth of the
 * points, while the paired training loss ends lower than it was at that minimum.
 */
export function checkOverfitting(trainRun: string, train: TagSeries, valRun: string, val: TagSeries, o: ResolvedHealthOptions): TrainingFinding[] {
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
        `${val.tag} rose ${rise}% from its minimum ${formatPlainNumber(vs.values[raw]!)} at step ${minStep} to ${formatPlainNumber(lastLevel)} ` +
        `while ${where(trainRun, train.tag)} kept falling (${formatPlainNumber(trainThen)} to ${formatPlainNumber(trainNow)}): overfitting`,
    },
  ];
}
