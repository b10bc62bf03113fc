/**
 * How a vector (embedding) column is compared with its reference: Evidently's four embedding
 * drift methods, with Evidently's defaults. One method decides the column's one verdict.
 */
export type EmbeddingMethodName = 'model' | 'ratio' | 'distance' | 'mmd';

export const EMBEDDING_METHODS: readonly EmbeddingMethodName[] = ['model', 'ratio', 'distance', 'mmd'];

/** Per-component test of the `ratio` method: normalised Wasserstein (drift > threshold) or KS (p < threshold). */
export type ComponentTest = 'wasserstein' | 'ks';

/** Options of the embedding drift methods; every field defaults to Evidently's value. */
export interface EmbeddingDriftOptions {
  /** Default `model`, as Evidently's EmbeddingsDriftMetric. */
  readonly method?: EmbeddingMethodName;
  /**
   * Drift when the method's score passes it. Defaults: model 0.55 (ROC AUC), ratio 0.2 (share of
   * drifted components), distance 0.2 (Euclidean or cosine distance between the means),
   * mmd 0.05 (permutation p-value, drift below it).
   */
  readonly threshold?: number;
  /** `distance`: `euclidean` (default) or `cosine`. */
  readonly distance?: 'euclidean' | 'cosine';
  /** `ratio`: the per-component test (default `wasserstein`, threshold 0.1; `ks` at p 0.05). */
  readonly componentTest?: ComponentTest;
  readonly componentThreshold?: number;
  /** `mmd`: label permutations of the test (default 100). */
  readonly permutations?: number;
  /** `mmd` and `model`: reference rows used at most (a seeded sample; default 500), which bounds the cost per window. */
  readonly maxReferenceRows?: number;
  /** Seed of every random choice (sampling, permutations, folds), so a run repeats exactly. */
  readonly seed?: number;
  /**
   * Rows between two runs of the method over the sliding window (default: half the window).
   * The domain classifier costs about 0.1 s a run for 64 components, too much for every drift
   * evaluation; between runs the column keeps its last result.
   */
  readonly every?: number;
}

export const DEFAULT_THRESHOLD: Readonly<Record<EmbeddingMethodName, number>> = { model: 0.55, ratio: 0.2, distance: 0.2, mmd: 0.05 };
export const DEFAULT_COMPONENT_THRESHOLD: Readonly<Record<ComponentTest, number>> = { wasserstein: 0.1, ks: 0.05 };
export const DEFAULT_PERMUTATIONS = 100;
export const DEFAULT_MAX_REFERENCE_ROWS = 500;
export const DEFAULT_SEED = 42;

/** The options with every default filled in. */
export interface ResolvedEmbeddingOptions {
  readonly method: EmbeddingMethodName;
  readonly threshold: number;
  readonly distance: 'euclidean' | 'cosine';
  readonly componentTest: ComponentTest;
  readonly componentThreshold: number;
  readonly permutations: number;
  readonly maxReferenceRows: number;
  readonly seed: number;
  readonly every: number | undefined;
}

/** Fills in the defaults; throws a RangeError naming the bad option. */
export function resolveEmbeddingOptions(o: EmbeddingDriftOptions = {}): ResolvedEmbeddingOptions {
  const problems = validateEmbeddingOptions(o);
  if (problems.length) throw new RangeError(`embedding drift: ${problems.join('; ')}`);
  const method = o.method ?? 'model';
  const componentTest = o.componentTest ?? 'wasserstein';
  return {
    method,
    threshold: o.threshold ?? DEFAULT_THRESHOLD[method],
    distance: o.distance ?? 'euclidean',
    componentTest,
    componentThreshold: o.componentThreshold ?? DEFAULT_COMPONENT_THRESHOLD[componentTest],
    permutations: o.permutations ?? DEFAULT_PERMUTATIONS,
    maxReferenceRows: o.maxReferenceRows ?? DEFAULT_MAX_REFERENCE_ROWS,
    seed: o.seed ?? DEFAULT_SEED,
    every: o.every,
  };
}

const KEYS = ['method', 'threshold', 'distance', 'componentTest', 'componentThreshold', 'permutations', 'maxReferenceRows', 'seed', 'every'];

/** Messages naming each bad key of options read from JSON (empty = valid). */
export function validateEmbeddingOptions(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['embedding options must be an object'];
  const o = value as Record<string, unknown>;
  const problems: string[] = [];
  const oneOf = (k: string, allowed: readonly string[]) => {
    if (o[k] !== undefined && !allowed.includes(o[k] as string)) problems.push(`'${k}' must be one of ${allowed.join(', ')} (got ${JSON.stringify(o[k])})`);
  };
  const number = (k: string, ok: (x: number) => boolean, what: string) => {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && ok(v))) problems.push(`'${k}' must be ${what} (got ${JSON.stringify(v)})`);
  };
  oneOf('method', EMBEDDING_METHODS);
  oneOf('distance', ['euclidean', 'cosine']);
  oneOf('componentTest', ['wasserstein', 'ks']);
  number('threshold', (x) => Number.isFinite(x) && x >= 0, 'a number >= 0');
  number('componentThreshold', (x) => Number.isFinite(x) && x >= 0, 'a number >= 0');
  number('permutations', (x) => Number.isInteger(x) && x >= 1 && x <= 10000, 'an integer from 1 to 10000');
  number('maxReferenceRows', (x) => Number.isInteger(x) && x >= 20, 'an integer >= 20');
  number('seed', (x) => Number.isInteger(x), 'an integer');
  number('every', (x) => Number.isInteger(x) && x >= 1, 'a positive integer (rows)');
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) problems.push(`unknown key '${k}' (known: ${KEYS.join(', ')})`);
  return problems;
}
