import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TagSeries } from '../../../src/core/tfevents/tag-series';

function filled(n: number, limit: number, value: (step: number) => number): TagSeries {
  const s = new TagSeries('loss', 'scalar', '', { maxScalarPoints: limit });
  for (let step = 1; step <= n; step++) s.add(step, step * 10, value(step));
  return s;
}

test('below the limit every point is kept as logged', () => {
  const s = filled(100, 100, (x) => x / 2);
  assert.equal(s.size, 100);
  assert.equal(s.totalPoints, 100);
  assert.deepEqual(s.points()[99], { step: 100, wallTime: 1000, value: 50 });
  const arrays = s.scalarArrays();
  assert.deepEqual([arrays.steps.length, arrays.steps[99], arrays.wallTimes[99], arrays.values[99]], [100, 100, 1000, 50]);
});

test('past the limit: bounded size, extremes, NaN/Inf and the exact latest value survive', () => {
  const special: Record<number, number> = { 300: 100, 700: -100, 500: NaN, 650: Infinity };
  const s = filled(1000, 16, (x) => special[x] ?? Math.sin(x) * 0.5);
  assert.ok(s.size <= 16, `size ${s.size}`);
  assert.equal(s.totalPoints, 1000);
  assert.equal(s.firstStep, 1);
  assert.equal(s.lastStep, 1000);
  assert.equal(s.lastValue, Math.sin(1000) * 0.5);
  const points = s.points();
  const at = (step: number) => points.find((p) => p.step === step)?.value;
  assert.equal(at(300), 100);
  assert.equal(at(700), -100);
  assert.ok(Number.isNaN(at(500)));
  assert.equal(at(650), Infinity);
  for (let i = 1; i < points.length; i++) assert.ok(points[i]!.step > points[i - 1]!.step);
  assert.equal(s.nonFiniteCount, 2);
  assert.equal(s.firstNonFiniteStep, 500);
});

test('a million points stay within the limit', () => {
  const s = filled(1_000_000, 1000, (x) => 1 / x);
  assert.ok(s.size <= 1000 && s.size >= 250, `size ${s.size}`);
  assert.equal(s.totalPoints, 1_000_000);
  assert.equal(s.lastValue, 1e-6);
  assert.equal(s.points()[0]!.value, 1);
});

test('non-scalar points are thinned to the data limit, keeping the first and latest', () => {
  const s = new TagSeries('text', 'text', 'text', { maxDataPoints: 4 });
  for (let step = 1; step <= 20; step++) s.add(step, step, NaN, { kind: 'text', text: `t${step}` });
  assert.ok(s.size <= 4);
  assert.equal(s.totalPoints, 20);
  assert.deepEqual(s.lastData, { kind: 'text', text: 't20' });
  assert.equal(s.firstStep, 1);
});

test('an earlier step cuts the timeline; the same step replaces its point', () => {
  const s = filled(10, 100, (x) => x);
  assert.equal(s.add(10, 0, 99), false);
  assert.equal(s.totalPoints, 10);
  assert.equal(s.lastValue, 99);
  assert.equal(s.segmentStartStep, undefined);
  assert.equal(s.add(4, 0, -4), true);
  assert.deepEqual(s.points().map((p) => p.value), [1, 2, 3, -4]);
  assert.equal(s.segmentStartStep, 4);
  assert.equal(s.totalPoints, 4);
});

test('bad limits throw, naming the parameter', () => {
  assert.throws(() => new TagSeries('x', 'scalar', '', { maxScalarPoints: 3 }), /maxScalarPoints must be an integer >= 16, got 3/);
  assert.throws(() => new TagSeries('x', 'histogram', '', { maxDataPoints: 1.5 }), /maxDataPoints must be an integer >= 4/);
});
