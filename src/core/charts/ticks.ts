import { formatNumber } from './format';

/**
 * Labels for the ticks of one axis in one notation: when any tick needs an exponent (a log axis
 * from 1 to 1e21), every tick gets one ("1e9", "1e21"), never "100G" beside "1e21".
 */
export function formatAxisTicks(values: readonly number[], digits = 3): string[] {
  const plain = values.map((v) => formatNumber(v, digits));
  if (!plain.some((t) => /\de/.test(t))) return plain;
  return values.map((v) => (v === 0 ? '0' : v.toExponential(digits - 1).replace(/\.?0+e/, 'e').replace('e+', 'e')));
}
