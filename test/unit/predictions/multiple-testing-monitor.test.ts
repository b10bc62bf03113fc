import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePredictionSet } from '../../../src/io/predictions/analyzeSet';
import { observePredictions } from '../../../src/core/check/predictions';
import { scratchDir } from '../helpers/scratch';
import { seededRandom } from '../../../src/core/random';

// Ten independent N(0, 1) features; the last 200 rows shift f0-f4 by +0.25 sd. With windows of
// 200 rows the last window is all shifted: a moderate shift in half the features, the case where
// Benjamini-Hochberg names more of them than Bonferroni at the same alertPValue.
function log(): string {
  const r = seededRandom(11);
  const g = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const rows = ['f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,prediction,label'];
  for (let i = 0; i < 1200; i++) {
    const v = Array.from({ length: 10 }, (_, j) => g() + (i >= 1000 && j < 5 ? 0.25 : 0));
    const y = r() < 0.5 ? 1 : 0;
    rows.push([...v.map((x) => x.toFixed(4)), y, y].join(','));
  }
  const file = join(scratchDir('bh'), 'log.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

test('Benjamini-Hochberg across features: the monitor names f4 and f2 where Bonferroni names f4 alone; adjusted values are the step-up of the same raw p-values', async () => {
  const file = log();
  const options = { referenceRows: 1000, window: 200, alertPValue: 0.001 } as const;
  const bonf = await analyzePredictionSet(file, options);
  const bh = await analyzePredictionSet(file, { ...options, multipleTesting: 'bh' });
  const named = (r: typeof bonf) => r.driftRanking.filter((d) => d.alertPValue < 0.001).map((d) => d.feature);
  assert.deepEqual(named(bonf), ['f4']);
  assert.deepEqual(named(bh), ['f4', 'f2']);

  // The raw p of every column Bonferroni did not cap at 1 is its value / m (m = 10 columns); by
  // hand, BH's q for rank i is min over j >= i of p_(j) / (j / m). The capped columns have
  // p >= 1 / m, so their terms (>= 0.1) cannot lower the four smallest q's, all below 0.1.
  const m = 10;
  const raw = bonf.driftRanking.filter((d) => d.alertPValue < 1).map((d) => ({ feature: d.feature, p: d.alertPValue / m }));
  assert.deepEqual(raw.map((d) => d.feature), ['f4', 'f2', 'f3', 'f1']);
  const q = raw.map((_, i) => Math.min(...raw.slice(i).map((d, k) => d.p / ((i + k + 1) / m))));
  assert.ok(q.every((x) => x < 1 / m));
  const got = new Map(bh.driftRanking.map((d) => [d.feature, d.alertPValue]));
  raw.forEach((d, i) => {
    const v = got.get(d.feature)!;
    assert.ok(Math.abs(v - q[i]!) <= 1e-12 * q[i]!, `${d.feature}: ${v} vs ${q[i]}`);
  });
  // f2's step-up value is half its Bonferroni value (rank 2 of 10): 0.00094 < 0.001 < 0.00188.
  assert.ok(got.get('f2')! < 0.001 && bonf.driftRanking.find((d) => d.feature === 'f2')!.alertPValue > 0.001);

  // The check and the dashboard state the rule they applied.
  const view = observePredictions({ log: 'log.csv', report: bh, alertPValue: 0.001, multipleTesting: 'bh' });
  assert.match(view.observation.tables[0]!.caption, /drifted: FDR-adjusted p < 0.001 \(Benjamini-Hochberg over 10 columns\)/);
  const plain = observePredictions({ log: 'log.csv', report: bonf, alertPValue: 0.001 });
  assert.match(plain.observation.tables[0]!.caption, /drifted: family-wise p < 0.001 \(Bonferroni over 10 columns\)/);
});

test('a multipleTesting value that is neither bonferroni nor bh is refused, naming the option', async () => {
  await assert.rejects(
    analyzePredictionSet(log(), { multipleTesting: 'holm' as never }),
    /multipleTesting must be one of bonferroni, bh \(got holm\)/,
  );
});
