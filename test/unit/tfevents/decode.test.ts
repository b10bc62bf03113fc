import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEvent, type SummaryData } from '../../../src/core/tfevents/event';
import { ProtoError } from '../../../src/core/tfevents/protobuf';
import { Message, scalarEvent, sessionStartEvent } from './helpers';

/** Event{step, summary{value{tag, metadata{plugin}, tensor}}}. */
function tensorEvent(tensor: Message, plugin = 'scalars', step = 7): Uint8Array {
  const meta = new Message().message(1, new Message().string(1, plugin));
  const value = new Message().string(1, 't').message(9, meta).message(8, tensor);
  return new Message().double(1, 12.5).varint(2, step).message(5, new Message().message(1, value)).encode();
}

function only(payload: Uint8Array): SummaryData {
  const e = decodeEvent(payload);
  assert.equal(e.values.length, 1);
  return e.values[0]!.data;
}

const scalar = (dtype: number) => new Message().varint(1, dtype).message(2, new Message());

test('simple_value with wall time and step', () => {
  const e = decodeEvent(scalarEvent('train/loss', 42, 0.5, 1700000042.25));
  assert.deepEqual(e, { wallTime: 1700000042.25, step: 42, values: [{ tag: 'train/loss', plugin: '', data: { kind: 'scalar', value: 0.5 } }] });
});

test('rank-0 tensors: float/double tensor_content and float, double, int, int64, half and bfloat16 lists', () => {
  const f32 = new Uint8Array(4);
  new DataView(f32.buffer).setFloat32(0, 1.5, true);
  const f64 = new Uint8Array(8);
  new DataView(f64.buffer).setFloat64(0, 0.1, true);
  assert.deepEqual(only(tensorEvent(scalar(1).bytesField(4, f32))), { kind: 'scalar', value: 1.5 });
  assert.deepEqual(only(tensorEvent(scalar(2).bytesField(4, f64))), { kind: 'scalar', value: 0.1 });
  assert.deepEqual(only(tensorEvent(scalar(1).bytesField(5, f32))), { kind: 'scalar', value: 1.5 }); // packed float_val
  assert.deepEqual(only(tensorEvent(scalar(2).double(6, 0.1))), { kind: 'scalar', value: 0.1 }); // unpacked double_val
  assert.deepEqual(only(tensorEvent(scalar(3).packed(7, [-5]))), { kind: 'scalar', value: -5 }); // int32 -5
  assert.deepEqual(only(tensorEvent(scalar(9).varint(10, 123456789012)))!, { kind: 'scalar', value: 123456789012 });
  assert.deepEqual(only(tensorEvent(scalar(19).packed(13, [0x3e00]))), { kind: 'scalar', value: 1.5 }); // half
  assert.deepEqual(only(tensorEvent(scalar(19).packed(13, [0x7c00]))), { kind: 'scalar', value: Infinity });
  assert.deepEqual(only(tensorEvent(scalar(14).packed(13, [0x3fc0]))), { kind: 'scalar', value: 1.5 }); // bfloat16
  const half = Uint8Array.of(0x00, 0xbc); // -1 in half, little endian
  assert.deepEqual(only(tensorEvent(scalar(19).bytesField(4, half))), { kind: 'scalar', value: -1 });
});

test('a TF2 [k,3] histogram tensor becomes buckets (left, right, count)', () => {
  const rows = [0, 1, 2, 1, 2, 5, 2, 4, 3];
  const content = new Uint8Array(rows.length * 8);
  rows.forEach((v, i) => new DataView(content.buffer).setFloat64(i * 8, v, true));
  const shape = new Message().message(2, new Message().varint(1, 3)).message(2, new Message().varint(1, 3));
  const data = only(tensorEvent(new Message().varint(1, 2).message(2, shape).bytesField(4, content), 'histograms'));
  assert.deepEqual(data, {
    kind: 'histogram',
    histogram: { min: 0, max: 4, count: 10, sum: 2 * 0.5 + 5 * 1.5 + 3 * 3, bucketLimits: [1, 2, 4], bucketCounts: [2, 5, 3] },
  });
});

test('a hostile [2^40, 3] shape with little data decodes only the rows present', () => {
  const shape = new Message().message(2, new Message().varint(1, 2 ** 40)).message(2, new Message().varint(1, 3));
  const data = only(tensorEvent(new Message().varint(1, 2).message(2, shape).double(6, 0).double(6, 1).double(6, 7), 'histograms'));
  assert.deepEqual(data, { kind: 'histogram', histogram: { min: 0, max: 1, count: 7, sum: 3.5, bucketLimits: [1], bucketCounts: [7] } });
});

test('a later value of a tag without metadata uses the plugin hint', () => {
  const shape = new Message().message(2, new Message().varint(1, 3)).message(2, new Message().varint(1, 3));
  const tensor = new Message().varint(1, 3).message(2, shape).packed(7, [0, 1, 2, 1, 2, 5, 2, 4, 3]);
  const value = new Message().string(1, 'h').message(8, tensor);
  const payload = new Message().message(5, new Message().message(1, value)).encode();
  assert.equal(decodeEvent(payload).values[0]!.data.kind, 'tensor'); // int32 [k,3] without a plugin is ambiguous
  assert.equal(decodeEvent(payload, () => 'histograms').values[0]!.data.kind, 'histogram');
});

test('audio metadata, SessionLog and file_version; unknown fields and graph_def are skipped', () => {
  const audio = new Message().float(1, 16000).varint(2, 1).varint(3, 32000).bytesField(4, [1, 2, 3]).string(5, 'audio/wav');
  const value = new Message().string(1, 'speech').varint(99, 5).message(6, audio);
  const payload = new Message()
    .double(1, 3)
    .varint(2, 9)
    .bytesField(4, [8, 1, 2, 3]) // graph_def
    .bytesField(77, [1, 2, 3]) // unknown field
    .message(5, new Message().message(1, value))
    .encode();
  assert.deepEqual(decodeEvent(payload).values[0]!.data, {
    kind: 'audio',
    audio: { sampleRate: 16000, channels: 1, frames: 32000, contentType: 'audio/wav', encodedBytes: 3 },
  });
  assert.deepEqual(decodeEvent(sessionStartEvent(400)), {
    wallTime: 1700000000,
    step: 400,
    values: [],
    sessionLog: { status: 1, checkpointPath: '', message: '' },
  });
  assert.equal(decodeEvent(new Message().string(3, 'brain.Event:2').encode()).fileVersion, 'brain.Event:2');
});

test('a TF2 image tensor (width, height, png...) gives image metadata', () => {
  const tensor = new Message().varint(1, 7).bytesField(8, new TextEncoder().encode('28')).bytesField(8, new TextEncoder().encode('14')).bytesField(8, [1, 2, 3, 4]).bytesField(8, [5, 6]);
  assert.deepEqual(only(tensorEvent(tensor, 'images')), { kind: 'image', image: { width: 28, height: 14, colorspace: 0, encodedBytes: 6, count: 2 } });
});

test('negative steps, 64-bit steps and a missing step (proto3 default 0)', () => {
  assert.equal(decodeEvent(new Message().varint(2, 2 ** 40 + 7).encode()).step, 2 ** 40 + 7);
  assert.equal(decodeEvent(new Message().varint(2, -(2 ** 40)).encode()).step, -(2 ** 40));
  assert.equal(decodeEvent(new Message().varint(2, 2 ** 28).encode()).step, 2 ** 28);
  assert.equal(decodeEvent(new Message().varint(2, -3).encode()).step, -3);
  assert.equal(decodeEvent(new Message().double(1, 1).encode()).step, 0);
});

test('malformed messages throw ProtoError with a position, never anything else', () => {
  const good = scalarEvent('loss', 3, 1);
  for (let cut = 1; cut < good.length; cut++) {
    try {
      decodeEvent(good.subarray(0, cut));
    } catch (error) {
      assert.ok(error instanceof ProtoError, `cut ${cut}: ${String(error)}`);
      assert.match(error.message, /byte \d+|ends inside/);
    }
  }
  assert.throws(() => decodeEvent(Uint8Array.of(0x0b)), /unsupported wire type 3/);
  assert.throws(() => decodeEvent(Uint8Array.of(0x2a, 0xff, 0xff, 0xff, 0x7f)), /runs past the end/);
});
