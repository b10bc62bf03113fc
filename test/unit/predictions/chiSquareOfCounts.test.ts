import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquareHomogeneity, chiSquareOfCounts } from '../../../src/core/predictions/numeric';
import { compareClasses } from '../../../src/core/predictions/metrics';

test('chiSquareOfCounts tests the union of categories, a category missing on one side counting 0', () => {
  const ref = new Map([['b', 20], ['a', 10], ['c', 30]]);
  const cur = new Map([['a', 15], ['d', 5], ['b', 15]]);
  // First-seen order: the reference's categories, then the current window's new ones.
  assert.deepEqual(chiSquareOfCounts(ref, cur), chiSquareHomogeneity([20, 10, 30, 0], [15, 15, 0, 5]));
  assert.deepEqual(chiSquareOfCounts(ref, cur, compareClasses), chiSquareHomogeneity([10, 20, 30, 0], [15, 15, 0, 5]));
});

test('chiSquareOfCounts sorts class names numerically with compareClasses', () => {
  const ref = new Map([['10', 4], ['9', 6], ['2', 8]]);
  const cur = new Map([['2', 3], ['10', 9], ['9', 5]]);
  assert.deepEqual(chiSquareOfCounts(ref, cur, compareClasses), chiSquareHomogeneity([8, 6, 4], [3, 5, 9]));
});

test('chiSquareOfCounts has nothing to test with one category or an empty side', () => {
  const none = { statistic: 0, pValue: 1, dof: 0 };
  assert.deepEqual(chiSquareOfCounts(new Map([['a', 5]]), new Map([['a', 7]])), none);
  assert.deepEqual(chiSquareOfCounts(new Map([['a', 5], ['b', 2]]), new Map()), none);
});
