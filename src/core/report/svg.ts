import { formatNumber } from '../charts';
import { escapeHtml } from '../../protocol';

/**
 * Small static SVG charts for the report when the dashboards' bundle is not available: no script,
 * colours from CSS classes so the page theme applies.
 */
export interface LineSeries {
  readonly name: string;
  readonly xs: readonly number[];
  /** null = a gap (NaN or infinity in the log). */
  readonly ys: readonly (number | null)[];
  /** Colour slot (core's `runColourSlots`); defaults to the series' position. */
  readonly colour?: number;
}

export interface LineChartOptions {
  readonly title: string;
  readonly series: readonly LineSeries[];
  readonly width?: number;
  readonly height?: number;
  /** x positions to mark with a vertical rule (a finding's step, the reference's end). */
  readonly markers?: readonly { x: number; label: string }[];
  readonly logScale?: boolean;
}

const PAD = { left: 52, right: 12, top: 24, bottom: 28 };
export const PALETTE_SIZE = 8;

/** A static SVG line chart for the script-free report: one line per series, with optional markers and log scale. */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 420;
  const height = o.height ?? 220;
  const all = o.series.flatMap((s) => s.xs.map((x, i) => ({ x, y: s.ys[i] })));
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y).filter((y): y is number => y !== null && y !== undefined && Number.isFinite(y) && (!o.logScale || y > 0));
  const label = `<title>${escapeHtml(o.title)}</title>`;
  if (!xs.length || !ys.length) {
    return `<svg class="mm-chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${label}<text class="mm-chart-title" x="${PAD.left}" y="16">${escapeHtml(o.title)}</text><text class="mm-axis" x="${width / 2}" y="${height / 2}" text-anchor="middle">no finite values</text></svg>`;
  }
  const tf = (y: number) => (o.logScale ? Math.log10(y) : y);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys.map(tf)), Math.max(...ys.map(tf))];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (width - PAD.left - PAD.right);
  const py = (y: number) => height - PAD.bottom - ((tf(y) - y0) / (y1 - y0)) * (height - PAD.top - PAD.bottom);
  const paths = o.series.map((s, k) => {
    let d = '';
    let pen = false;
    s.xs.forEach((x, i) => {
      const y = s.ys[i];
      if (y === null || y === undefined || !Number.isFinite(y) || (o.logScale && y <= 0)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${px(x).toFixed(1)} ${py(y).toFixed(1)}`;
      pen = true;
    });
    return `<path class="mm-line mm-c${(s.colour ?? k) % PALETTE_SIZE}" d="${d}"><title>${escapeHtml(s.name)}</title></path>`;
  });
  const markers = (o.markers ?? []).map(
    (m) => `<line class="mm-marker" x1="${px(m.x).toFixed(1)}" x2="${px(m.x).toFixed(1)}" y1="${PAD.top}" y2="${height - PAD.bottom}"><title>${escapeHtml(m.label)}</title></line>`,
  );
  const yTicks = [y0, (y0 + y1) / 2, y1].map((t) => {
    const value = o.logScale ? 10 ** t : t;
    const y = height - PAD.bottom - ((t - y0) / (y1 - y0)) * (height - PAD.top - PAD.bottom);
    return `<text class="mm-axis" x="${PAD.left - 4}" y="${(y + 3).toFixed(1)}" text-anchor="end">${escapeHtml(formatNumber(value))}</text><line class="mm-grid" x1="${PAD.left}" x2="${width - PAD.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}"/>`;
  });
  const xTicks = [x0, x1].map(
    (x, i) => `<text class="mm-axis" x="${px(x).toFixed(1)}" y="${height - 10}" text-anchor="${i ? 'end' : 'start'}">${escapeHtml(formatNumber(x))}</text>`,
  );
  return `<svg class="mm-chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${label}<text class="mm-chart-title" x="${PAD.left}" y="16">${escapeHtml(o.title)}</text>${yTicks.join('')}${xTicks.join('')}${markers.join('')}${paths.join('')}</svg>`;
}

export interface BarChartOptions {
  readonly title: string;
  readonly bars: readonly { label: string; value: number; flagged: boolean }[];
  readonly threshold?: number;
  readonly width?: number;
}

/** Horizontal bars (one per feature), flagged ones highlighted, with an optional threshold rule. */
export function barChart(o: BarChartOptions): string {
  const width = o.width ?? 420;
  const row = 16;
  const labelWidth = 150;
  const height = PAD.top + o.bars.length * row + 20;
  const max = Math.max(o.threshold ?? 0, ...o.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0))) || 1;
  const scale = (v: number) => (Math.max(0, Number.isFinite(v) ? v : max) / max) * (width - labelWidth - 60);
  const bars = o.bars.map((b, i) => {
    const y = PAD.top + i * row;
    return `<text class="mm-axis" x="${labelWidth - 4}" y="${y + 11}" text-anchor="end">${escapeHtml(b.label)}</text><rect class="mm-bar${b.flagged ? ' mm-flagged' : ''}" x="${labelWidth}" y="${y + 2}" width="${scale(b.value).toFixed(1)}" height="${row - 4}"><title>${escapeHtml(`${b.label}: ${formatNumber(b.value)}`)}</title></rect><text class="mm-axis" x="${(labelWidth + scale(b.value) + 4).toFixed(1)}" y="${y + 11}">${escapeHtml(formatNumber(b.value))}</text>`;
  });
  const rule =
    o.threshold !== undefined
      ? `<line class="mm-marker" x1="${labelWidth + scale(o.threshold)}" x2="${labelWidth + scale(o.threshold)}" y1="${PAD.top - 4}" y2="${height - 16}"><title>threshold ${formatNumber(o.threshold)}</title></line>`
      : '';
  return `<svg class="mm-chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><title>${escapeHtml(o.title)}</title><text class="mm-chart-title" x="4" y="16">${escapeHtml(o.title)}</text>${bars.join('')}${rule}</svg>`;
}
