/**
 * chart.js with only the pieces the dashboards use, themed from VS Code's variables, plus a small
 * marker plugin (no annotation plugin is bundled): vertical markers at an x value with a hover
 * tooltip, used for training findings, a focused step and prediction alerts.
 */
import type { MarkerShape } from '../src/core/charts/markerShapes';
import {
  Chart,
  Decimation,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
  type ChartDataset,
  type Plugin,
} from 'chart.js';
import type { Severity } from '../src/protocol';
import { formatNumber } from '../src/core/charts/format';
import { formatAxisTicks } from '../src/core/charts/ticks';
import { withAlpha, type Theme } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Decimation, Filler);

export type XYPoint = { x: number; y: number | null };
export type LineDataset = ChartDataset<'line', XYPoint[]>;

export interface Marker {
  readonly x: number;
  /** Where the marker sits on the curve; null pins it to the top of the plot. */
  readonly y: number | null;
  readonly severity: Severity | 'focus';
  /** The glyph on the curve (default a triangle): kinds that share a colour still look apart. */
  readonly shape?: MarkerShape;
  readonly lines: readonly string[];
  /** Opaque payload handed back on click. */
  readonly key?: string;
}

/** A shaded stretch of x (NaN/Inf values of a run) with a label at its start. */
export interface Band {
  readonly from: number;
  readonly to: number;
  readonly label: string;
  readonly colour: string;
}

export interface MarkerOptions {
  markers: readonly Marker[];
  theme: Theme;
  onClick?: (marker: Marker) => void;
  /** Shaded stretches drawn under the curves. */
  bands?: readonly Band[];
  /** Short notes in the plot's top-right corner, e.g. "3 points above the axis". */
  notes?: readonly string[];
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    modelmonMarkers?: MarkerOptions;
  }
}

interface MarkerState {
  hover: number;
}
const markerStates = new WeakMap<Chart, MarkerState>();

function markerColour(theme: Theme, m: Marker): string {
  if (m.severity === 'focus') return theme.focus;
  return m.severity === 'error' ? theme.error : m.severity === 'warning' ? theme.warning : theme.info;
}

function markerPixel(chart: Chart, m: Marker): { x: number; y: number } | undefined {
  const xs = chart.scales.x;
  const ys = chart.scales.y;
  if (!xs || !ys) return undefined;
  const x = xs.getPixelForValue(m.x);
  if (!Number.isFinite(x) || x < chart.chartArea.left - 1 || x > chart.chartArea.right + 1) return undefined;
  let y = m.y === null ? NaN : ys.getPixelForValue(m.y);
  if (!Number.isFinite(y) || y < chart.chartArea.top || y > chart.chartArea.bottom) y = chart.chartArea.top + 6;
  return { x, y };
}

/** Shades each band and labels it once, at its left edge inside the plot. */
function drawBands(chart: Chart, opts: MarkerOptions): void {
  const xs = chart.scales.x;
  if (!xs || !opts.bands?.length) return;
  const { ctx, chartArea } = chart;
  ctx.save();
  ctx.font = `${opts.theme.fontSize - 2}px ${opts.theme.fontFamily}`;
  ctx.textBaseline = 'bottom';
  opts.bands.forEach((b, i) => {
    const left = Math.max(chartArea.left, xs.getPixelForValue(b.from));
    const right = Math.min(chartArea.right, Math.max(xs.getPixelForValue(b.to), left + 2));
    if (!(right > left) || left >= chartArea.right) return;
    ctx.fillStyle = withAlpha(b.colour, 0.12);
    ctx.fillRect(left, chartArea.top, right - left, chartArea.bottom - chartArea.top);
    ctx.fillStyle = b.colour;
    ctx.fillRect(left, chartArea.top, 2, chartArea.bottom - chartArea.top);
    const w = ctx.measureText(b.label).width;
    const x = left + 4 + w <= chartArea.right ? left + 4 : Math.max(chartArea.left, left - 4 - w);
    // Several runs' bands stack their labels upwards from the bottom of the plot.
    ctx.fillText(b.label, x, chartArea.bottom - 2 - i * (opts.theme.fontSize + 1));
  });
  ctx.restore();
}

function drawNotes(chart: Chart, opts: MarkerOptions): void {
  if (!opts.notes?.length) return;
  const { ctx, chartArea } = chart;
  ctx.save();
  ctx.font = `${opts.theme.fontSize - 2}px ${opts.theme.fontFamily}`;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  opts.notes.forEach((n, i) => {
    const y = chartArea.top + 2 + i * (opts.theme.fontSize + 1);
    const w = ctx.measureText(n).width;
    ctx.fillStyle = withAlpha(opts.theme.background, 0.85);
    ctx.fillRect(chartArea.right - w - 6, y - 1, w + 6, opts.theme.fontSize);
    ctx.fillStyle = opts.theme.warning;
    ctx.fillText(n, chartArea.right - 3, y);
  });
  ctx.restore();
}

export const markerPlugin: Plugin<'line', MarkerOptions> = {
  id: 'modelmonMarkers',
  beforeDatasetsDraw(chart, _args, opts) {
    if (opts) drawBands(chart, opts);
  },
  afterDatasetsDraw(chart, _args, opts) {
    if (opts) drawNotes(chart, opts);
    if (!opts?.markers?.length) return;
    const { ctx, chartArea } = chart;
    ctx.save();
    for (const m of opts.markers) {
      const p = markerPixel(chart, m);
      if (!p) continue;
      const colour = markerColour(opts.theme, m);
      ctx.strokeStyle = withAlpha(colour, m.severity === 'focus' ? 0.9 : 0.55);
      ctx.lineWidth = m.severity === 'focus' ? 1.5 : 1;
      ctx.setLineDash(m.severity === 'focus' ? [] : [4, 3]);
      ctx.beginPath();
      ctx.moveTo(p.x, chartArea.top);
      ctx.lineTo(p.x, chartArea.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      if (m.severity === 'focus') {
        // A focus line carries its first line as a label at the top, inside the plot.
        const label = m.lines[0];
        if (label) {
          ctx.font = `${opts.theme.fontSize - 2}px ${opts.theme.fontFamily}`;
          ctx.fillStyle = colour;
          ctx.textBaseline = 'top';
          const w = ctx.measureText(label).width;
          const right = p.x + 4 + w <= chartArea.right;
          ctx.textAlign = right ? 'left' : 'right';
          ctx.fillText(label, right ? p.x + 4 : p.x - 4, chartArea.top + 2);
        }
        continue;
      }
      ctx.fillStyle = colour;
      ctx.strokeStyle = opts.theme.background;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      markerPath(ctx, m.shape ?? 'triangle', p.x, p.y);
      ctx.fill();
      ctx.stroke();
    }
    ctx.restore();
  },
  afterEvent(chart, args, opts) {
    if (!opts?.markers?.length) return;
    const state = markerStates.get(chart) ?? { hover: -1 };
    markerStates.set(chart, state);
    const e = args.event;
    let hover = -1;
    if (e.type !== 'mouseout' && e.x !== null && e.y !== null) {
      let best = 7;
      opts.markers.forEach((m, i) => {
        const p = markerPixel(chart, m);
        if (!p) return;
        const d = Math.abs(p.x - e.x!);
        if (d < best && e.y! >= chart.chartArea.top - 10 && e.y! <= chart.chartArea.bottom) {
          best = d;
          hover = i;
        }
      });
    }
    if (e.type === 'click' && hover >= 0) opts.onClick?.(opts.markers[hover]!);
    if (hover !== state.hover) {
      state.hover = hover;
      chart.canvas.style.cursor = hover >= 0 && opts.onClick ? 'pointer' : '';
      args.changed = true;
    }
  },
  afterDraw(chart, _args, opts) {
    const state = markerStates.get(chart);
    const m = state && state.hover >= 0 ? opts?.markers?.[state.hover] : undefined;
    if (!m || !opts) return;
    const p = markerPixel(chart, m);
    if (!p) return;
    drawTooltip(chart, opts.theme, p, m.lines, markerColour(opts.theme, m));
  },
};

/** The glyph's outline, its tip or bottom at (x, y) so every shape sits on the curve the same way. */
function markerPath(ctx: CanvasRenderingContext2D, shape: MarkerShape, x: number, y: number): void {
  switch (shape) {
    case 'circle':
      ctx.arc(x, y - 5, 4.5, 0, 2 * Math.PI);
      break;
    case 'square':
      ctx.rect(x - 4, y - 9, 8, 8);
      break;
    case 'diamond':
      ctx.moveTo(x, y - 11);
      ctx.lineTo(x + 5, y - 5.5);
      ctx.lineTo(x, y);
      ctx.lineTo(x - 5, y - 5.5);
      ctx.closePath();
      break;
    case 'up':
      ctx.moveTo(x, y - 10);
      ctx.lineTo(x + 5.5, y);
      ctx.lineTo(x - 5.5, y);
      ctx.closePath();
      break;
    case 'plus':
      ctx.rect(x - 5, y - 7, 10, 4);
      ctx.rect(x - 2, y - 10, 4, 10);
      break;
    default:
      // A downward triangle on the curve, like a pin pointing at the step.
      ctx.moveTo(x - 6, y - 9);
      ctx.lineTo(x + 6, y - 9);
      ctx.lineTo(x, y);
      ctx.closePath();
  }
}

function drawTooltip(chart: Chart, theme: Theme, at: { x: number; y: number }, lines: readonly string[], accent: string): void {
  const { ctx } = chart;
  const font = `${theme.fontSize - 1}px ${theme.fontFamily}`;
  ctx.save();
  ctx.font = font;
  const maxWidth = Math.min(360, chart.width - 16);
  const wrapped = lines.flatMap((l) => wrap(ctx, l, maxWidth - 20));
  const lineHeight = theme.fontSize + 3;
  const w = Math.min(maxWidth, Math.max(...wrapped.map((l) => ctx.measureText(l).width)) + 20);
  const hgt = wrapped.length * lineHeight + 12;
  let x = at.x + 10;
  if (x + w > chart.width - 4) x = Math.max(4, at.x - 10 - w);
  let y = at.y + 6;
  if (y + hgt > chart.height - 4) y = Math.max(4, chart.height - 4 - hgt);
  ctx.fillStyle = theme.tooltipBackground;
  ctx.strokeStyle = theme.tooltipBorder;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.roundRect(x, y, w, hgt, 4);
  ctx.fill();
  ctx.stroke();
  ctx.fillStyle = accent;
  ctx.fillRect(x, y + 4, 3, hgt - 8);
  ctx.textBaseline = 'top';
  wrapped.forEach((l, i) => {
    ctx.fillStyle = i === 0 ? theme.foreground : theme.muted;
    ctx.font = i === 0 ? `600 ${font}` : font;
    ctx.fillText(l, x + 12, y + 6 + i * lineHeight);
  });
  ctx.restore();
}

function wrap(ctx: CanvasRenderingContext2D, text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width) {
      out.push(line);
      line = word;
    } else line = next;
  }
  if (line) out.push(line);
  return out;
}

export interface LineChartOptions {
  readonly theme: Theme;
  readonly xTitle: string;
  readonly yTitle?: string;
  readonly logScale?: boolean;
  readonly xTicks?: (value: number) => string;
  readonly yTicks?: (value: number) => string;
  readonly yMin?: number;
  readonly yMax?: number;
  /** LTTB decimation for long series (needs numeric x, parsing off). */
  readonly decimate?: boolean;
  readonly tooltipTitle?: (x: number) => string;
  readonly tooltipLabel?: (dataset: LineDataset, y: number, x: number) => string;
  /** Datasets whose label starts with this prefix stay out of tooltips (the faint raw curves). */
  readonly tooltipSkipPrefix?: string;
  readonly legend?: boolean;
}

/** A themed line chart config over numeric x, with decimation and the marker plugin wired. */
export function lineChartConfig(datasets: LineDataset[], o: LineChartOptions, markers: MarkerOptions): ChartConfiguration<'line', XYPoint[]> {
  const t = o.theme;
  const axisTitle = (text: string) => ({ display: true, text, color: t.muted, font: { size: t.fontSize - 2 } });
  const yBase = {
    grid: { color: t.grid },
    border: { color: t.grid },
    // One notation for the whole axis: every tick is formatted knowing its neighbours.
    ticks: {
      color: t.muted,
      maxTicksLimit: 6,
      callback: (v: number | string, i: number, ticks: readonly { value: number }[]) => (o.yTicks ? o.yTicks(Number(v)) : (formatAxisTicks(ticks.map((k) => k.value))[i] ?? formatNumber(Number(v)))),
    },
    title: o.yTitle ? axisTitle(o.yTitle) : { display: false },
    ...(o.yMin !== undefined ? { min: o.yMin } : {}),
    ...(o.yMax !== undefined ? { max: o.yMax } : {}),
  };
  return {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      spanGaps: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      elements: { point: { radius: 0, hitRadius: 4, hoverRadius: 3 }, line: { borderWidth: 1.5, tension: 0 } },
      font: { family: t.fontFamily, size: t.fontSize - 1 },
      color: t.foreground,
      scales: {
        x: {
          type: 'linear',
          grid: { color: t.grid },
          border: { color: t.grid },
          ticks: { color: t.muted, maxTicksLimit: 7, maxRotation: 0, callback: (v) => (o.xTicks ?? formatNumber)(Number(v)) },
          title: axisTitle(o.xTitle),
        },
        y: o.logScale ? { type: 'logarithmic', ...yBase } : { type: 'linear', ...yBase },
      },
      plugins: {
        legend: { display: false },
        decimation: { enabled: o.decimate ?? false, algorithm: 'lttb', samples: 600, threshold: 1200 },
        tooltip: {
          backgroundColor: t.tooltipBackground,
          borderColor: t.tooltipBorder,
          borderWidth: 1,
          titleColor: t.foreground,
          bodyColor: t.foreground,
          titleFont: { family: t.fontFamily, weight: 'bold', size: t.fontSize - 1 },
          bodyFont: { family: t.fontFamily, size: t.fontSize - 1 },
          boxPadding: 4,
          usePointStyle: true,
          // A marker's own tooltip replaces the data tooltip while the pointer is on it.
          filter: (item) => (markerStates.get(item.chart)?.hover ?? -1) < 0 && (!o.tooltipSkipPrefix || !String(item.dataset.label ?? '').startsWith(o.tooltipSkipPrefix)),
          callbacks: {
            title: (items) => (items[0] ? (o.tooltipTitle ?? formatNumber)(items[0].parsed.x ?? 0) : ''),
            label: (item) =>
              o.tooltipLabel ? o.tooltipLabel(item.dataset as LineDataset, item.parsed.y ?? NaN, item.parsed.x ?? NaN) : `${item.dataset.label ?? ''}: ${formatNumber(item.parsed.y)}`,
          },
        },
        modelmonMarkers: markers,
      },
    },
    plugins: [markerPlugin],
  };
}

export { Chart };
