import { formatCount, formatNumber } from '../charts/format';
import { escapeHtml as h, type RunEfficiencyView } from '../../protocol';

/**
 * The report's efficiency table: one row per run with the engine's figures (steps/s, GPU
 * utilisation, peak memory, energy and cost) and its findings. Empty when nothing was measured.
 */
export function efficiencyTableHtml(views: readonly RunEfficiencyView[]): string {
  if (!views.length) return '';
  const head = ['Run', 'Steps', 'Steps/s', 'GPU busy (mean)', 'Under 50% busy', 'Peak memory', 'Energy', 'Cost', 'Findings'];
  const num = (v: number | null | undefined, unit = '') => (v === null || v === undefined ? '–' : `${formatNumber(v, 3)}${unit}`);
  const rows = views.map((v) => {
    const g = v.gpu;
    const currency = v.currency ? ` ${h(v.currency)}` : '';
    const findings = v.findings.length
      ? v.findings.map((f) => `<span class="mm-sev-${f.severity}">${h(f.kind)}</span>: ${h(f.message)}`).join('<br>')
      : g ? 'none' : 'no GPU samples while it ran';
    return [
      `<code>${h(v.run)}</code>`,
      formatCount(v.steps),
      num(v.stepsPerSecond),
      num(g?.utilizationMean, '%'),
      g?.lowUtilizationShare == null ? '–' : `${Math.round(g.lowUtilizationShare * 100)}% of the time`,
      g?.memoryPeakMiB == null ? '–' : `${formatCount(Math.round(g.memoryPeakMiB))} MiB`,
      num(g?.energyWh, ' Wh'),
      g?.cost == null ? '–' : `${formatNumber(g.cost, 3)}${currency}${g.costPer1kSteps == null ? '' : ` (${formatNumber(g.costPer1kSteps, 3)}${currency} per 1,000 steps)`}`,
      findings,
    ];
  });
  const table = `<table class="mm-efficiency"><thead><tr>${head.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  return `<h3>Efficiency</h3>${table}`;
}
