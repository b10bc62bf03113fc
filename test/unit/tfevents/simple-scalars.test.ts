import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEvent } from '../../../src/core/tfevents/event';
import { float32At, float64At } from '../../../src/core/tfevents/protobuf';
import { SimpleScalars, scanSimpleScalars } from '../../../src/core/tfevents/simple-scalars';
import { Message, scalarEvent } from './helpers';

/** What the allocation-free scan found, in the general decoder's terms (null: it declined). */
function scanned(payload: Uint8Array, at = 0): { wallTime: number; step: number; values: [string, number][] } | null {
  // The payload sits inside a larger buffer, as records do in a read buffer.
  const buf = new Uint8Array(payload.length + 2 * at).fill(0x2a);
  buf.set(payload, at);
  const out = new SimpleScalars();
  if (!scanSimpleScalars(buf, out, at, at + payload.length)) return null;
  const values: [string, number][] = [];
  for (let i = 0; i < out.count; i++) values.push([new TextDecoder().decode(buf.subarray(out.tagStart[i], out.tagEnd[i])), out.values[i]!]);
  return { wallTime: out.wallTime, step: out.step, values };
}

function decoded(payload: Uint8Array): { wallTime: number; step: number; values: [string, number][] } {
  const e = decodeEvent(payload);
  return { wallTime: e.wallTime, step: e.step, values: e.values.map((v) => [v.tag, v.data.kind === 'scalar' ? v.data.value : NaN]) };
}

test("add_scalar's layout, matched at fixed places, reads what the general decoder reads: every step width, tag length and float", () => {
  const steps = [0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 2 ** 28 - 1];
  const tags = [0, 1, 15, 70, 118, 119].map((n) => 'm/'.repeat(n).slice(0, n));
  const values = [0, -0, 0.1, -3.5e38, Infinity, -Infinity, NaN, 1e-45];
  let matched = 0;
  for (const step of steps) {
    for (const tag of tags) {
      for (const value of values) {
        const payload = scalarEvent(tag, step, value, 1_700_000_000.125 + step);
        const fast = scanned(payload, 3);
        // Tags of 119 bytes or more take two-byte Summary lengths: the general scan reads those.
        assert.ok(fast, `step ${step}, tag of ${tag.length} bytes`);
        assert.deepEqual(fast, decoded(payload), `step ${step}, tag of ${tag.length} bytes, value ${value}`);
        matched++;
      }
    }
  }
  assert.equal(matched, steps.length * tags.length * values.length);
});

test('near misses of the layout fall to the general scan or the general decoder, never to a wrong point', () => {
  const base = scalarEvent('train/loss', 300, 0.25, 1_700_000_300.5);
  const cases: [string, Uint8Array][] = [
    ['a step of 2^28 (a five-byte varint)', scalarEvent('train/loss', 2 ** 28, 0.25)],
    ['a tag of 200 bytes (two-byte lengths)', scalarEvent('t'.repeat(200), 3, 0.25)],
    ['fields in another order', new Message().varint(2, 300).double(1, 1_700_000_300.5).message(5, new Message().message(1, new Message().string(1, 'train/loss').float(2, 0.25))).encode()],
    ['value before tag', new Message().double(1, 1.5).varint(2, 300).message(5, new Message().message(1, new Message().float(2, 0.25).string(1, 'train/loss'))).encode()],
    ['two values in one summary', new Message().double(1, 1.5).varint(2, 7).message(5, new Message().message(1, new Message().string(1, 'a').float(2, 1)).message(1, new Message().string(1, 'b').float(2, 2))).encode()],
    ['a field after the summary', Uint8Array.from([...base, 0x18, 0x01])],
    ['one byte short', base.subarray(0, base.length - 1)],
    ['a non-minimal step varint', Uint8Array.from([...base.subarray(0, 10), 0xac, 0x82, 0x00, ...base.subarray(12)])],
  ];
  for (const [name, payload] of cases) {
    let general: ReturnType<typeof decoded> | undefined;
    try {
      general = decoded(payload);
    } catch {
      general = undefined;
    }
    const fast = scanned(payload, 5);
    // Whatever the scan accepts, it reads as the general decoder does; what it declines goes there.
    if (fast) assert.deepEqual(fast, general, name);
  }
  assert.deepEqual(scanned(base), decoded(base));
});

test('floats are read from the bytes as they are now: a buffer that grew under the same view is read past its old end', () => {
  // A length-tracking view over a resizable buffer keeps its identity as its length changes.
  const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(length: number): void };
  const buffer = new Resizable(8, { maxByteLength: 16 });
  const bytes = new Uint8Array(buffer);
  new DataView(buffer).setFloat64(0, 1.25, true);
  assert.equal(float64At(bytes, 0), 1.25);
  buffer.resize(16);
  new DataView(buffer).setFloat64(8, -3.5, true);
  new DataView(buffer).setFloat32(4, 0.5, true);
  assert.equal(float64At(bytes, 8), -3.5);
  assert.equal(float32At(bytes, 4), 0.5);
});
