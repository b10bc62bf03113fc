import { escapeHtml as h, type AttributionsView } from '../../protocol';
import { formatCount, formatNumber, formatPValue } from '../charts/format';

/** The latest window's attribution ranking against the reference's, as a report table. */
export function attributionsTableHtml(a: AttributionsView | undefined): string {
  if (!a) return '';
  const rows = a.features.map((f) => [
    h(f.feature),
    String(f.referenceRank),
    String(f.rank),
    formatNumber(f.reference, 3),
    formatNumber(f.current, 3),
    formatPValue(f.pValue),
    f.moved ? 'moved' : 'stable',
  ]);
  const head = ['Feature', 'Reference rank', 'Rank', 'Mean |attribution| (reference)', 'Mean |attribution|', 'p (corrected)', 'Verdict'];
  const caption = `Attributions: rows ${formatCount(a.start)}–${formatCount(a.end - 1)}, ${formatCount(a.rows)} with attributions, ${a.features.length} of ${a.total} features`;
  return `<h3>${caption}</h3><table class="mm-attributions"><thead><tr>${head.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}
