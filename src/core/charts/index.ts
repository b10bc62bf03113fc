export { smoothEma } from './smoothing';
export { lttbIndices } from './decimate';
export { rebinHistogram } from './histogram';
export { formatCount, formatDuration, formatNumber, formatPValue, humanizeKey } from './format';
export { niceBounds, robustRange, robustRangeOfSeries } from './range';
export { seriesDelta, sliceSeries, thinSeries, type SentSeries, type SeriesDelta } from './incremental';
export { runColourSlots } from './runColours';
export { formatAxisTicks } from './ticks';
export { MARKER_SHAPES, markerShapesByKind, type MarkerShape } from './markerShapes';
