import { maskedCrc32c } from '../../../src/core/tfevents/crc32c';
import { ProtoError } from '../../../src/core/tfevents/protobuf';
import { TfRecordFramer } from '../../../src/core/tfevents/record-framer';
import { RunStore } from '../../../src/core/tfevents/run-store';
import { summarizeRuns } from '../../../src/core/tfevents/summary';
import { concat, repeat, u32le, u64le, varint } from '../bytes';
import { readFixtures } from '../corpus';
import { mutate } from '../mutate';
import { Random, hashBytes } from '../random';
import type { FuzzTarget, TargetContext } from '../target';

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

function field(num: number, wire: number, body: Uint8Array | number | bigint): Uint8Array {
  const key = varint((num << 3) | wire);
  if (wire === WIRE_BYTES) {
    const b = body as Uint8Array;
    return concat([key, varint(b.length), b]);
  }
  if (wire === WIRE_VARINT) return concat([key, varint(body as number | bigint)]);
  const out = new Uint8Array(wire === WIRE_FIXED64 ? 8 : 4);
  const view = new DataView(out.buffer);
  if (wire === WIRE_FIXED64) view.setFloat64(0, Number(body), true);
  else view.setFloat32(0, Number(body), true);
  return concat([key, out]);
}

/** TFRecord framing with both CRCs right, so a mutated payload reaches the event decoder. */
export function frameRecords(payloads: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const p of payloads) {
    const length = u64le(BigInt(p.length));
    parts.push(length, u32le(maskedCrc32c(length, 0, 8)), p, u32le(maskedCrc32c(p, 0, p.length)));
  }
  return concat(parts);
}

/** The payloads of a well-formed event file (the fixtures are). */
export function recordPayloads(file: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (let at = 0; at + 16 <= file.length; ) {
    const length = Number(view.getBigUint64(at, true));
    if (at + 16 + length > file.length) break;
    out.push(file.subarray(at + 12, at + 12 + length));
    at += 16 + length;
  }
  return out;
}

function event(step: number, summaryValues: readonly Uint8Array[]): Uint8Array {
  return concat([field(1, WIRE_FIXED64, 1.7e9 + step), field(2, WIRE_VARINT, step), field(5, WIRE_BYTES, concat(summaryValues.map((v) => field(1, WIRE_BYTES, v))))]);
}

function pluginMeta(plugin: string, content = new Uint8Array(0)): Uint8Array {
  return field(9, WIRE_BYTES, field(1, WIRE_BYTES, concat([field(1, WIRE_BYTES, new TextEncoder().encode(plugin)), field(2, WIRE_BYTES, content)])));
}

function shape(dims: readonly (number | bigint)[]): Uint8Array {
  return field(2, WIRE_BYTES, concat(dims.map((d) => field(2, WIRE_BYTES, field(1, WIRE_VARINT, d)))));
}

const HOSTILE_DIMS: readonly (number | bigint)[] = [0, 1, 3, 2 ** 31 - 1, 2 ** 32 - 1, 2n ** 62n, 2n ** 64n - 1n];

/** A summary value holding a TensorProto built to stress the decoder: huge packed lists, many strings, absurd shapes. */
function hostileTensor(rng: Random): Uint8Array {
  const tag = field(1, WIRE_BYTES, new TextEncoder().encode(rng.pick(['loss', 'text', 'img', 'h', ''])));
  const plugin = rng.pick(['', 'scalars', 'text', 'images', 'histograms', 'pr_curves']);
  const dtype = rng.pick([1, 2, 3, 4, 7, 9, 10, 14, 19, 23, 99]);
  const dims = Array.from({ length: rng.below(4) }, () => rng.pick(HOSTILE_DIMS));
  const n = rng.size(3 << 20);
  let payload: Uint8Array;
  switch (rng.below(5)) {
    case 0: // packed int_val of one-byte varints
      payload = field(7, WIRE_BYTES, repeat(new Uint8Array([rng.below(128)]), n));
      break;
    case 1: // many empty string_val
      payload = repeat(field(8, WIRE_BYTES, new Uint8Array(0)), Math.ceil(n / 2));
      break;
    case 2: // packed float_val
      payload = field(5, WIRE_BYTES, new Uint8Array(n & ~3));
      break;
    case 3: // packed half_val
      payload = field(13, WIRE_BYTES, repeat(new Uint8Array([0x80, 0x7c]), Math.ceil(n / 2)));
      break;
    default: // tensor_content
      payload = field(4, WIRE_BYTES, rng.bytes(Math.min(n, 1 << 16)));
  }
  const tensor = concat([field(1, WIRE_VARINT, dtype), shape(dims), payload]);
  return concat([tag, plugin ? pluginMeta(plugin) : new Uint8Array(0), field(8, WIRE_BYTES, tensor)]);
}

/** A histogram value with long bucket lists. */
function hostileHistogram(rng: Random): Uint8Array {
  const n = rng.size(1 << 18);
  const histo = concat([field(1, WIRE_FIXED64, -1), field(2, WIRE_FIXED64, 1), field(3, WIRE_FIXED64, n), field(6, WIRE_BYTES, new Uint8Array(n * 8)), field(7, WIRE_BYTES, new Uint8Array(n * 8))]);
  return concat([field(1, WIRE_BYTES, new TextEncoder().encode('weights')), field(5, WIRE_BYTES, histo)]);
}

/**
 * TensorBoard event files: the TFRecord framer fed in chunks, then every record decoded into a
 * run store (`RunStore.addRecord`, as the log-dir watcher does) and summarised. ProtoError is the
 * decoder's documented error; anything else is a failure.
 */
export class TfeventsTarget implements FuzzTarget {
  readonly name = 'tfevents';
  readonly describes = 'event files: TfRecordFramer.push in chunks, RunStore.addRecord per record (ProtoError allowed), summarizeRuns';
  private files: Uint8Array[] = [];
  private payloads: Uint8Array[] = [];

  prepare(context: TargetContext): void {
    this.files = readFixtures(context.root, 'test/fixtures/tensorboard', /tfevents/);
    this.payloads = this.files.flatMap(recordPayloads);
  }

  generate(rng: Random): Uint8Array {
    const file = rng.pick(this.files);
    const records = recordPayloads(file);
    const from = rng.below(records.length);
    const window = records.slice(from, from + rng.size(64));
    switch (rng.below(4)) {
      case 0: {
        // Raw bytes of a file slice, mutated: framing damage, resynchronisation.
        const framed = frameRecords(window);
        return mutate(rng, framed, this.files, 1 << 20);
      }
      case 1: {
        // Valid framing around mutated payloads: the decoder sees the damage.
        const mutated = window.map((p) => (rng.chance(0.3) ? mutate(rng, p, this.payloads, 1 << 16) : p));
        return frameRecords(mutated);
      }
      case 2: {
        // Hostile tensors and histograms inside valid records.
        const values = Array.from({ length: 1 + rng.below(2) }, () => (rng.chance(0.8) ? hostileTensor(rng) : hostileHistogram(rng)));
        return frameRecords([...window.slice(0, 2), event(rng.below(1000), values)]);
      }
      default: {
        // A record whose length field lies (with a correct length CRC), then real records.
        const length = u64le(rng.pick([0n, 1n, 2n ** 27n + 1n, 2n ** 31n - 1n, 2n ** 32n - 1n, 2n ** 63n, 2n ** 64n - 1n]));
        const lying = concat([length, u32le(maskedCrc32c(length, 0, 8)), rng.bytes(rng.size(64))]);
        return concat([lying, frameRecords(window)]);
      }
    }
  }

  run(input: Uint8Array): void {
    const store = new RunStore();
    const framer = new TfRecordFramer();
    // Chunk sizes come from the input itself, so a saved input replays identically.
    const chunking = new Random(hashBytes(input));
    let corruptions = 0;
    for (let at = 0; at < input.length; ) {
      const size = chunking.chance(0.5) ? input.length : chunking.size(1 << 16);
      const chunk = input.subarray(at, at + size);
      at += chunk.length;
      framer.push(
        chunk,
        (payload) => {
          try {
            store.addRecord('run', payload);
          } catch (e) {
            if (!(e instanceof ProtoError)) throw e;
            corruptions++;
          }
        },
        () => corruptions++,
      );
    }
    if (framer.finish()) corruptions++;
    summarizeRuns(store);
  }
}
