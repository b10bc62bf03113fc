import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hellingerDistance, jensenShannonDistance, normalizedWasserstein, psi, wassersteinDistance } from '../../../src/core/stats/distances';
import { chooseDriftTest, runDriftTest } from '../../../src/core/stats/drift-test';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { lcgSample } from './lcg';

// Expected values printed by numpy 2.4.6 / scipy 1.17.1:
//   e = np.histogram_bin_edges(ref, bins=10); p = np.histogram(ref, e)[0]
//   q = np.histogram(np.clip(cur, e[0], e[-1]), e)[0]; jensenshannon(p, q)
//   hellinger: np.sqrt(np.sum((np.sqrt(p/p.sum()) - np.sqrt(q/q.sum()))**2)) / np.sqrt(2)
const NUMPY_FINITE: { ref: number[]; cur: number[]; js: number; hellinger: number }[] = [
  { ref: [0, 1e308, 5e307], cur: [1e308, 1e308, 0], js: 0.37926380822046607, hellinger: 0.441884765380789 },
  { ref: [-8e307, 9e307, 0, 1], cur: [0, 1, 2, 5e307, -1e308, 1.7e308], js: 0.25720043226917244, hellinger: 0.3029054465276862 },
  { ref: [-1.7e308, 0, 1e300], cur: [1.7e308, -1.7e308, 3], js: 0, hellinger: 0 },
  { ref: [1.7e308, 1.79e308, 1.75e308], cur: [1.76e308, 1.7976931348623157e308], js: 0.6424372752568315, hellinger: 0.769253995463226 },
  { ref: [-1.7976931348623157e308, -1e308], cur: [-1.5e308, 0], js: 0.5887050112577373, hellinger: 0.7071067811865475 },
  { ref: [0, 5e-323], cur: [0], js: 0.464501404022459, hellinger: 0.541196100146197 },
];

test('Jensen-Shannon and Hellinger equal numpy/scipy to the last bit on ranges up to the largest double', () => {
  for (const c of NUMPY_FINITE) {
    assert.equal(jensenShannonDistance(c.ref, c.cur), c.js, `js ${c.ref}`);
    assert.equal(hellingerDistance(c.ref, c.cur), c.hellinger, `hellinger ${c.ref}`);
  }
  // ... and on the scipy reference samples (rel_entr through log1p near a ratio of 1, numpy's pairwise sums).
  const reference = JSON.parse(readFileSync(join(__dirname, 'scipy-reference.json'), 'utf8'));
  for (const c of reference.numeric) {
    const a = lcgSample(c.seedA, c.nA);
    const b = lcgSample(c.seedB, c.nB, c.shift, c.scale);
    assert.equal(jensenShannonDistance(a, b), c.jensenshannon10);
    assert.equal(jensenShannonDistance(a, b, 20), c.jensenshannon20);
    assert.equal(hellingerDistance(a, b), c.hellinger10);
  }
});

test('a reference holding -1e308 and 1e308 is refused with a reason where numpy raises, never JS 0 or a NaN Hellinger', () => {
  // numpy: "ValueError: Too many bins for data range. Cannot create 10 finite-sized bins."
  const wide =
    'the reference spans [-1e+308, 1e+308], a width beyond the largest double: 10 equal-width bins cannot be formed (numpy.histogram refuses it too); rescale the values or use ks or psi';
  const ref = [-1e308, 1e308, 0, 1];
  const cur = [0, 1, 2, 5e307];
  assert.throws(() => jensenShannonDistance(ref, cur), { name: 'RangeError', message: wide });
  assert.throws(() => hellingerDistance(ref, cur), { name: 'RangeError', message: wide });
  // Too narrow for ten distinct edges: numpy raises the same error.
  assert.throws(() => jensenShannonDistance([1, 1 + 4 * Number.EPSILON], [1]), {
    name: 'RangeError',
    message: 'the reference spans [1, 1.0000000000000009], too narrow for 10 distinct equal-width bins in doubles (numpy.histogram refuses it too)',
  });
  // PSI's quantile bins need no width: the same reference still gives numpy's value.
  assert.equal(psi(ref, cur), 6.038974089478948);
});

test('modelmon stats jensenshannon on a +-1e308 reference exits 2 with the reason, no stack', async () => {
  const dir = scratchDir('stats-extremes');
  writeFileSync(join(dir, 'ref.txt'), '-1e308\n1e308\n0\n1\n');
  writeFileSync(join(dir, 'cur.txt'), '0\n1\n2\n5e307\n');
  for (const test of ['jensenshannon', 'hellinger']) {
    const r = await runCli(['stats', test, '-r', 'ref.txt', '-c', 'cur.txt'], '', dir);
    assert.equal(r.code, 2, r.out);
    assert.match(r.err, /^modelmon stats: the reference spans \[-1e\+308, 1e\+308\], a width beyond the largest double/);
    assert.doesNotMatch(r.err, /\n\s+at /);
  }
});

test('a constant reference: normalised Wasserstein is the shift in thousandths (Evidently), and the verdict says why', () => {
  const reference = new Array(2000).fill(5);
  const current = new Array(200).fill(5 + 1 / 3);
  // Evidently: wasserstein_distance(ref, cur) / max(np.std(ref), 0.001) = 0.3333... / 0.001.
  assert.equal(wassersteinDistance(reference, current), 0.33333333333333304);
  assert.equal(normalizedWasserstein(reference, current), 333.33333333333303);
  const choice = chooseDriftTest({ kind: 'numeric', referenceSize: 2000, uniqueValues: 1000 });
  assert.deepEqual(runDriftTest(choice, reference, current), {
    test: 'wasserstein',
    statistic: 333.33333333333303,
    threshold: 0.1,
    drifted: true,
    note: 'the reference is constant: Wasserstein is divided by the 0.001 floor, so it counts the shift in thousandths and any shift above 0.0001 is drift',
  });
  // The same column unchanged is no drift, and says the same about its reference.
  assert.deepEqual(runDriftTest(choice, reference, new Array(200).fill(5)), {
    test: 'wasserstein',
    statistic: 0,
    threshold: 0.1,
    drifted: false,
    note: 'the reference is constant: Wasserstein is divided by the 0.001 floor, so it counts the shift in thousandths and any shift above 0.0001 is drift',
  });
  // A reference with spread has no note.
  const spread = Array.from({ length: 2000 }, (_, i) => i / 2000);
  assert.equal(runDriftTest(choice, spread, spread.slice(0, 200)).note, undefined);
});

test('modelmon stats wasserstein on a constant reference prints the note with the value', async () => {
  const dir = scratchDir('stats-constant');
  writeFileSync(join(dir, 'ref.txt'), '5\n5\n5\n5\n');
  writeFileSync(join(dir, 'cur.txt'), '5.5\n5.5\n');
  const r = await runCli(['stats', 'wasserstein', '-r', 'ref.txt', '-c', 'cur.txt'], '', dir);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), {
    test: 'wasserstein',
    statistic: 0.5,
    normalized: 500,
    note: 'the reference is constant: Wasserstein is divided by the 0.001 floor, so it counts the shift in thousandths and any shift above 0.0001 is drift',
  });
});
