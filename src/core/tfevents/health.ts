import type { RunData, RunStore } from './run-store';
import type { TagSeries } from './tag-series';
import { checkGradNorm, checkLearningRate, checkLoss, checkNonFinite, checkOverfitting, seriesRole } from './training-checks';

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
  /** Loss tags (default: names containing 'loss', except AMP's loss_scale). */
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

/** Options with every default filled in. */
export type ResolvedHealthOptions = Required<HealthOptions>;

const DEFAULTS: ResolvedHealthOptions = {
  lossTags: /^(?!.*loss[_-]?scal).*loss/i,
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

function resolve(options: HealthOptions): ResolvedHealthOptions {
  const o = { ...DEFAULTS, ...options };
  // A global or sticky pattern would make test() stateful across tags.
  const stateless = (r: RegExp) => (r.global || r.sticky ? new RegExp(r.source, r.flags.replace(/[gy]/g, '')) : r);
  o.lossTags = stateless(o.lossTags);
  o.gradNormTags = stateless(o.gradNormTags);
  o.learningRateTags = stateless(o.learningRateTags);
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
  private readonly options: ResolvedHealthOptions;
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
      // Once per run: `relation` is a getter that scans every tag name.
      const lossRun = o.lossTags.test(run.name) && run.relation?.relation === 'add_scalars';
      for (const s of run.tags.values()) {
        if (s.kind !== 'scalar') continue;
        const key = `${run.name}\0${s.tag}`;
        const version = String(s.version);
        const isLoss = o.lossTags.test(s.tag) || lossRun;
        const r = seriesRole(run.name, s.tag, o);
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
