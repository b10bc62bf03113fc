import { escapeHtml as h, type EstimatesView } from '../../protocol';
import { formatCount, formatNumber } from '../charts/format';

/** The latest window's CBPE/DLE estimates beside the realised values, as a report table. */
export function estimatesTableHtml(e: EstimatesView | undefined): string {
  if (!e) return '';
  const rows = e.metrics.map((m) => {
    const diff = m.estimated !== null && m.realised !== null ? m.estimated - m.realised : null;
    return [h(m.label), formatNumber(m.estimated, 4), m.samplingError === null ? '–' : `±${formatNumber(3 * m.samplingError, 3)}`, m.realised === null ? 'no labels' : formatNumber(m.realised, 4), diff === null ? '–' : `${diff >= 0 ? '+' : '−'}${formatNumber(Math.abs(diff), 4)}`];
  });
  const head = ['Metric', 'Estimated', 'Band (3 SE)', 'Realised', 'Difference'];
  const caption = `Estimated performance: ${h(e.method)}, rows ${formatCount(e.start)}–${formatCount(e.end - 1)}, ${formatCount(e.labelled)} of ${formatCount(e.rows)} labelled`;
  return `<h3>${caption}</h3><table class="mm-estimates"><thead><tr>${head.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table><p class="mm-note">${h(e.basis)}</p>`;
}
