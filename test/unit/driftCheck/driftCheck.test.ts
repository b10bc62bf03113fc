import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  PredictionRecordCollector,
  checkDrift,
  driftCheckTitle,
  parseRowRange,
  rowRangeProblem,
  compareFeatures,
  driftStrength,
  featureColumns,
  testOverride,
  type DriftCheckInput,
  type FeatureValues,
  type PredictionRecords,
} from '../../../src/core/driftCheck';
import { inferPredictionSchema } from '../../../src/core/predictions';

const THRESHOLDS = { pValueThreshold: 0.01, psiThreshold: 0.2 };
const DRIFTED = ['mean_radius', 'mean_texture', 'worst_area'];

const numeric = (values: number[]): FeatureValues => ({ kind: 'numeric', values });
const categorical = (counts: Record<string, number>): FeatureValues => ({ kind: 'categorical', counts: new Map(Object.entries(counts)) });
const one = (name: string, column: FeatureValues) => new Map([[name, column]]);

function collect(...chunks: string[]): PredictionRecords {
  const collector = new PredictionRecordCollector();
  for (const c of chunks) collector.push(c);
  return collector.end();
}

/** A CSV log: x = 1..n on the first `n` rows, then x + shift; colour alternates a/b. */
function shiftedCsv(n: number, rows: number, shift: number): PredictionRecords {
  const lines = ['id,x,colour,prediction'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${(i % n) + 1 + (i >= n ? shift : 0)},${i % 2 ? 'b' : 'a'},1`);
  return collect(lines.join('\n') + '\n');
}

const input = (records: PredictionRecords, rest: Partial<DriftCheckInput> = {}): DriftCheckInput => ({
  log: '/logs/dev.csv',
  name: 'dev.csv',
  records,
  reference: { kind: 'rows', rows: 6 },
  test: 'auto',
  thresholds: THRESHOLDS,
  ...rest,
});

test('PredictionRecordCollector: CSV split across chunks, typed cells, empty cells as null', () => {
  const records = collect('id,x,seg', 'ment\n1,2.5,a\n2,', ',b\n');
  assert.equal(records.format, 'csv');
  assert.deepEqual(records.rows.map((r) => Object.fromEntries(r)), [
    { id: 1, x: 2.5, segment: 'a' },
    { id: 2, x: null, segment: 'b' },
  ]);
});

test('PredictionRecordCollector: JSONL flattened to dotted names, stops at maxRows', () => {
  const collector = new PredictionRecordCollector(2);
  collector.push('{"features":{"a":1,"b":"x"},"input":[1,2]}\n{"features":{"a":2}}\n');
  assert.equal(collector.full, true);
  collector.push('{"features":{"a":3}}\n');
  const records = collector.end();
  assert.equal(records.format, 'jsonl');
  assert.deepEqual(records.rows.map((r) => Object.fromEntries(r)), [{ 'features.a': 1, 'features.b': 'x', input: [1, 2] }, { 'features.a': 2 }]);
  assert.throws(() => new PredictionRecordCollector(-1), /maxRows/);
});

test('featureColumns: vectors split into elements, non-finite and missing values left out', () => {
  const records = collect('{"input":[1,2,3],"f":0.5,"c":"x"}\n{"input":[4,"no",6],"f":null,"c":"y"}\n{"input":[7,8],"f":1.5,"c":"x"}\n');
  const schema = inferPredictionSchema(records.rows, records.format);
  const columns = featureColumns(records.rows, schema);
  assert.deepEqual(Object.fromEntries([...columns].map(([k, v]) => [k, v.kind === 'numeric' ? v.values : Object.fromEntries(v.counts)])), {
    'input[0]': [1, 4, 7],
    'input[1]': [2, 8],
    'input[2]': [3, 6],
    f: [0.5, 1.5],
    c: { x: 2, y: 1 },
  });
});

test('compareFeatures: exact KS, Wasserstein, PSI and z results on small samples', () => {
  const ref = [1, 2, 3, 4, 5, 6];
  // Disjoint samples of 6: D = 1, exact two-sided p = 2 / C(12, 6).
  assert.deepEqual(compareFeatures(one('x', numeric(ref)), one('x', numeric([11, 12, 13, 14, 15, 16])), 'auto', THRESHOLDS), [
    { feature: 'x', kind: 'numeric', statistic: 'ks', value: 1, test: 'ks', pValue: 2 / 924, threshold: 0.05, drifted: true },
  ]);
  // A shift by 1 over the reference's population std, sqrt(35/12).
  const [w] = compareFeatures(one('x', numeric(ref)), one('x', numeric(ref.map((v) => v + 1))), 'wasserstein', THRESHOLDS);
  assert.equal(w?.test, 'wasserstein');
  assert.ok(Math.abs(w.value - 1 / Math.sqrt(35 / 12)) < 1e-12 && w.drifted && w.pValue === null);
  // PSI on categories: 0.4 ln 1.8 + 0.4 ln 5, above the user's 0.2.
  const [p] = compareFeatures(one('s', categorical({ a: 5, b: 5 })), one('s', categorical({ a: 9, b: 1 })), 'psi', THRESHOLDS);
  assert.ok(p && p.test === 'psi' && Math.abs(p.value - (0.4 * Math.log(1.8) + 0.4 * Math.log(5))) < 1e-12 && p.drifted);
  // KS does not apply to two categories: the default z-test, (0.5 - 0.9) / sqrt(0.7 * 0.3 * (1/10 + 1/10)).
  const [z] = compareFeatures(one('s', categorical({ a: 5, b: 5 })), one('s', categorical({ a: 9, b: 1 })), 'ks', THRESHOLDS);
  assert.ok(z && z.test === 'z' && z.kind === 'categorical' && Math.abs(z.value - -0.4 / Math.sqrt(0.042)) < 1e-12 && !z.drifted);
  // Identical samples: no drift.
  assert.deepEqual(compareFeatures(one('x', numeric(ref)), one('x', numeric(ref)), 'jensenshannon', THRESHOLDS)[0]?.value, 0);
});

test('compareFeatures: drifted first, strongest first, then by name; unusable features skipped', () => {
  const ref = new Map<string, FeatureValues>([
    ['calm_b', numeric([1, 2, 3, 4, 5, 6])],
    ['calm_a', numeric([1, 2, 3, 4, 5, 6])],
    ['weak', numeric([1, 2, 3, 4, 5, 6])],
    ['strong', numeric([1, 2, 3, 4, 5, 6])],
    ['tiny', numeric([1])],
    ['mixed', numeric([1, 2, 3])],
    ['absent', numeric([1, 2, 3])],
  ]);
  const cur = new Map<string, FeatureValues>([
    ['calm_b', numeric([1, 2, 3, 4, 5, 6])],
    ['calm_a', numeric([1, 2, 3, 4, 5, 6])],
    ['weak', numeric([3, 4, 5, 6, 7, 8])],
    ['strong', numeric([21, 22, 23, 24, 25, 26])],
    ['tiny', numeric([1, 2])],
    ['mixed', categorical({ a: 3 })],
  ]);
  const ranked = compareFeatures(ref, cur, 'wasserstein', THRESHOLDS);
  assert.deepEqual(ranked.map((f) => [f.feature, f.drifted]), [['strong', true], ['weak', true], ['calm_a', false], ['calm_b', false]]);
});

test('testOverride and driftStrength', () => {
  assert.equal(testOverride('auto', false, THRESHOLDS), undefined);
  assert.deepEqual(testOverride('ks', false, THRESHOLDS), { test: 'ks', threshold: 0.01 });
  assert.equal(testOverride('ks', true, THRESHOLDS), undefined);
  assert.equal(testOverride('wasserstein', true, THRESHOLDS), undefined);
  assert.deepEqual(testOverride('psi', true, THRESHOLDS), { test: 'psi', threshold: 0.2 });
  assert.equal(testOverride('jensenshannon', true, THRESHOLDS), 'jensenshannon');
  assert.equal(driftStrength({ test: 'ks', statistic: 0.5, pValue: 1e-6, threshold: 0.01, drifted: true }), 3);
  assert.equal(driftStrength({ test: 'ks', statistic: 0.5, pValue: 0, threshold: 0.1, drifted: true }), 300);
  assert.ok(Math.abs(driftStrength({ test: 'psi', statistic: 0.3, threshold: 0.1, drifted: true }) - 3) < 1e-12);
  assert.equal(driftStrength({ test: 'psi', statistic: 0.3, threshold: 0, drifted: true }), 0.3);
});

test('checkDrift: the first rows as reference, exact result and report', () => {
  const result = checkDrift(input(shiftedCsv(6, 12, 10)));
  // colour has the same a/b mix on both sides: z = 0, p = 1.
  assert.deepEqual(result, {
    log: '/logs/dev.csv',
    reference: 'first 6 rows',
    test: 'auto',
    referenceRows: 6,
    currentRows: 6,
    features: [
      { feature: 'x', kind: 'numeric', statistic: 'ks', value: 1, test: 'ks', pValue: 2 / 924, threshold: 0.05, drifted: true },
      { feature: 'colour', kind: 'categorical', statistic: 'z', value: 0, test: 'z', pValue: 1, threshold: 0.05, drifted: false },
    ],
    drifted: ['x'],
    summary: '1 of 2 features of dev.csv drifted against the first 6 rows: x (auto)',
    report: {
      log: '/logs/dev.csv',
      rows: 12,
      windows: [],
      features: result.features,
      alerts: [],
      segments: [],
      suspicious: [],
      referenceEnd: 6,
      driftScope: { start: 6, end: 12, reference: { start: 0, end: 6 }, rule: result.report.driftScope!.rule },
    },
  });
});

test('checkDrift: row ranges, another log as reference, and too few rows', () => {
  const records = shiftedCsv(6, 18, 10);
  const ranged = checkDrift(input(records, { reference: { kind: 'range', start: 0, end: 6 }, range: { start: 6, end: 12 }, test: 'ks' }));
  assert.deepEqual([ranged.reference, ranged.referenceRows, ranged.currentRows, ranged.report.referenceEnd, ranged.drifted], ['rows 0–5', 6, 6, 6, ['x']]);
  const after = checkDrift(input(records, { reference: { kind: 'range', start: 2, end: 6 } }));
  assert.deepEqual([after.referenceRows, after.currentRows], [4, 12]);
  const other = checkDrift(input(records, { reference: { kind: 'records', label: 'ref.csv', rows: records.rows.slice(0, 6) } }));
  assert.deepEqual([other.reference, other.referenceRows, other.currentRows, 'referenceEnd' in other.report], ['ref.csv', 6, 18, false]);
  assert.equal(other.summary, '1 of 2 features of dev.csv drifted against the ref.csv: x (auto)');
  assert.throws(() => checkDrift(input(records, { reference: { kind: 'rows', rows: 1 } })), { message: 'the reference (first 1 rows) has fewer than 2 rows; the log has 18 rows' });
  assert.throws(() => checkDrift(input(records, { reference: { kind: 'rows', rows: 17 } })), { message: 'there are fewer than 2 rows to compare with the reference; the log has 18 rows' });
  const calm = checkDrift(input(records, { reference: { kind: 'range', start: 0, end: 6 }, range: { start: 0, end: 6 }, test: 'jensenshannon' }));
  assert.equal(calm.summary, 'no drift in 2 features of dev.csv against the rows 0–5 (jensenshannon)');
});

test('checkDrift: the summary lists five drifted features at most', () => {
  const header = ['id', ...Array.from({ length: 7 }, (_, k) => `f${k}`)];
  const lines = [header.join(',')];
  for (let i = 0; i < 20; i++) lines.push([i, ...header.slice(1).map((_, k) => (i % 10) + (i >= 10 ? 100 * (k + 1) : 0))].join(','));
  const result = checkDrift(input(collect(lines.join('\n') + '\n'), { reference: { kind: 'rows', rows: 10 }, test: 'wasserstein' }));
  assert.deepEqual(result.drifted, ['f6', 'f5', 'f4', 'f3', 'f2', 'f1', 'f0']);
  assert.equal(result.summary, '7 of 7 features of dev.csv drifted against the first 10 rows: f6, f5, f4, f3, f2, … (wasserstein)');
});

test('checkDrift on tabular_dev.csv: rows 0-999 against 2500-3999 rank the three drifted features first', () => {
  const records = collect(readFileSync('test/fixtures/predictions/tabular_dev.csv', 'utf8'));
  assert.equal(records.rows.length, 4000);
  const compare = (test: DriftCheckInput['test']) =>
    checkDrift(input(records, { log: 'tabular_dev.csv', name: 'tabular_dev.csv', reference: { kind: 'range', start: 0, end: 1000 }, range: { start: 2500, end: 4000 }, test }));
  const auto = compare('auto');
  assert.deepEqual([auto.reference, auto.referenceRows, auto.currentRows, auto.features.length], ['rows 0–999', 1000, 1500, 30]);
  assert.deepEqual(auto.features.slice(0, 3).map((f) => f.feature), ['mean_radius', 'mean_texture', 'worst_area']);
  assert.ok(auto.features.slice(0, 3).every((f) => f.drifted && f.test === 'ks' && (f.pValue ?? 1) < 1e-30));
  assert.ok(Math.abs((auto.features[0]?.value ?? 0) - 0.4703333333333334) < 1e-12);
  // At the user's p < 0.01 only the three planted features drift, whatever the test.
  for (const test of ['ks', 'psi', 'wasserstein', 'jensenshannon'] as const) {
    const result = compare(test);
    assert.deepEqual([...result.drifted].sort(), DRIFTED, test);
    assert.deepEqual(result.features.slice(0, 3).map((f) => f.feature).sort(), DRIFTED, test);
    assert.ok(result.features.every((f) => f.test === test), test);
  }
});

test('checkDrift: a vector is one feature, its elements Bonferroni-corrected (KS) or averaged (distances)', () => {
  const lines: string[] = [];
  // 40 rows; from row 20 on, element 1 of `input` shifts by 100 and the others stay put.
  for (let i = 0; i < 40; i++) lines.push(JSON.stringify({ input: [i % 20, (i % 20) + (i >= 20 ? 100 : 0), i % 20, i % 20], f: i % 20, prediction: 1 }));
  const records = collect(lines.join('\n') + '\n');
  const ks = checkDrift(input(records, { reference: { kind: 'rows', rows: 20 }, test: 'ks' }));
  assert.deepEqual(ks.features.map((f) => [f.feature, f.kind, f.drifted]), [['input', 'vector', true], ['f', 'numeric', false]]);
  // Disjoint samples of 20: exact p = 2 / C(40, 20), times 4 elements.
  assert.ok(Math.abs(ks.features[0]!.pValue! / (4 * (2 / 137846528820)) - 1) < 1e-12, `p ${ks.features[0]!.pValue}`);
  assert.equal(ks.summary, '1 of 2 features of dev.csv drifted against the first 20 rows: input (ks)');
  const js = checkDrift(input(records, { reference: { kind: 'rows', rows: 20 }, test: 'jensenshannon' }));
  const vector = js.features.find((f) => f.feature === 'input')!;
  assert.equal(vector.pValue, null);
  assert.equal(vector.threshold, 0.1);
  // Element 1: the reference spreads 0.1 over each of 10 bins, the shifted values all clip into the
  // last one (m = 0.55 there, 0.05 elsewhere); the three calm elements add 0, so the mean is a quarter.
  const divergence = 0.5 * (9 * 0.1 * Math.log(0.1 / 0.05) + 0.1 * Math.log(0.1 / 0.55)) + 0.5 * Math.log(1 / 0.55);
  assert.ok(Math.abs(vector.value - Math.sqrt(divergence) / 4) < 1e-9, `mean distance ${vector.value}`);
  assert.equal(vector.drifted, true);
});

test('Compare Ranges: a range must lie within the log and hold 2 rows, and the message gives the log length', () => {
  assert.equal(rowRangeProblem('0-99999', 5000), 'The log has 5,000 rows: the end can be at most 5000');
  assert.equal(rowRangeProblem('10-11', 5000), 'At least 2 rows: start-end with end >= start + 2 (the log has 5,000 rows)');
  assert.equal(rowRangeProblem('7-3', 5000), 'At least 2 rows: start-end with end >= start + 2 (the log has 5,000 rows)');
  assert.equal(rowRangeProblem('abc', 5000), 'Two row numbers, start-end (the log has 5,000 rows: 0-5000)');
  assert.equal(rowRangeProblem(' 2500 - 5000 ', 5000), undefined);
  assert.deepEqual(parseRowRange('0-2500', 5000), { start: 0, end: 2500 });
  assert.equal(parseRowRange('0-5001', 5000), undefined);
});

test('checkDrift: the result panel is titled with the test, the compared rows and the reference', () => {
  const records = shiftedCsv(6, 18, 10);
  const ranged = checkDrift(input(records, { reference: { kind: 'range', start: 0, end: 6 }, range: { start: 6, end: 12 }, test: 'ks' }));
  assert.equal(driftCheckTitle(ranged, 'dev.csv'), 'Drift check (ks): dev.csv rows 6–11 vs rows 0–5');
  const first = checkDrift(input(records));
  assert.equal(driftCheckTitle(first, 'dev.csv'), 'Drift check (auto): dev.csv rows 6–17 vs first 6 rows');
});
