/** Conversions from the engines' types to the dashboards' view types, for whoever builds the sources. */
import type { SeriesView } from '../../protocol/views';

// The GPU views are built in core, where the HTML report builds them too.
export { gpuReadingView, gpuSampleView } from '../../core/gpu/sampleView';

/** NaN and ±Infinity become null, the protocol's gap. */
export function finiteSeries(s: { readonly steps: readonly number[]; readonly values: readonly (number | null)[]; readonly wallTimes: readonly number[] }): SeriesView {
  let clean = true;
  for (const v of s.values) if (v !== null && !Number.isFinite(v)) clean = false;
  return clean ? s : { steps: s.steps, wallTimes: s.wallTimes, values: s.values.map((v) => (v !== null && Number.isFinite(v) ? v : null)) };
}
