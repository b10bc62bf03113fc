import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PythonRandom } from '../../../src/core/drift';

// Expected values printed by CPython 3.11's random module.

test('random() and getrandbits(32) match CPython for small and multi-word seeds', () => {
  assert.equal(new PythonRandom(0).random(), 0.8444218515250481);
  assert.equal(new PythonRandom(123456789012).random(), 0.37701448538609916);
  const r = new PythonRandom(5);
  assert.deepEqual([r.getrandbits(32), r.getrandbits(32), r.getrandbits(32)], [2675342405, 1097127993, 3185950873]);
});

test('sample(range(n), k) matches CPython: pool method and set method', () => {
  const r = new PythonRandom(42);
  assert.deepEqual(Array.from(r.sample(70, 30)), [14, 3, 35, 31, 28, 17, 13, 43, 47, 57, 34, 5, 37, 27, 2, 1, 58, 63, 69, 32, 38, 54, 67, 12, 45, 41, 59, 26, 51, 65]);
  assert.deepEqual(Array.from(r.sample(70, 30)), [35, 0, 20, 54, 43, 69, 19, 13, 61, 48, 21, 6, 5, 24, 58, 22, 66, 38, 16, 2, 46, 29, 34, 7, 56, 57, 64, 18, 40, 39]);
  assert.deepEqual(
    Array.from(new PythonRandom(2 ** 40 + 3).sample(5000, 40)),
    [1800, 498, 4501, 775, 4639, 2491, 3489, 1918, 3860, 4561, 4585, 2700, 2123, 4829, 2548, 2100, 3885, 2751, 4423, 3034, 773, 277, 4546, 3775, 1003, 4046, 550, 229, 2954, 847, 2162, 1667, 4457, 2023, 2509, 3498, 1363, 2466, 4084, 141],
  );
  const all = Array.from(new PythonRandom(7).sample(100, 100));
  assert.deepEqual(all.slice(0, 10), [41, 19, 50, 83, 6, 9, 68, 12, 46, 74]);
  assert.deepEqual([...all].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
});

/** CPython's pool method written out plainly, one randbelow per pick. */
function plainPoolSample(rng: PythonRandom, n: number, k: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = rng.randbelow(n - i);
    out.push(pool[j]!);
    pool[j] = pool[n - i - 1]!;
  }
  return out;
}

test('the branch-free pool method draws what the plain one does, over thousands of calls and blocks', () => {
  // n at and around powers of two changes the bits drawn; 3000 calls cross about 200 blocks of 624.
  for (const [n, k] of [
    [70, 30],
    [64, 30],
    [65, 30],
    [128, 40],
    [12, 6],
    [21, 21],
    [5, 2],
    [1, 1],
  ] as const) {
    const fast = new PythonRandom(1234);
    const plain = new PythonRandom(1234);
    for (let call = 0; call < 3000; call++) {
      const got = Array.from(fast.sample(n, k));
      const want = plainPoolSample(plain, n, k);
      if (got.join() !== want.join()) assert.fail(`n=${n}, k=${k}, call ${call}: ${got} != ${want}`);
    }
    // Both generators are left at the same point of the stream.
    assert.equal(fast.getrandbits(32), plain.getrandbits(32));
  }
});
