import type { SeriesView } from '../../protocol/views';
import { lttbIndices } from './decimate';

/** What the page already holds of one series: how many points, ending at which step and value. */
export interface SentSeries {
  readonly length: number;
  readonly lastStep: number | undefined;
  readonly lastValue: number | null | undefined;
}

/** Points to send for one series since `before`; `replace` when the page must drop what it has. */
export interface SeriesDelta {
  readonly series: SeriesView;
  readonly replace: boolean;
  readonly sent: SentSeries;
}

/**
 * The change of a growing series since it was last sent. Appending is only safe while the old
 * points are untouched: a purge or a resumed run that rewrote steps (seen as a different step or value
 * at the old last point) sends the series again whole
 * (thinned to `maxPoints` with LTTB).
 *
 * @returns undefined when nothing changed
 */
export function seriesDelta(before: SentSeries | undefined, now: SeriesView, maxPoints: number): SeriesDelta | undefined {
  const length = now.steps.length;
  const sent: SentSeries = { length, lastStep: now.steps[length - 1], lastValue: now.values[length - 1] };
  const same = (i: number, b: SentSeries) => now.steps[i] === b.lastStep && Object.is(now.values[i], b.lastValue);
  if (before && before.length === length && same(length - 1, before)) return undefined;
  // A restart that re-logged the same steps shows as a changed value at the old last point.
  const appended = before !== undefined && before.length > 0 && length > before.length && same(before.length - 1, before);
  if (appended) return { series: sliceSeries(now, before.length), replace: false, sent };
  return { series: thinSeries(now, maxPoints), replace: true, sent };
}

/** The points of `s` from index `from` on, for sending only what a chart has not drawn yet. */
export function sliceSeries(s: SeriesView, from: number): SeriesView {
  return { steps: s.steps.slice(from), values: s.values.slice(from), wallTimes: s.wallTimes.slice(from) };
}

/** At most `maxPoints` points that keep the curve's shape and every gap. */
export function thinSeries(s: SeriesView, maxPoints: number): SeriesView {
  if (s.steps.length <= maxPoints) return s;
  const idx = lttbIndices(s.steps, s.values, maxPoints);
  return { steps: idx.map((i) => s.steps[i]!), values: idx.map((i) => s.values[i] ?? null), wallTimes: idx.map((i) => s.wallTimes[i]!) };
}
