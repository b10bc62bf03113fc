import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateCentralDirectory, parseCentralDirectory, ZIP_TAIL_LENGTH, LOCAL_HEADER_LENGTH, type ZipEntry } from '../../../src/core/integrity/zip';
import { concat, repeat, u64le } from '../bytes';
import { PickleWriter, stateDictPickle, type TensorSpec } from '../pickle-writer';
import type { Random } from '../random';

/** One zip member: its name, compression method and stored bytes. */
export interface ZipMember {
  name: string;
  method: number;
  data: Uint8Array;
}

/** The members of a well-formed zip (the torch.save fixture is one). */
export function zipMembers(file: Uint8Array): ZipMember[] {
  const tailLength = Math.min(file.length, ZIP_TAIL_LENGTH);
  const where = locateCentralDirectory(file.subarray(file.length - tailLength), file.length - tailLength, file.length);
  const entries: ZipEntry[] = parseCentralDirectory(file.subarray(where.offset, where.offset + where.size), where.entryCount, file.length);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  return entries.map((e) => {
    const at = e.localHeaderOffset + LOCAL_HEADER_LENGTH + view.getUint16(e.localHeaderOffset + 26, true) + view.getUint16(e.localHeaderOffset + 28, true);
    return { name: e.name, method: e.method, data: file.subarray(at, at + e.compressedSize) };
  });
}

export function readCheckpointFixture(root: string, name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(root, 'test/fixtures/checkpoints', name)));
}

const STORAGE_TYPES = ['FloatStorage', 'DoubleStorage', 'HalfStorage', 'ByteStorage', 'LongStorage', 'BoolStorage', 'NoSuchStorage'];
const HOSTILE_SIZES = [0, 1, 2, 3, 1000, 65536, 2 ** 20, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 53 - 1];

/** A tensor view built to stress layout recovery: overlapping, zero-stride, huge or out-of-range. */
export function hostileTensorSpec(rng: Random, i: number): TensorSpec {
  const rank = rng.below(4);
  const shape = Array.from({ length: rank }, () => (rng.chance(0.5) ? rng.between(0, 64) : rng.pick(HOSTILE_SIZES)));
  const stride = shape.map(() => (rng.chance(0.5) ? rng.between(0, 3) : rng.pick(HOSTILE_SIZES)));
  const numel = rng.chance(0.5) ? rng.pick(HOSTILE_SIZES) : rng.between(0, 4096);
  return { name: `layer${i}.weight`, storage: String(rng.below(4)), storageType: rng.pick(STORAGE_TYPES), numel, offset: rng.chance(0.8) ? 0 : rng.pick(HOSTILE_SIZES), shape, stride };
}

const DANGEROUS: readonly [string, string][] = [
  ['os', 'system'],
  ['posix', 'system'],
  ['builtins', 'eval'],
  ['builtins', 'exec'],
  ['subprocess', 'Popen'],
  ['__builtin__', 'getattr'],
  ['torch', 'load'],
];

/** Pickles built to stress the scanner: code execution, deep nesting, lying lengths, memo abuse. */
export function hostilePickle(rng: Random, seeds: readonly Uint8Array[]): Uint8Array {
  const w = new PickleWriter().proto(rng.pick([0, 2, 4, 5]));
  switch (rng.below(7)) {
    case 0: {
      const [m, n] = rng.pick(DANGEROUS);
      if (rng.chance(0.5)) w.global(m, n);
      else w.str(m).str(n).op(0x93); // STACK_GLOBAL
      return w.str('echo pwned').op(0x85, 0x52).stop(); // TUPLE1 REDUCE
    }
    case 1: {
      const depth = rng.size(200_000);
      return w.raw(repeat(new Uint8Array(rng.chance(0.5) ? [0x28] : [0x5d, 0x28]), depth)).stop();
    }
    case 2: {
      // Operands whose length fields claim far more than the file holds.
      const op = rng.pick([0x8d, 0x8e, 0x96, 0x95]); // BINUNICODE8, BINBYTES8, BYTEARRAY8, FRAME
      return w.op(op).raw(u64le(rng.pick([2n ** 31n - 1n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n]))).raw(new Uint8Array(rng.size(64))).stop();
    }
    case 3: {
      // Memo keys at the edges, and gets of keys never put.
      w.op(0x5d).put(rng.pick([0, 2 ** 31 - 1, 2 ** 32 - 1]));
      for (let i = rng.size(1000); i > 0; i--) w.get(rng.pick([0, 1, 2 ** 32 - 1]));
      return w.stop();
    }
    case 4: {
      // A computed STACK_GLOBAL (operands come from the memo), then a call.
      return w.str('os').op(0x94).str('system').op(0x94).op(0x68, 0, 0x68, 1, 0x93).str('id').op(0x85, 0x52).stop();
    }
    case 5: {
      // Two pickles back to back: the second is what a careless reader never sees.
      const [m, n] = rng.pick(DANGEROUS);
      const first = seeds.length ? rng.pick(seeds) : new PickleWriter().proto(2).op(0x4e).stop();
      return concat([first, new PickleWriter().proto(2).global(m, n).str('x').op(0x85, 0x52).stop()]);
    }
    default: {
      const tensors = Array.from({ length: 1 + rng.below(4) }, (_, i) => hostileTensorSpec(rng, i));
      return stateDictPickle(tensors);
    }
  }
}
