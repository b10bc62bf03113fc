import type { DriftTestName } from '../stats';
import type { EmbeddingDriftResult, EmbeddingMethodName } from '../embedding';
import type { ClassificationMetrics, RegressionMetrics } from './metrics';
import type { LineProblem } from './lines';
import type { PredictionSchema } from './schema';
import type { DriftVerdict } from './verdict';
import type { DriftExplanation, MultivariateSetup, MultivariateVerdict } from '../multivariate';
import type { EstimationSetup, PerformanceEstimate } from '../estimation/estimator';
import type { AttributionDrift } from '../attribution';

/** What an alert is about. */
export type PredictionAlertKind = 'concept_drift' | 'data_drift' | 'multivariate_drift' | 'attribution_drift' | 'prior_shift' | 'data_quality' | 'anomaly' | 'performance';
export type AlertSeverity = 'info' | 'warning' | 'error';

/** One alert, raised once when an episode starts (not again until the condition has cleared). */
export interface PredictionAlert {
  readonly kind: PredictionAlertKind;
  /** 0-based data row at which the alert was raised. */
  readonly index: number;
  /** The row's timestamp as written in the log, or null. */
  readonly ts: string | null;
  /** 1-based file line of that row. */
  readonly line: number;
  /** Columns involved, strongest first. */
  readonly features: string[];
  readonly message: string;
  readonly severity: AlertSeverity;
  /** A drift alert's domain-classifier explanation, computed when its episode opened. */
  readonly explanation?: DriftExplanation;
}

/** Drift of one column in one window against the reference. */
export interface FeatureDrift {
  readonly feature: string;
  readonly kind: 'numeric' | 'categorical' | 'vector' | 'segment';
  /** The default test for the column (core/stats' chooser); a vector's embedding drift method (`embedding_model`...), or `pca_reconstruction` without one. */
  readonly test: DriftTestName | 'pca_reconstruction' | `embedding_${EmbeddingMethodName}`;
  readonly statistic: number;
  readonly pValue?: number;
  readonly threshold: number;
  readonly drifted: boolean;
  /** Family-wise p-value of the monitor's own location/shape test (Bonferroni over columns). */
  readonly alertPValue: number;
  /** Standardised shift (mean normal score difference, or error z for vectors). */
  readonly shift: number;
  /** Statistic of the monitor's own test behind `alertPValue` (shift in sd, or chi-squared). */
  readonly alertStatistic?: number;
  /** A vector column's embedding drift result: it alone decides the column's verdict. */
  readonly embedding?: EmbeddingDriftResult;
}

/** NannyML-style multivariate signal: the window's mean PCA reconstruction error against a band. */
export interface MultivariateDrift {
  readonly feature: string;
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
  readonly drifted: boolean;
}

export interface ShiftSummary {
  readonly test: 'chi2';
  readonly statistic: number;
  readonly pValue: number;
  readonly drifted: boolean;
  /** Share of each class (or segment value) in the window, and in the reference. */
  readonly current: Readonly<Record<string, number>>;
  readonly reference: Readonly<Record<string, number>>;
}

export interface QualityCounts {
  readonly missing: Readonly<Record<string, number>>;
  readonly typeChanges: Readonly<Record<string, number>>;
  /** Infinities per numeric column (`inf`, `-inf`, `Infinity`...); NaN counts as missing. */
  readonly nonFinite: Readonly<Record<string, number>>;
  readonly outOfRange: Readonly<Record<string, number>>;
  readonly newCategories: Readonly<Record<string, string[]>>;
  readonly duplicateIds: number;
  readonly unparseableLines: number;
}

/** Metrics of one segment value within a window. */
export interface SegmentWindow {
  readonly column: string;
  readonly value: string;
  readonly rows: number;
  readonly performance?: ClassificationMetrics | RegressionMetrics;
  readonly meanConfidence?: number;
  readonly estimatedAccuracy?: number;
  /** Drift of this segment's features against the same segment's reference rows. */
  readonly drift: FeatureDrift[];
}

/** Largest performance gap between the values of a segment column. */
export interface SegmentGap {
  readonly column: string;
  readonly metric: 'accuracy' | 'mae';
  readonly best: { readonly value: string; readonly score: number; readonly rows: number };
  readonly worst: { readonly value: string; readonly score: number; readonly rows: number };
  readonly gap: number;
}

/** Everything measured over one window of rows. */
export interface WindowReport {
  readonly window: number;
  /** 0-based data rows [start, end). */
  readonly start: number;
  readonly end: number;
  readonly startLine: number;
  readonly endLine: number;
  readonly startTs: string | null;
  readonly endTs: string | null;
  readonly rows: number;
  readonly labelled: number;
  readonly performance?: ClassificationMetrics | RegressionMetrics;
  readonly meanConfidence?: number;
  readonly meanEntropy?: number;
  /** CBPE-like accuracy estimate from calibrated confidence (needs no labels). */
  readonly estimatedAccuracy?: number;
  /** CBPE (precision, recall, F1, ROC AUC) or DLE (MAE, RMSE) estimates, each beside its realised value. */
  readonly estimatedPerformance?: PerformanceEstimate;
  /** Features ranked by drift, strongest first. */
  readonly drift: FeatureDrift[];
  /** Each feature's drift verdict over this window (see driftVerdicts), drifted first. */
  readonly verdicts: DriftVerdict[];
  /** Share of the verdicts that say drifted. */
  readonly driftedShare: number;
  readonly multivariate: MultivariateDrift[];
  /** The numeric columns' joint drift (PCA reconstruction error), the verdict the multivariate_drift alert rests on. */
  readonly multivariateDrift?: MultivariateVerdict;
  /** Which features the model leans on (mean |attribution|) against the reference: the verdict attribution_drift rests on. */
  readonly attribution?: AttributionDrift;
  readonly predictionDrift?: ShiftSummary;
  readonly priorShift?: ShiftSummary;
  readonly segments: SegmentWindow[];
  readonly segmentGap?: SegmentGap;
  readonly quality: QualityCounts;
  readonly suspicious: number;
}

export type DriftPattern = 'abrupt' | 'gradual' | 'recurring' | 'temporary' | 'undetermined';

/** One stretch of rows over which an alert condition held. */
export interface DriftEpisode {
  readonly kind: PredictionAlertKind;
  readonly key: string;
  readonly start: number;
  readonly end: number | null;
  readonly features: string[];
  readonly pattern: DriftPattern;
  /** Which columns separate the episode's first window from the reference (domain classifier). */
  readonly explanation?: DriftExplanation;
}

/** A row whose anomaly score exceeded the reference threshold. */
export interface SuspiciousRow {
  readonly index: number;
  readonly line: number;
  readonly score: number;
  readonly reasons: string[];
}

/** The monitor's whole state as plain data (JSON-serialisable). */
export interface PredictionReport {
  readonly rows: number;
  readonly schema: PredictionSchema | null;
  readonly reference: {
    readonly rows: number;
    readonly start: number;
    readonly end: number;
    readonly source: string;
    readonly complete: boolean;
    readonly accuracy: number | null;
    /** How performance is estimated without labels (CBPE or DLE), fitted on the reference. */
    readonly estimation?: EstimationSetup;
    /** The multivariate model fitted on the reference's numeric columns. */
    readonly multivariate?: MultivariateSetup;
  };
  readonly windows: WindowReport[];
  /** Windows dropped from the front of `windows` to bound memory. */
  readonly windowsDropped: number;
  readonly alerts: PredictionAlert[];
  /** Row indices of suspicious inputs (the first `maxSuspicious`). */
  readonly suspicious: number[];
  readonly suspiciousRows: SuspiciousRow[];
  readonly suspiciousTotal: number;
  readonly anomalyThreshold: number | null;
  /** Features ranked by drift in the latest evaluation, strongest first. */
  readonly driftRanking: { feature: string; alertPValue: number; shift: number }[];
  readonly episodes: DriftEpisode[];
  readonly quality: QualityCounts & { readonly appearedColumns: string[]; readonly disappearedColumns: string[] };
  readonly problems: LineProblem[];
  readonly problemsTotal: number;
  readonly segmentGap?: SegmentGap;
  readonly notes: string[];
}
