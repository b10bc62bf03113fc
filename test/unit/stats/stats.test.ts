import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chi2Contingency,
  chiSquaredSf,
  hellingerCategorical,
  hellingerDistance,
  jensenShannonCategorical,
  jensenShannonDistance,
  ks2samp,
  ksStatisticSorted,
  normalizedWasserstein,
  proportionsZTest,
  psi,
  psiCategorical,
  wassersteinDistance,
} from '../../../src/core/stats';
import { lcgSample } from './lcg';

// Reference values from scipy 1.17.1 / numpy 2.4.6, written by gen-scipy-reference.py.
const ref = JSON.parse(readFileSync(join(__dirname, 'scipy-reference.json'), 'utf8'));

function close(actual: number, expected: number, rel = 1e-9, what = ''): void {
  const err = expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what}: ${actual} vs scipy ${expected} (relative error ${err})`);
}

test('ks2samp matches scipy ks_2samp statistic and p-value (exact and asymptotic)', () => {
  for (const c of ref.ks) {
    const a = lcgSample(c.seedA, c.nA);
    const b = lcgSample(c.seedB, c.nB, c.shift);
    const r = ks2samp(a, b);
    const what = `n=${c.nA}/${c.nB}`;
    // The statistic is the same double as scipy's, in both methods.
    assert.equal(r.statistic, c.statistic, what);
    // The exact p-value is too; the asymptotic one agrees to its last few bits.
    if (Math.max(c.nA, c.nB) <= 10000) assert.equal(r.pValue, c.pValue, what);
    else close(r.pValue, c.pValue, 1e-9, what);
  }
});

test('ks2samp reports the exact method statistic as scipy does, h / lcm, bit for bit', () => {
  // A raw ECDF gap can be a few ulps off h / lcm (17/30 - 16/30 is 0.03333333333333344); KSWIN's
  // "statistic > 0.1" needs the very double scipy reports.
  for (const c of ref.ks_lattice) {
    const r = ks2samp(c.a, c.b);
    const what = `${c.a.length} vs ${c.b.length}`;
    assert.equal(r.statistic, c.statistic, what);
    assert.equal(r.pValue, c.pValue, what);
  }
  assert.equal(ref.ks_lattice[1].statistic, 0.1);
});

test('ks2samp asymptotic branches: Durbin matrix (tiny D) and n <= 140 (scipy: Pomeranz)', () => {
  const a = lcgSample(13, 20000);
  const b = a.map((x, i) => (i < 40 ? x + 5 : x));
  const [durbin, small] = ref.ks_branches;
  const perturbed = ks2samp(a, b);
  assert.equal(perturbed.statistic, durbin.statistic);
  close(perturbed.pValue, durbin.pValue, 1e-9, 'durbin');
  const r = ks2samp(lcgSample(15, 12000), lcgSample(16, 60, 0.1));
  assert.equal(r.statistic, small.statistic);
  close(r.pValue, small.pValue, 1e-9, 'small');
});

test('ks2samp: exact branch with ties and unequal sizes', () => {
  const r = ks2samp(ref.ks_ties.a, ref.ks_ties.b);
  assert.equal(r.statistic, ref.ks_ties.statistic);
  assert.equal(r.pValue, ref.ks_ties.pValue);
});

test('ks2samp falls back to the asymptotic p-value where the exact one rounds above 1, as scipy does', () => {
  // scipy: _compute_prob_outside_square(30, 1) = 1.0000000000000004 -> method switches to asymp.
  const zeros = Array(30).fill(0);
  assert.equal(ks2samp([...Array(29).fill(0), 1], zeros).pValue, 1);
  assert.equal(ks2samp([...Array(28).fill(0), 1, 1], zeros).pValue, 0.9999999909208507);
});

test('ks2samp: hand-checked small case and identical samples', () => {
  assert.deepEqual(ks2samp([1, 2, 3], [1, 2, 3]), { statistic: 0, pValue: 1 });
  const r = ks2samp([0.1, 0.4, 0.7], [0.5, 0.9, 1.3, 1.8]);
  assert.equal(r.statistic, 0.75);
});

test('ks2samp rejects empty and non-finite samples with a clear message', () => {
  assert.throws(() => ks2samp([], [1]), /reference must not be empty/);
  assert.throws(() => ks2samp([1, NaN], [1]), /reference\[1\] is not a finite number/);
});

test('Wasserstein, normalised Wasserstein, Jensen-Shannon, PSI and Hellinger match scipy / numpy', () => {
  for (const c of ref.numeric) {
    const a = lcgSample(c.seedA, c.nA);
    const b = lcgSample(c.seedB, c.nB, c.shift, c.scale);
    const what = `n=${c.nA}/${c.nB}`;
    close(wassersteinDistance(a, b), c.wasserstein, 1e-9, `wasserstein ${what}`);
    close(normalizedWasserstein(a, b), c.normalizedWasserstein, 1e-9, `normalized ${what}`);
    close(jensenShannonDistance(a, b), c.jensenshannon10, 1e-9, `js10 ${what}`);
    close(jensenShannonDistance(a, b, 20), c.jensenshannon20, 1e-9, `js20 ${what}`);
    close(psi(a, b), c.psi10, 1e-9, `psi10 ${what}`);
    close(psi(a, b, 5), c.psi5, 1e-9, `psi5 ${what}`);
    close(hellingerDistance(a, b), c.hellinger10, 1e-9, `hellinger ${what}`);
  }
});

test('Wasserstein: hand-checked value and symmetry', () => {
  assert.equal(wassersteinDistance([0, 1, 3], [5, 6, 8]), 5);
  assert.equal(wassersteinDistance([5, 6, 8], [0, 1, 3]), 5);
  assert.equal(normalizedWasserstein([2, 2, 2], [2, 2, 2]), 0);
});

test('categorical Jensen-Shannon, PSI and Hellinger over the union of categories', () => {
  const c = ref.categorical;
  const r = new Map(Object.entries(c.reference) as [string, number][]);
  const k = new Map(Object.entries(c.current) as [string, number][]);
  close(jensenShannonCategorical(r, k), c.jensenshannon, 1e-12, 'js');
  close(psiCategorical(r, k), c.psi, 1e-12, 'psi');
  close(hellingerCategorical(r, k), c.hellinger, 1e-12, 'hellinger');
  assert.equal(jensenShannonCategorical(r, r), 0);
  assert.throws(() => psiCategorical(new Map(), k), /reference counts must not all be zero/);
});

test('bins must be a positive integer', () => {
  assert.throws(() => psi([1, 2], [1, 2], 0), /bins must be a positive integer/);
  assert.throws(() => jensenShannonDistance([1, 2], [1, 2], 2.5), /bins must be a positive integer/);
});

test('chi2Contingency matches scipy chi2_contingency (Yates when dof == 1, dof == 0)', () => {
  for (const c of ref.chi2) {
    const r = chi2Contingency(c.table);
    assert.equal(r.dof, c.dof);
    close(r.statistic, c.statistic, 1e-12, JSON.stringify(c.table));
    close(r.pValue, c.pValue, 1e-9, JSON.stringify(c.table));
  }
});

test('chi2Contingency names the bad cell or row', () => {
  assert.throws(() => chi2Contingency([[1, 2], [3]]), /row 2 has 1 cells, expected 2/);
  assert.throws(() => chi2Contingency([[1, -2], [3, 4]]), /cell \(1, 2\) must be a non-negative number/);
  assert.throws(() => chi2Contingency([[0, 2], [0, 4]]), /expected count of zero at \(1, 1\)/);
});

test('chi-squared survival function matches scipy.stats.chi2.sf', () => {
  for (const c of ref.chi2sf) close(chiSquaredSf(c.x, c.dof), c.sf, 1e-9, `chi2.sf(${c.x}, ${c.dof})`);
});

test('proportionsZTest matches the pooled z-test with scipy norm.sf', () => {
  for (const c of ref.z) {
    const r = proportionsZTest(c.s1, c.n1, c.s2, c.n2);
    close(r.statistic, c.statistic, 1e-12, 'z');
    close(r.pValue, c.pValue, 1e-9, 'p');
  }
  assert.deepEqual(proportionsZTest(0, 10, 0, 20), { statistic: 0, pValue: 1 });
  assert.throws(() => proportionsZTest(11, 10, 0, 20), /successes1 must be between 0 and 10/);
});

test('ksStatisticSorted returns on NaN input instead of looping on it', () => {
  // ks2samp refuses NaN; a caller of the sorted form that lets one through gets an answer, not a hang.
  assert.equal(ksStatisticSorted([1, 2], [1.5, Number.NaN]), 0.5);
  assert.equal(typeof ksStatisticSorted([1, Number.NaN], [Number.NaN]), 'number');
});
