import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAxisTicks, runColourSlots } from '../../../src/core/charts';

test('one notation per axis: a log axis up to 1e21 labels every tick with an exponent', () => {
  assert.deepEqual(formatAxisTicks([1, 1e3, 1e6, 1e9, 1e11, 1e21]), ['1e0', '1e3', '1e6', '1e9', '1e11', '1e21']);
  assert.deepEqual(formatAxisTicks([0, 0.5, 1, 1.5]), ['0', '0.5', '1', '1.5']);
  assert.deepEqual(formatAxisTicks([0, 25_000, 50_000]), ['0', '25k', '50k']);
  assert.deepEqual(formatAxisTicks([0, 0.00005, 0.0001]), ['0', '5e-5', '1e-4']);
});

test('run colours follow the name: the same run keeps its slot whatever else is listed', () => {
  const five = runColourSlots(['lightning_digits', 'tf2_style', 'nan_divergence', 'overfit_small_data', 'diverge_lr5'], 6);
  assert.equal(new Set(five.values()).size, 5, 'five runs, five hues');
  const reordered = runColourSlots(['diverge_lr5', 'overfit_small_data', 'nan_divergence', 'tf2_style', 'lightning_digits'], 6);
  assert.deepEqual([...reordered].sort(), [...five].sort());
  // Past six runs the seventh takes a second shade (slot >= 6) instead of repeating a hue.
  const seven = runColourSlots(['a', 'b', 'c', 'd', 'e', 'f', 'g'], 6);
  assert.deepEqual([...seven.values()].sort((x, y) => x - y).slice(0, 6), [0, 1, 2, 3, 4, 5]);
  assert.ok(seven.get('g')! >= 6);
  assert.throws(() => runColourSlots(['a'], 0), /hues/);
});

test('alert kinds take distinct marker glyphs in order of first appearance, the same for chart and legend', async () => {
  const { markerShapesByKind } = await import('../../../src/core/charts');
  const shapes = markerShapesByKind(['data_drift', 'prior_shift', 'data_drift', 'suspicious_inputs', 'performance', 'data_quality', 'concept_drift', 'multivariate_drift']);
  assert.deepEqual([...shapes], [
    ['data_drift', 'triangle'],
    ['prior_shift', 'circle'],
    ['suspicious_inputs', 'square'],
    ['performance', 'diamond'],
    ['data_quality', 'up'],
    ['concept_drift', 'plus'],
    ['multivariate_drift', 'triangle'],
  ]);
});
