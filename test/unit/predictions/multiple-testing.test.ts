import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjustPValues } from '../../../src/core/predictions/multipleTesting';

// Expected values are statsmodels' multipletests(p, method="fdr_bh")[1] (its fdrcorrection:
// sorted p / (rank / m), running minimum from the largest, capped at 1), computed by hand in
// numpy with the same expressions, and Bonferroni's min(1, p * m).

// Benjamini & Hochberg (1995), section 4: the 15 p-values of their example.
const BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];

test('Benjamini-Hochberg: the 1995 paper example, adjusted values and the 4 rejections at 0.05 (Bonferroni: 3)', () => {
  const q = adjustPValues(BH_1995, 'bh');
  assert.deepEqual(q, [
    0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714285714286, 0.06385714285714286, 0.0645, 0.07650000000000001, 0.48600000000000004,
    0.5811818181818182, 0.7148749999999999, 0.7532307692307693, 0.8132142857142857, 1,
  ]);
  assert.equal(q.filter((x) => x < 0.05).length, 4);
  const b = adjustPValues(BH_1995, 'bonferroni');
  assert.deepEqual(b.slice(0, 5), [0.0015, 0.006, 0.0285, 0.1425, 0.3015]);
  assert.equal(b.filter((x) => x < 0.05).length, 3);
});

test('Benjamini-Hochberg: unsorted input keeps its order; ties share the step-up minimum', () => {
  assert.deepEqual(adjustPValues([0.01, 0.04, 0.03, 0.005], 'bh'), [0.02, 0.04, 0.04, 0.02]);
  assert.deepEqual(adjustPValues([0.001, 0.0008, 0.03, 0.9, 0.00049, 0.002], 'bh'), [0.002, 0.002, 0.036, 0.9, 0.002, 0.003]);
  assert.deepEqual(adjustPValues([0.2, 0.2, 0.01], 'bh'), [0.2, 0.2, 0.030000000000000002]);
});

test('a larger family counts the tests that could not run as p = 1', () => {
  // Two of five columns tested: as statsmodels on [0.01, 0.02, 1, 1, 1].
  assert.deepEqual(adjustPValues([0.01, 0.02], 'bh', 5), [0.049999999999999996, 0.049999999999999996]);
  assert.deepEqual(adjustPValues([0.01, 0.02], 'bonferroni', 5), [0.05, 0.1]);
  assert.deepEqual(adjustPValues([], 'bh', 5), []);
});

test('a NaN p-value stays NaN and does not move the others', () => {
  const q = adjustPValues([0.01, NaN, 0.02], 'bh');
  assert.ok(Number.isNaN(q[1]));
  assert.deepEqual([q[0], q[2]], [0.030000000000000002, 0.030000000000000002]); // as [0.01, 0.02, 1]
});
