import { chooseDriftTest, runDriftTest, type DriftTestOverride, type DriftTestResult } from '../stats';
import type { FeatureDriftView } from '../../protocol/views';
import { columnCounts, columnSize, type FeatureValues } from './columns';

/** The test a drift check asks for: `auto` lets each column pick its own (Evidently's defaults). */
export type DriftCheckTest = 'auto' | 'ks' | 'psi' | 'wasserstein' | 'jensenshannon';

/** The thresholds the user set for the tests that take one. */
export interface DriftCheckThresholds {
  /** KS drifts below this p-value. */
  readonly pValueThreshold: number;
  /** PSI drifts above this value. */
  readonly psiThreshold: number;
}

/**
 * The override for a column's test, where the user's test applies; KS and Wasserstein need
 * numbers, so categorical columns (and numbers with <= 5 unique values) keep the default.
 */
export function testOverride(test: DriftCheckTest, categorical: boolean, thresholds: DriftCheckThresholds): DriftTestOverride | undefined {
  switch (test) {
    case 'auto':
      return undefined;
    case 'ks':
      return categorical ? undefined : { test: 'ks', threshold: thresholds.pValueThreshold };
    case 'wasserstein':
      return categorical ? undefined : 'wasserstein';
    case 'psi':
      return { test: 'psi', threshold: thresholds.psiThreshold };
    case 'jensenshannon':
      return 'jensenshannon';
  }
}

/**
 * How strongly a result says "drift", comparable across tests: > 1 means past the threshold
 * (log p over log threshold for tests, statistic over threshold for distances).
 */
export function driftStrength(r: DriftTestResult): number {
  if (r.pValue !== undefined) return Math.log10(Math.max(r.pValue, 1e-300)) / Math.log10(r.threshold);
  return r.threshold > 0 ? r.statistic / r.threshold : r.statistic;
}

/**
 * Tests every feature present on both sides with the same kind and at least 2 values each, and
 * ranks them: drifted first, then strongest drift first, then by name.
 *
 * @example
 * const ref = new Map([['x', { kind: 'numeric', values: [1, 2, 3, 4, 5, 6] }]]);
 * const cur = new Map([['x', { kind: 'numeric', values: [11, 12, 13, 14, 15, 16] }]]);
 * compareFeatures(ref, cur, 'ks', { pValueThreshold: 0.01, psiThreshold: 0.2 });
 * // [{ feature: 'x', kind: 'numeric', statistic: 'ks', value: 1, test: 'ks', pValue: 0.0021..., drifted: true }]
 */
export function compareFeatures(
  reference: ReadonlyMap<string, FeatureValues>,
  current: ReadonlyMap<string, FeatureValues>,
  test: DriftCheckTest,
  thresholds: DriftCheckThresholds,
  /** Vector features whose element columns (`input[0]`, ...) are judged as one feature. */
  vectors: ReadonlySet<string> = new Set(),
): FeatureDriftView[] {
  type Tested = { feature: string; kind: 'numeric' | 'categorical' | 'vector'; result: DriftTestResult };
  const results: Tested[] = [];
  const elements = new Map<string, DriftTestResult[]>();
  for (const [feature, ref] of reference) {
    const cur = current.get(feature);
    if (!cur || cur.kind !== ref.kind) continue;
    const size = columnSize(ref);
    if (size < 2 || columnSize(cur) < 2) continue;
    const unique = ref.kind === 'numeric' ? new Set(ref.values).size : ref.counts.size;
    const override = testOverride(test, ref.kind === 'categorical' || unique <= 5, thresholds);
    const choice = chooseDriftTest({ kind: ref.kind, referenceSize: size, uniqueValues: unique }, override);
    const result =
      ref.kind === 'numeric' && cur.kind === 'numeric'
        ? runDriftTest(choice, ref.values, cur.values)
        : runDriftTest(choice, columnCounts(ref), columnCounts(cur));
    const vector = vectorOf(feature, vectors);
    if (vector !== undefined) {
      const list = elements.get(vector) ?? [];
      list.push(result);
      elements.set(vector, list);
    } else results.push({ feature, kind: ref.kind, result });
  }
  for (const [feature, list] of elements) results.push({ feature, kind: 'vector', result: vectorResult(list) });
  results.sort(
    (a, b) =>
      Number(b.result.drifted) - Number(a.result.drifted) ||
      driftStrength(b.result) - driftStrength(a.result) ||
      a.feature.localeCompare(b.feature),
  );
  return results.map(({ feature, kind, result }) => ({
    feature,
    kind,
    statistic: result.test,
    value: result.statistic,
    test: result.test,
    pValue: result.pValue ?? null,
    threshold: result.threshold,
    drifted: result.drifted,
  }));
}

/** The vector a column `name[k]` is an element of, if any. */
function vectorOf(column: string, vectors: ReadonlySet<string>): string | undefined {
  const at = column.lastIndexOf('[');
  if (at <= 0 || !column.endsWith(']')) return undefined;
  const name = column.slice(0, at);
  return vectors.has(name) ? name : undefined;
}

/**
 * A vector's elements judged as one feature: with a p-value test, the smallest p-value
 * Bonferroni-corrected over the elements (so 64 pixels do not give 64 chances of a false alarm);
 * with a distance, the mean over the elements against the same threshold.
 */
export function vectorResult(elements: readonly DriftTestResult[]): DriftTestResult {
  const first = elements[0]!;
  const withP = elements.filter((r) => r.pValue !== undefined);
  if (withP.length === elements.length) {
    const strongest = withP.reduce((a, b) => (b.pValue! < a.pValue! ? b : a));
    const pValue = Math.min(1, strongest.pValue! * elements.length);
    return { test: strongest.test, statistic: strongest.statistic, pValue, threshold: strongest.threshold, drifted: pValue < strongest.threshold };
  }
  const mean = elements.reduce((s, r) => s + r.statistic, 0) / elements.length;
  return { test: first.test, statistic: mean, threshold: first.threshold, drifted: mean > first.threshold };
}
