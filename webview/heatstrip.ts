/**
 * A histogram-over-time "heat strip": one column per step, one row per value bin, darker where
 * more values fell. Drawn straight on a canvas (chart.js has no heatmap), with its own small axes.
 */
import type { HistogramView } from '../src/protocol';
import { rebinHistogram } from '../src/core/charts/histogram';
import { formatCount, formatNumber } from '../src/core/charts/format';
import { withAlpha, type Theme } from './theme';

const BINS = 48;

export function drawHeatStrip(canvas: HTMLCanvasElement, view: HistogramView, colour: string, theme: Theme): void {
  const box = canvas.parentElement;
  const cssWidth = box?.clientWidth ?? 300;
  const cssHeight = box?.clientHeight ?? 180;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(cssWidth * dpr);
  canvas.height = Math.round(cssHeight * dpr);
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  const steps = view.steps.filter((s) => Number.isFinite(s.min) && Number.isFinite(s.max));
  const font = `${theme.fontSize - 2}px ${theme.fontFamily}`;
  ctx.font = font;
  if (!steps.length) {
    ctx.fillStyle = theme.muted;
    ctx.fillText('No finite values yet', 8, cssHeight / 2);
    return;
  }
  const lo = Math.min(...steps.map((s) => s.min));
  const hi = Math.max(...steps.map((s) => s.max));
  const left = Math.max(...[lo, hi].map((v) => ctx.measureText(formatNumber(v)).width)) + 10;
  const area = { x: left, y: 6, w: cssWidth - left - 8, h: cssHeight - 32 };
  const columnWidth = area.w / steps.length;
  const rowHeight = area.h / BINS;
  steps.forEach((s, col) => {
    const bins = rebinHistogram(s.limits, s.counts, s.min, s.max, lo, hi === lo ? lo + 1 : hi, BINS);
    const peak = Math.max(...bins) || 1;
    bins.forEach((count, row) => {
      if (count <= 0) return;
      ctx.fillStyle = withAlpha(colour, 0.08 + 0.92 * Math.sqrt(count / peak));
      ctx.fillRect(area.x + col * columnWidth, area.y + area.h - (row + 1) * rowHeight, Math.ceil(columnWidth), Math.ceil(rowHeight));
    });
  });
  ctx.strokeStyle = theme.grid;
  ctx.strokeRect(area.x + 0.5, area.y + 0.5, area.w, area.h);
  ctx.fillStyle = theme.muted;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  ctx.fillText(formatNumber(hi), area.x - 4, area.y + 4);
  ctx.fillText(formatNumber(lo), area.x - 4, area.y + area.h - 4);
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(`step ${formatCount(steps[0]!.step)}`, area.x, area.y + area.h + 6);
  ctx.textAlign = 'right';
  ctx.fillText(`step ${formatCount(steps[steps.length - 1]!.step)}`, area.x + area.w, area.y + area.h + 6);
}
