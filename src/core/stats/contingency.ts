import { chiSquaredSf, normalTwoSidedP } from './gamma';
import type { TestResult } from './ks';

/** Result of a chi-squared test of independence. */
export interface Chi2Result extends TestResult {
  dof: number;
}

/**
 * Pearson's chi-squared test of independence on an r x c contingency table, with scipy
 * `chi2_contingency(table)` semantics: expected = row sum * column sum / total, Yates' continuity
 * correction (each |observed - expected| reduced by up to 0.5) when dof == 1, statistic 0 and
 * p = 1 when dof == 0. Throws when a row or column sums to zero (an expected count of zero).
 *
 * Pearson, Phil. Mag. 50 (1900); Yates, Suppl. J. R. Stat. Soc. 1 (1934).
 *
 * @example
 * chi2Contingency([[50, 30, 20], [30, 45, 25]]); // { statistic: 8.56, pValue: 0.0139, dof: 2 }
 */
export function chi2Contingency(table: readonly (readonly number[])[]): Chi2Result {
  const rows = table.length;
  if (rows === 0) throw new RangeError('contingency table must have at least one row');
  const cols = table[0]!.length;
  if (cols === 0) throw new RangeError('contingency table must have at least one column');
  const rowSums = new Float64Array(rows);
  const colSums = new Float64Array(cols);
  let total = 0;
  table.forEach((row, r) => {
    if (row.length !== cols) throw new RangeError(`contingency table row ${r + 1} has ${row.length} cells, expected ${cols}`);
    row.forEach((v, c) => {
      if (!Number.isFinite(v) || v < 0) {
        throw new RangeError(`contingency table cell (${r + 1}, ${c + 1}) must be a non-negative number (got ${v})`);
      }
      rowSums[r]! += v;
      colSums[c]! += v;
      total += v;
    });
  });
  const dof = rows * cols - rows - cols + 1;
  if (dof === 0) return { statistic: 0, pValue: 1, dof };
  let statistic = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const expected = (rowSums[r]! * colSums[c]!) / total;
      if (!(expected > 0)) {
        throw new RangeError(`contingency table has an expected count of zero at (${r + 1}, ${c + 1}): a row or column sums to zero`);
      }
      let observed = table[r]![c]!;
      if (dof === 1) {
        const diff = expected - observed;
        observed += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      statistic += ((observed - expected) * (observed - expected)) / expected;
    }
  }
  return { statistic, pValue: chiSquaredSf(statistic, dof), dof };
}

/**
 * Two-sided z-test that two proportions are equal, with the pooled proportion in the standard
 * error: z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)), p = 2 Pr(Z > |z|). When both proportions
 * are 0 or both 1 (zero standard error) it returns z = 0, p = 1.
 *
 * @example
 * proportionsZTest(45, 100, 60, 100); // { statistic: -2.12, pValue: 0.034 }
 */
export function proportionsZTest(successes1: number, n1: number, successes2: number, n2: number): TestResult {
  const check = (v: number, name: string, max = Infinity) => {
    if (!Number.isFinite(v) || v < 0 || v > max) throw new RangeError(`${name} must be between 0 and ${max} (got ${v})`);
  };
  check(n1, 'n1');
  check(n2, 'n2');
  if (n1 === 0 || n2 === 0) throw new RangeError('n1 and n2 must be positive');
  check(successes1, 'successes1', n1);
  check(successes2, 'successes2', n2);
  const p1 = successes1 / n1;
  const p2 = successes2 / n2;
  const pooled = (successes1 + successes2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { statistic: 0, pValue: 1 };
  const statistic = (p1 - p2) / se;
  return { statistic, pValue: normalTwoSidedP(statistic) };
}
