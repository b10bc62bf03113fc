/**
 * The efficiency card of one run: the loss curve with the GPUs' utilisation drawn as a strip
 * under it on the same step axis, and the engine's figures and findings beside them. Every figure
 * and verdict arrives computed (RunEfficiencyView); this file only draws and formats.
 */
import type { RunEfficiencyView } from '../src/protocol/views';
import { formatCount, formatDuration, formatNumber } from '../src/core/charts/format';
import { badge, h, tile } from './dom';
import { withAlpha, type Theme } from './theme';

/** A loss-like series of the run, as the page holds it. */
export interface StripSeries {
  readonly tag: string;
  readonly steps: readonly number[];
  readonly values: readonly (number | null)[];
}

/** What the card needs drawn once it is in the document (and again on resize or theme change). */
export interface EfficiencyStrip {
  readonly canvas: HTMLCanvasElement;
  readonly view: RunEfficiencyView;
  readonly loss: StripSeries | undefined;
  readonly colour: string;
}

/** Fraction of the canvas height the utilisation strip takes, under the loss curve. */
const STRIP_SHARE = 0.3;

export function efficiencyCard(view: RunEfficiencyView, loss: StripSeries | undefined, colour: string): { card: HTMLElement; strip: EfficiencyStrip } {
  const gpu = view.gpu;
  const money = (v: number | null) => (v === null ? '–' : `${formatNumber(v, 3)}${view.currency ? ` ${view.currency}` : ''}`);
  const canvas = h('canvas', { class: 'efficiency-strip', role: 'img', 'aria-label': stripAlternative(view, loss) });
  const tiles = h(
    'div',
    { class: 'gpu-figures efficiency-figures' },
    tile('Steps/s', view.stepsPerSecond === null ? '–' : formatNumber(view.stepsPerSecond, 3), `${formatCount(view.steps)} steps in ${formatDuration(view.activeSeconds)}${view.wallSeconds > view.activeSeconds + 1 ? ` (${formatDuration(view.wallSeconds)} wall)` : ''}`),
    tile(
      'GPU busy',
      gpu?.utilizationMean == null ? '–' : `${formatNumber(gpu.utilizationMean, 3)}%`,
      gpu ? `median ${gpu.utilizationMedian == null ? '–' : `${formatNumber(gpu.utilizationMedian, 3)}%`} · under 50% for ${gpu.lowUtilizationShare == null ? '–' : `${Math.round(gpu.lowUtilizationShare * 100)}%`} of the run` : 'no GPU samples while it ran',
      view.findings.some((f) => f.kind === 'input-bound' || f.kind === 'idle-gpus') ? 'warning' : undefined,
    ),
    tile('Peak memory', gpu?.memoryPeakMiB == null ? '–' : `${formatNumber(gpu.memoryPeakMiB / 1024, 3)} GiB`, gpu?.memoryTotalMiB ? `of ${formatNumber(gpu.memoryTotalMiB / 1024, 3)} GiB` : undefined),
    tile('Energy', gpu?.energyWh == null ? '–' : `${formatNumber(gpu.energyWh, 3)} Wh`, gpu ? `${formatCount(gpu.samples)} GPU samples` : undefined),
    tile('Cost', money(gpu?.cost ?? null), gpu?.costPer1kSteps == null ? undefined : `${money(gpu.costPer1kSteps)} per 1,000 steps`),
  );
  const findings = view.findings.length
    ? h('ul', { class: 'efficiency-findings' }, ...view.findings.map((f) => h('li', {}, badge(f.kind, f.severity), ' ', f.message)))
    : h('p', { class: 'subtle efficiency-findings' }, gpu ? 'No efficiency finding.' : 'No GPU samples overlap this run: the GPU monitor was not running while it trained.');
  const card = h(
    'article',
    { class: 'card efficiency-card', 'data-run': view.run },
    h('header', { class: 'card-title' }, h('span', { class: 'mono' }, view.run), h('span', { class: 'subtle' }, loss ? `${loss.tag} and GPU utilisation by step` : 'GPU utilisation by step')),
    h('div', { class: 'chart-box efficiency-box' }, canvas),
    tiles,
    findings,
  );
  return { card, strip: { canvas, view, loss, colour } };
}

/** Draws the loss curve over the top of the canvas and the utilisation strip under it, on one step axis. */
export function drawEfficiencyStrip({ canvas, view, loss, colour }: EfficiencyStrip, theme: Theme): void {
  const box = canvas.parentElement;
  const width = box?.clientWidth ?? 300;
  const height = box?.clientHeight ?? 160;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = `${theme.fontSize - 2}px ${theme.fontFamily}`;
  const util = view.utilization;
  const lossPoints: [number, number][] = [];
  if (loss) loss.steps.forEach((s, i) => {
    const v = loss.values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) lossPoints.push([s, v]);
  });
  const steps = [...lossPoints.map((p) => p[0]), ...util.steps];
  if (!steps.length) {
    ctx.fillStyle = theme.muted;
    ctx.fillText('No steps yet', 8, height / 2);
    return;
  }
  const x0 = Math.min(...steps);
  const x1 = Math.max(...steps);
  const left = 44;
  const area = { x: left, y: 6, w: width - left - 8, h: height - 24 };
  const stripH = Math.round(area.h * STRIP_SHARE);
  const lossH = area.h - stripH - 6;
  const xOf = (s: number) => area.x + (x1 === x0 ? area.w / 2 : ((s - x0) / (x1 - x0)) * area.w);

  // Loss: min..max of the finite values, raw (the scalar charts carry the smoothing).
  if (lossPoints.length) {
    const ys = lossPoints.map((p) => p[1]);
    const lo = Math.min(...ys);
    const hi = Math.max(...ys);
    const yOf = (v: number) => area.y + lossH - (hi === lo ? lossH / 2 : ((v - lo) / (hi - lo)) * lossH);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    lossPoints.forEach(([s, v], i) => (i ? ctx.lineTo(xOf(s), yOf(v)) : ctx.moveTo(xOf(s), yOf(v))));
    ctx.stroke();
    ctx.fillStyle = theme.muted;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'top';
    ctx.fillText(formatNumber(hi), area.x - 4, area.y);
    ctx.textBaseline = 'bottom';
    ctx.fillText(formatNumber(lo), area.x - 4, area.y + lossH);
  }

  // Utilisation: one column a sample, as tall as the GPUs were busy; the 50% line marks "mostly idle".
  const stripTop = area.y + lossH + 6;
  ctx.fillStyle = withAlpha(theme.grid, 0.5);
  ctx.fillRect(area.x, stripTop, area.w, stripH);
  const fill = theme.palette[2] ?? theme.info;
  for (let i = 0; i < util.steps.length; i++) {
    const p = util.percent[i];
    if (p === null || p === undefined) continue;
    const xa = xOf(util.steps[i]!);
    const xb = i + 1 < util.steps.length ? xOf(util.steps[i + 1]!) : xa + 2;
    const barH = (Math.max(0, Math.min(100, p)) / 100) * stripH;
    ctx.fillStyle = withAlpha(p < 50 ? theme.warning : fill, 0.85);
    ctx.fillRect(xa, stripTop + stripH - barH, Math.max(1, xb - xa), barH);
  }
  ctx.strokeStyle = theme.muted;
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  ctx.moveTo(area.x, stripTop + stripH / 2 + 0.5);
  ctx.lineTo(area.x + area.w, stripTop + stripH / 2 + 0.5);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.strokeStyle = theme.grid;
  ctx.strokeRect(area.x + 0.5, stripTop + 0.5, area.w, stripH);
  ctx.fillStyle = theme.muted;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.fillText('GPU %', area.x - 4, stripTop + stripH / 2);
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(`step ${formatCount(x0)}`, area.x, stripTop + stripH + 4);
  ctx.textAlign = 'right';
  ctx.fillText(`step ${formatCount(x1)}`, area.x + area.w, stripTop + stripH + 4);
}

function stripAlternative(view: RunEfficiencyView, loss: StripSeries | undefined): string {
  const busy = view.gpu?.utilizationMean;
  const what = busy === null || busy === undefined ? 'no GPU samples' : `GPU busy ${formatNumber(busy, 3)}% on average`;
  return `${loss ? `${loss.tag} and ` : ''}GPU utilisation of run ${view.run} by step: ${what}`;
}
