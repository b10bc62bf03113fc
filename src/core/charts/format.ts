/** Number and time labels shared by the dashboards, the HTML report, the editor and findings' messages. */

/** A compact, readable number: 1.23k, 0.0012, 3.4e-7, 12. */
export function formatNumber(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined) return '–';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e15 || a < 1e-4) return v.toExponential(digits - 1).replace(/\.?0+e/, 'e').replace('e+', 'e');
  if (a >= 1e4) {
    const units = ['', 'k', 'M', 'G', 'T'];
    let u = 0;
    let x = v;
    // Step down a unit until the rounded mantissa is below 1000 (999.99k must read 1M, not 1000k).
    while (Math.abs(Number(x.toPrecision(digits))) >= 1000 && u < units.length - 1) {
      x /= 1000;
      u++;
    }
    return `${trimZeros(x.toPrecision(digits))}${units[u]}`;
  }
  // Integers up to 9999 print whole rather than as 1.00e+3.
  if (a >= 10 ** digits || Number.isInteger(v)) return String(Math.round(v));
  return trimZeros(v.toPrecision(digits));
}

function trimZeros(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/**
 * A number for sentences and plain-text labels (findings, lenses, tree items), where `1.23k` would
 * read oddly: `significant` digits, exponent notation outside [1e-3, 1e5), NaN and ±Inf spelled out.
 */
export function formatPlainNumber(v: number, significant = 3): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(significant)));
}

/** "1 run", "3 runs": the count, then the word with an "s" unless the count is 1 (`count` formats the number). */
export function plural(n: number, word: string, count: (n: number) => string = String): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** A duration in seconds as "45s", "3m 05s", "2h 07m", "3d 04h". */
export function formatDuration(seconds: number): string {
  const sign = seconds < 0 ? '−' : '';
  let s = Math.round(Math.abs(seconds));
  if (s < 60) return `${sign}${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${sign}${d}d ${pad(h)}h`;
  if (h > 0) return `${sign}${h}h ${pad(m)}m`;
  return `${sign}${m}m ${pad(s)}s`;
}

/** A p-value the way papers print it: "< 0.001" below one in a thousand. */
export function formatPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return '–';
  if (p < 0.001) return '< 0.001';
  return p.toFixed(3);
}

/** "estimatedAccuracy" -> "Estimated accuracy", "f1" -> "F1", "val/loss" unchanged. */
export function humanizeKey(key: string): string {
  if (/^[a-z]+\d*$/i.test(key) && key.length <= 3) return key.toUpperCase();
  const spaced = key.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`);
  const acronyms = spaced.replace(/\b(f1|auc|mae|mse|rmse|psi|ks|gpu|lr)\b/gi, (m) => m.toUpperCase());
  return acronyms.charAt(0).toUpperCase() + acronyms.slice(1);
}

/** A step or row count in full with grouped digits ("199,999"); non-integers fall back to formatNumber. */
export function formatCount(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isInteger(v)) return formatNumber(v);
  const digits = String(Math.abs(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return v < 0 ? `−${digits}` : digits;
}
