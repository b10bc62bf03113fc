/** Small charts for hovers: a unicode sparkline and an SVG polyline as a data: URI. */
import { formatPlainNumber } from '../../core/charts/format';

const BARS = '▁▂▃▄▅▆▇█';

/** Picks at most `max` evenly spaced points, always keeping the last one. */
export function thin(values: readonly number[], max: number): number[] {
  if (values.length <= max) return [...values];
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(values[Math.round((k * (values.length - 1)) / (max - 1))]!);
  return out;
}

/** `▁▂▅█` for the finite values; non-finite values show as `×`. */
export function unicodeSparkline(values: readonly number[], width = 32): string {
  const points = thin(values, width);
  const finite = points.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return points
    .map((v) => (Number.isFinite(v) ? BARS[hi > lo ? Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1)) : 3]! : '×'))
    .join('');
}

/** An SVG line chart of `values` (non-finite values break the line and get a red mark). */
export function svgSparklineDataUri(values: readonly number[], width = 240, height = 48, color = '#3794ff'): string {
  const points = thin(values, 120);
  const finite = points.filter(Number.isFinite);
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 1;
  const x = (k: number) => (points.length > 1 ? (k / (points.length - 1)) * (width - 4) + 2 : width / 2);
  const y = (v: number) => (hi > lo ? height - 3 - ((v - lo) / (hi - lo)) * (height - 6) : height / 2);
  const segments: string[] = [];
  let current: string[] = [];
  const marks: string[] = [];
  points.forEach((v, k) => {
    if (Number.isFinite(v)) current.push(`${x(k).toFixed(1)},${y(v).toFixed(1)}`);
    else {
      if (current.length) segments.push(current.join(' '));
      current = [];
      marks.push(`<line x1="${x(k).toFixed(1)}" y1="0" x2="${x(k).toFixed(1)}" y2="${height}" stroke="#f14c4c" stroke-width="1"/>`);
    }
  });
  if (current.length) segments.push(current.join(' '));
  const lines = segments.map((s) => `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${s}"/>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${lines}${marks.slice(0, 20).join('')}</svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** A compact number for lenses and tree labels: 3 significant digits, NaN/Inf spelled out. */
export function formatValue(value: number | null): string {
  return value === null ? '–' : formatPlainNumber(value, 4);
}
