import { ascii, concat, repeat, u64le } from '../bytes';
import { deepNesting, mutate } from '../mutate';
import type { Random } from '../random';
import type { TargetContext } from '../target';
import { CheckpointFileTarget } from './checkpoint-file';
import { hostilePickle, readCheckpointFixture } from './integrity-seeds';

interface Parsed {
  header: Record<string, unknown>;
  data: Uint8Array;
}

function split(file: Uint8Array): Parsed {
  const length = Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + length))) as Record<string, unknown>;
  return { header, data: file.subarray(8 + length) };
}

const HOSTILE_NUMBERS: readonly unknown[] = [0, -1, 1.5, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 53, 1e308, '0', null, true, [], {}];

/** Rewrites one field of one tensor entry (or the metadata) with a hostile JSON value. */
function hostileHeader(rng: Random, header: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = JSON.parse(JSON.stringify(header)) as Record<string, unknown>;
  const names = Object.keys(out).filter((k) => k !== '__metadata__');
  const name = names.length ? rng.pick(names) : 'w';
  const entry = (typeof out[name] === 'object' && out[name] !== null ? out[name] : {}) as Record<string, unknown>;
  switch (rng.below(8)) {
    case 0:
      entry.data_offsets = [rng.pick(HOSTILE_NUMBERS), rng.pick(HOSTILE_NUMBERS)];
      break;
    case 1:
      entry.shape = Array.from({ length: rng.size(rng.chance(0.1) ? 100_000 : 8) }, () => rng.pick(HOSTILE_NUMBERS));
      break;
    case 2:
      entry.dtype = rng.pick(['F32', 'F8_E4M3', 'I4', 'f32', '', 'STR', 'BOOL', 'U64', 0]);
      break;
    case 3:
      // Many tensors, each empty: a wide header.
      for (let i = rng.size(50_000); i > 0; i--) out[`t${i}`] = { dtype: 'F32', shape: [0], data_offsets: [0, 0] };
      break;
    case 4:
      out.__metadata__ = rng.chance(0.5) ? { format: rng.pick(HOSTILE_NUMBERS) } : rng.pick(HOSTILE_NUMBERS);
      break;
    case 5:
      delete out[name];
      break;
    case 6:
      out[name + rng.pick(['', '\u0000', '\ud800', '.'.repeat(4096)])] = { ...entry };
      break;
    default:
      entry.data_offsets = [0, rng.pick([0, 4, 2 ** 53 - 1])];
      entry.shape = [rng.pick([0, 1, 2 ** 31 - 1, 2 ** 32 - 1]), rng.pick([0, 1, 2 ** 31 - 1, 2 ** 32 - 1])];
  }
  if (names.length) out[name] = entry;
  return out;
}

function assemble(rng: Random, json: Uint8Array, data: Uint8Array): Uint8Array {
  let length = BigInt(json.length);
  if (rng.chance(0.15)) length = rng.pick([0n, 1n, length - 1n, length + 1n, 2n ** 31n - 1n, 2n ** 32n - 1n, 100_000_001n, 2n ** 64n - 1n]);
  return concat([u64le(length), json, data]);
}

/**
 * safetensors files: the real fixtures mutated, headers rewritten with hostile JSON (offsets,
 * shapes, dtypes, metadata, deep nesting, BOMs, lying lengths) and pickle/safetensors
 * polyglots, each read by `inspectCheckpoint`.
 */
export class SafetensorsTarget extends CheckpointFileTarget {
  readonly name = 'safetensors';
  readonly describes = 'safetensors files: inspectCheckpoint (header length, JSON header, tensor ranges), fail-closed check';
  private files: Uint8Array[] = [];
  private parsed: Parsed[] = [];

  protected load(context: TargetContext): void {
    this.files = ['digits_cnn.safetensors', 'digits_cnn_tampered.safetensors'].map((n) => readCheckpointFixture(context.root, n));
    this.parsed = this.files.map(split);
  }

  generate(rng: Random): Uint8Array {
    const { header, data } = rng.pick(this.parsed);
    switch (rng.below(6)) {
      case 0: {
        // Byte mutations confined to the header, so the data region stays as it was.
        const file = rng.pick(this.files);
        const headerEnd = 8 + Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
        return concat([mutate(rng, file.subarray(0, headerEnd), [], 1 << 20), file.subarray(headerEnd)]);
      }
      case 1:
      case 2: {
        const json = ascii(JSON.stringify(hostileHeader(rng, header)));
        return assemble(rng, json, data);
      }
      case 3: {
        // Deep nesting, BOMs, NULs and padding around otherwise valid JSON.
        const json = ascii(JSON.stringify(header));
        const wrapped = rng.pick([
          () => concat([new Uint8Array([0xef, 0xbb, 0xbf]), json]),
          () => concat([json.subarray(0, json.length - 1), ascii(',"__metadata__":'), deepNesting(rng, rng.size(100_000)), ascii('}')]),
          () => concat([json, repeat(ascii(' '), rng.size(4096))]),
          () => concat([json, new Uint8Array([0])]),
          () => concat([json.subarray(0, json.length - 1), ascii(`,${JSON.stringify(Object.keys(header)[0] ?? 'w')}:{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`)]),
        ])();
        return assemble(rng, wrapped, data);
      }
      case 4: {
        // A pickle at byte 0, followed by the safetensors bytes: what does a reader call it?
        return concat([hostilePickle(rng, []), rng.pick(this.files)]);
      }
      default: {
        // A header length whose bytes begin a pickle opcode stream (BINUNICODE swallowing the JSON).
        const json = ascii(JSON.stringify(header));
        const prefix = new Uint8Array([0x58, rng.below(256), rng.below(4), 0, 0, 0, 0, 0]);
        return mutate(rng, concat([prefix, json, data]), this.files, 1 << 20);
      }
    }
  }
}
