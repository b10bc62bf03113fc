import { domainClassifierAuc, type FeatureImportance } from './domainClassifier';
import { ReconstructionModel, type ReconstructionBand } from './reconstruction';
import { seededRandom, shuffledIndices } from '../random';
import type { MultivariateSetup } from './verdict';

/** The multivariate knobs of a prediction monitor (modelmon.json `multivariate`). */
export interface MultivariateSettings {
  /** Turn both methods off (default on). */
  readonly enabled?: boolean;
  /** Share of the standardised variance the PCA keeps (default 0.65, NannyML's). */
  readonly varianceShare?: number;
  /** Width of the reconstruction band in sds (default 3, NannyML's). */
  readonly sdMultiplier?: number;
  /** Domain-classifier AUC above which the window separates from the reference (default 0.55, Evidently's). */
  readonly aucThreshold?: number;
}

export const DEFAULT_MULTIVARIATE: Required<MultivariateSettings> = { enabled: true, varianceShare: 0.65, sdMultiplier: 3, aucThreshold: 0.55 };

/** Why a window drifted: the domain classifier's ranking of the columns that separate it. */
export interface DriftExplanation {
  readonly method: 'domain-classifier';
  /** Cross-validated ROC AUC of reference rows against the window's rows. */
  readonly auc: number;
  readonly aucThreshold: number;
  /** AUC above the threshold: the window is told apart from the reference. */
  readonly separated: boolean;
  /** Columns by importance (AUC lost when the column is neutralised), at most MAX_RANKED. */
  readonly features: readonly FeatureImportance[];
  /** 0-based rows [start, end) compared with the reference. */
  readonly start: number;
  readonly end: number;
}

/** The reconstruction error of the rows in the sliding window against its band. */
export interface ReconstructionEvaluation {
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
  readonly rows: number;
  readonly drifted: boolean;
  /** (value - reference mean) / sd of a window mean: the strength of the signal. */
  readonly shift: number;
  readonly band: ReconstructionBand['method'];
}

/** Columns kept in an explanation. */
export const MAX_RANKED = 10;
/** Reference rows the classifier compares (a seeded sample of a larger reference): bounds its cost. */
const CLASSIFIER_REFERENCE_ROWS = 500;
/**
 * Folds and product terms of the explaining classifier: 3 folds of 16 correlated pairs cost a
 * quarter of 5 folds of 32 and rank the same columns first on the tabular fixture's broken pairing.
 */
const CLASSIFIER_FOLDS = 3;
const CLASSIFIER_INTERACTIONS = 16;
/**
 * Fewest rows (window, and reference for the whole method) for an explanation: 3 folds of fewer
 * than about 17 window rows give an AUC that sampling alone moves by 0.1, and with windows that
 * small every few rows can open an episode, each costing a classifier run.
 */
const MIN_EXPLAIN_ROWS = 50;

/** A row of the window as the multivariate methods read it. */
export interface NumericRow {
  readonly index: number;
  readonly values: ArrayLike<number>;
}

/**
 * Multivariate drift of a prediction log's numeric columns: the reconstruction error of the
 * sliding window against its band (cheap, evaluated with every column test) and the domain
 * classifier that explains a drift when an episode opens (bounded: at most 500 reference rows
 * against the window, a few tens of milliseconds).
 */
export class MultivariateDriftMonitor {
  private readonly errors = new Map<number, number>();
  private readonly classifierReference: number[][];

  private constructor(
    readonly model: ReconstructionModel,
    readonly settings: Required<MultivariateSettings>,
    reference: readonly ArrayLike<number>[],
  ) {
    const pick = reference.length <= CLASSIFIER_REFERENCE_ROWS ? reference : Array.from(shuffledIndices(reference.length, seededRandom(1)).subarray(0, CLASSIFIER_REFERENCE_ROWS)).sort((a, b) => a - b).map((i) => reference[i]!);
    this.classifierReference = pick.map((r) => Array.from(r));
  }

  /** Undefined when turned off or with fewer than 2 numeric columns (nothing joint to watch). */
  static create(reference: readonly ArrayLike<number>[], features: readonly string[], settings: MultivariateSettings = {}): MultivariateDriftMonitor | undefined {
    const s = { ...DEFAULT_MULTIVARIATE, ...settings };
    if (!s.enabled || features.length < 2 || reference.length < MIN_EXPLAIN_ROWS) return undefined;
    if (!(s.sdMultiplier > 0)) throw new RangeError(`multivariate.sdMultiplier must be > 0, got ${s.sdMultiplier}`);
    if (!(s.aucThreshold >= 0.5 && s.aucThreshold < 1)) throw new RangeError(`multivariate.aucThreshold must be in [0.5, 1), got ${s.aucThreshold}`);
    return new MultivariateDriftMonitor(ReconstructionModel.fit(reference, features, { varianceShare: s.varianceShare }), s, reference);
  }

  /** The fitted model in numbers, for the report. */
  setup(): MultivariateSetup {
    const m = this.model;
    return {
      features: m.features.length,
      components: m.components,
      explainedVariance: round(m.explainedVariance, 4),
      referenceMean: round(m.referenceMean, 4),
      referenceSd: round(m.referenceSd, 4),
      sdMultiplier: this.settings.sdMultiplier,
      aucThreshold: this.settings.aucThreshold,
    };
  }

  get features(): readonly string[] {
    return this.model.features;
  }

  /**
   * Mean reconstruction error of `rows` (the sliding window) against the band. Each row's error
   * is computed once, when first seen, and forgotten when it leaves the window.
   */
  evaluate(rows: readonly NumericRow[]): ReconstructionEvaluation {
    const seen = new Set<number>();
    let sum = 0;
    for (const r of rows) {
      let e = this.errors.get(r.index);
      if (e === undefined) {
        e = this.model.error(r.values);
        this.errors.set(r.index, e);
      }
      seen.add(r.index);
      sum += e;
    }
    for (const k of this.errors.keys()) if (!seen.has(k)) this.errors.delete(k);
    const n = rows.length;
    const value = n ? sum / n : NaN;
    const band = this.model.band(n, this.settings.sdMultiplier);
    const sd = (band.upper - band.lower) / (2 * this.settings.sdMultiplier);
    return {
      value,
      lower: band.lower,
      upper: band.upper,
      rows: n,
      drifted: value > band.upper || value < band.lower,
      shift: sd > 0 ? (value - (band.upper + band.lower) / 2) / sd : 0,
      band: band.method,
    };
  }

  /** The domain classifier's explanation of `rows` against the reference; undefined with too few rows. */
  explain(rows: readonly NumericRow[]): DriftExplanation | undefined {
    if (rows.length < MIN_EXPLAIN_ROWS) return undefined;
    const r = domainClassifierAuc(this.classifierReference, rows.map((x) => Array.from(x.values)), { featureNames: this.model.features, seed: 0, folds: CLASSIFIER_FOLDS, interactions: CLASSIFIER_INTERACTIONS });
    return {
      method: 'domain-classifier',
      auc: round(r.auc, 4),
      aucThreshold: this.settings.aucThreshold,
      separated: r.auc > this.settings.aucThreshold,
      features: r.importances.slice(0, MAX_RANKED).map((f) => ({ feature: f.feature, importance: round(f.importance, 4) })),
      start: rows[0]!.index,
      end: rows[rows.length - 1]!.index + 1,
    };
  }
}

/** Columns an explanation names: those whose neutralising costs AUC, strongest first. */
export function explainedFeatures(e: DriftExplanation, max = 5): string[] {
  const top = e.features.filter((f) => f.importance > 0);
  // Keep the columns within a fifth of the strongest: the rest add little to the separation.
  const cut = (top[0]?.importance ?? 0) / 5;
  return top.filter((f) => f.importance >= cut).slice(0, max).map((f) => f.feature);
}

const round = (x: number, d: number) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);
