import type { PredictionSchema } from '../predictions';
import type { FlatValue } from '../predictions/schema';

/** A feature's values over some rows: finite numbers, or counts per category. */
export type FeatureValues =
  | { readonly kind: 'numeric'; readonly values: number[] }
  | { readonly kind: 'categorical'; readonly counts: Map<string, number> };

/** Elements of a vector feature compared one by one; the rest are ignored. */
export const MAX_VECTOR_ELEMENTS = 256;

/**
 * The monitored features of `schema` over `rows` as columns, in schema order. A vector feature
 * becomes one numeric column per element, named `input[0]`, `input[1]`, ...; missing and
 * non-finite values are left out.
 */
export function featureColumns(rows: readonly ReadonlyMap<string, FlatValue>[], schema: PredictionSchema): Map<string, FeatureValues> {
  const columns = new Map<string, FeatureValues>();
  const numeric = (name: string): number[] => {
    let c = columns.get(name);
    if (!c) columns.set(name, (c = { kind: 'numeric', values: [] }));
    return c.kind === 'numeric' ? c.values : [];
  };
  for (const f of schema.features) {
    if (f.kind === 'categorical') {
      const counts = new Map<string, number>();
      for (const r of rows) {
        const v = r.get(f.name);
        if (v !== null && v !== undefined) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      }
      columns.set(f.name, { kind: 'categorical', counts });
    } else if (f.kind === 'numeric') {
      const values = numeric(f.name);
      for (const r of rows) {
        const v = r.get(f.name);
        if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
      }
    } else {
      for (const r of rows) {
        const v = r.get(f.name);
        if (!Array.isArray(v)) continue;
        v.slice(0, MAX_VECTOR_ELEMENTS).forEach((x, k) => {
          if (typeof x === 'number' && Number.isFinite(x)) numeric(`${f.name}[${k}]`).push(x);
        });
      }
    }
  }
  return columns;
}

/** How many values the column holds. */
export function columnSize(c: FeatureValues): number {
  return c.kind === 'numeric' ? c.values.length : [...c.counts.values()].reduce((a, b) => a + b, 0);
}

/** The column's values counted by category (numbers by their decimal text). */
export function columnCounts(c: FeatureValues): Map<string, number> {
  if (c.kind === 'categorical') return c.counts;
  const m = new Map<string, number>();
  for (const v of c.values) m.set(String(v), (m.get(String(v)) ?? 0) + 1);
  return m;
}
