import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeElements } from '../../../src/core/integrity/dtype';
import { TensorDiffAccumulator } from '../../../src/core/integrity/tensor-diff';

const u16 = (...xs: number[]) => new Uint8Array(new Uint16Array(xs).buffer);

test('f16 and bf16 decode exactly, including subnormals, infinities and NaN', () => {
  assert.deepEqual([...decodeElements(u16(0x3c00, 0xc000, 0x0001, 0x7c00, 0xfc00, 0x3555), 'F16')], [1, -2, 2 ** -24, Infinity, -Infinity, 0.333251953125]);
  assert.ok(Number.isNaN(decodeElements(u16(0x7e00), 'F16')[0]));
  assert.deepEqual([...decodeElements(u16(0x3f80, 0xc040, 0x3eaa), 'BF16')], [1, -3, 0.33203125]);
});

test('integers, bools and big-endian floats decode', () => {
  assert.deepEqual([...decodeElements(new Uint8Array(new BigInt64Array([-5n, 2n ** 40n]).buffer), 'I64')], [-5, 2 ** 40]);
  assert.deepEqual([...decodeElements(Uint8Array.from([0, 1, 255]), 'I8')], [0, 1, -1]);
  assert.deepEqual([...decodeElements(Uint8Array.from([0, 1]), 'BOOL')], [0, 1]);
  assert.deepEqual([...decodeElements(Uint8Array.from([0x3f, 0x80, 0, 0]), 'F32', true)], [1]);
  assert.throws(() => decodeElements(new Uint8Array(8), 'C64'), { message: 'dtype C64 has no numeric decoding' });
});

test('the diff accumulator gives the same figures fed in chunks or whole', () => {
  const a = new Float64Array([1, 2, 3, 4, 0, -1]);
  const b = new Float64Array([1, 2.5, 3, 3, 0, -1]);
  const whole = new TensorDiffAccumulator('t', 'F64', [6]);
  whole.update(new Uint8Array(a.buffer), new Uint8Array(b.buffer));
  const chunked = new TensorDiffAccumulator('t', 'F64', [6]);
  for (let i = 0; i < 6; i += 4) chunked.update(new Uint8Array(a.buffer, i * 8, Math.min(4, 6 - i) * 8), new Uint8Array(b.buffer, i * 8, Math.min(4, 6 - i) * 8));
  const expected = { name: 't', dtype: 'F64', shape: [6], maxAbs: 1, relL2: Math.sqrt(1.25) / Math.sqrt(31), nanMismatches: 0 };
  assert.deepEqual(whole.result(), expected);
  assert.deepEqual(chunked.result(), expected);
});

test('NaN on one side counts as a mismatch; all-zero tensors give a relative L2 of 0', () => {
  const acc = new TensorDiffAccumulator('n', 'F32', [2]);
  acc.update(new Uint8Array(new Float32Array([NaN, 0]).buffer), new Uint8Array(new Float32Array([1, 0]).buffer));
  assert.deepEqual(acc.result(), { name: 'n', dtype: 'F32', shape: [2], maxAbs: 0, relL2: 0, nanMismatches: 1 });
  const grow = new TensorDiffAccumulator('z', 'F32', [1]);
  grow.update(new Uint8Array(4), new Uint8Array(new Float32Array([2]).buffer));
  assert.equal(grow.result().relL2, Infinity);
});
