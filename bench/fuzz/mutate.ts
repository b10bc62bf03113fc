import { ascii, concat, repeat, u16le, u32le, u64le } from './bytes';
import type { Random } from './random';

/** Integers that sit on the edges parsers get wrong: zero, sign bits, 2^31 - 1, 2^32 - 1, 2^64 - 1. */
export const INTERESTING_INTEGERS: readonly bigint[] = [
  0n, 1n, 2n, 7n, 8n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x7fffn, 0x8000n, 0xffffn, 0x10000n,
  0x7fffffffn, 0x80000000n, 0xfffffffen, 0xffffffffn, 0x100000000n,
  2n ** 53n - 1n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n,
];

/** Byte strings that trip text and binary readers: NUL, quotes, BOMs, CR, huge varints, odd numbers. */
export const INTERESTING_TOKENS: readonly Uint8Array[] = [
  new Uint8Array([0]),
  ascii('"'),
  ascii('""'),
  ascii('"\n'),
  ascii('\r'),
  ascii('\r\n'),
  ascii('\n'),
  new Uint8Array([0xef, 0xbb, 0xbf]), // UTF-8 BOM
  new Uint8Array([0xff, 0xfe]), // UTF-16LE BOM
  new Uint8Array([0xfe, 0xff]),
  new Uint8Array([0xed, 0xa0, 0x80]), // a lone surrogate in UTF-8
  new Uint8Array([0xc0, 0x80]), // overlong NUL
  new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // varint 2^64 - 1
  new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // an over-long varint
  new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x07]), // varint 2^31 - 1
  ascii('inf'),
  ascii('-inf'),
  ascii('Infinity'),
  ascii('NaN'),
  ascii('1e309'),
  ascii('-0'),
  ascii('9007199254740993'),
  ascii(','),
  ascii(';'),
  ascii('\t'),
  ascii('{'),
  ascii('['),
  ascii('}'),
  ascii(']'),
  ascii('\\u0000'),
  ascii('\\ud800'),
  ascii('[N/A]'),
  ascii(' MiB'),
  ascii('0x'),
];

function integerBytes(rng: Random, value: bigint): Uint8Array {
  switch (rng.below(5)) {
    case 0:
      return new Uint8Array([Number(value & 0xffn)]);
    case 1:
      return u16le(Number(value & 0xffffn));
    case 2:
      return u32le(Number(value & 0xffffffffn));
    case 3: {
      const b = u32le(Number(value & 0xffffffffn));
      return b.reverse();
    }
    default:
      return u64le(value);
  }
}

/** Text or bytes nested `depth` levels deep: JSON arrays and objects, or pickle MARK/LIST runs. */
export function deepNesting(rng: Random, depth: number): Uint8Array {
  switch (rng.below(4)) {
    case 0:
      return concat([repeat(ascii('['), depth), repeat(ascii(']'), depth)]);
    case 1:
      return concat([repeat(ascii('{"a":'), depth), ascii('1'), repeat(ascii('}'), depth)]);
    case 2:
      return repeat(ascii('['), depth);
    default:
      return repeat(new Uint8Array([0x28, 0x5d]), depth); // pickle MARK EMPTY_LIST
  }
}

type Mutation = (rng: Random, data: Uint8Array, others: readonly Uint8Array[], max: number) => Uint8Array;

function insertAt(data: Uint8Array, at: number, bytes: Uint8Array): Uint8Array {
  return concat([data.subarray(0, at), bytes, data.subarray(at)]);
}

function overwriteAt(data: Uint8Array, at: number, bytes: Uint8Array): Uint8Array {
  const out = data.slice();
  out.set(bytes.subarray(0, Math.max(0, out.length - at)), at);
  return out;
}

const MUTATIONS: readonly Mutation[] = [
  // Bit flip.
  (rng, d) => {
    if (!d.length) return d;
    const out = d.slice();
    out[rng.below(out.length)]! ^= 1 << rng.below(8);
    return out;
  },
  // Random byte.
  (rng, d) => {
    if (!d.length) return d;
    const out = d.slice();
    out[rng.below(out.length)] = rng.u32() & 0xff;
    return out;
  },
  // Insert random bytes.
  (rng, d) => insertAt(d, rng.below(d.length + 1), rng.bytes(rng.size(64))),
  // Delete a range.
  (rng, d) => {
    if (!d.length) return d;
    const at = rng.below(d.length);
    return concat([d.subarray(0, at), d.subarray(Math.min(d.length, at + rng.size(d.length - at)))]);
  },
  // Duplicate a range in place.
  (rng, d) => {
    if (!d.length) return d;
    const at = rng.below(d.length);
    const piece = d.subarray(at, at + rng.size(Math.min(4096, d.length - at)));
    return insertAt(d, rng.below(d.length + 1), piece);
  },
  // Overwrite with an interesting integer.
  (rng, d) => (d.length ? overwriteAt(d, rng.below(d.length), integerBytes(rng, rng.pick(INTERESTING_INTEGERS))) : d),
  // Insert an interesting token.
  (rng, d) => insertAt(d, rng.below(d.length + 1), rng.pick(INTERESTING_TOKENS)),
  // Overwrite with an interesting token.
  (rng, d) => (d.length ? overwriteAt(d, rng.below(d.length), rng.pick(INTERESTING_TOKENS)) : d),
  // Splice: the head of this input and the tail of another.
  (rng, d, others) => {
    if (!others.length) return d;
    const other = rng.pick(others);
    return concat([d.subarray(0, rng.below(d.length + 1)), other.subarray(rng.below(other.length + 1))]);
  },
  // Insert a slice of another input.
  (rng, d, others) => {
    if (!others.length) return d;
    const other = rng.pick(others);
    const at = rng.below(other.length + 1);
    return insertAt(d, rng.below(d.length + 1), other.subarray(at, at + rng.size(4096)));
  },
  // A long run of one byte (a field or line that never ends).
  (rng, d, _o, max) => insertAt(d, rng.below(d.length + 1), repeat(new Uint8Array([rng.pick([0, 0x22, 0x41, 0xff, 0x30, 0x2c, 0x0a, 0x0d])]), rng.size(Math.min(max, 1 << 18)))),
  // Deep nesting.
  (rng, d, _o, max) => insertAt(d, rng.below(d.length + 1), deepNesting(rng, rng.size(Math.min(max >> 2, 100_000)))),
  // Truncate.
  (rng, d) => d.subarray(0, rng.below(d.length + 1)),
];

/**
 * Applies one to eight stacked mutations (bit flips, insertions, deletions, splices with
 * `others`, interesting integers and tokens, long runs, deep nesting); the result never exceeds
 * `max` bytes.
 */
export function mutate(rng: Random, data: Uint8Array, others: readonly Uint8Array[], max: number): Uint8Array {
  let out = data;
  const rounds = 1 + rng.size(7);
  for (let i = 0; i < rounds; i++) {
    out = rng.pick(MUTATIONS)(rng, out, others, max);
    if (out.length > max) out = out.subarray(0, max);
  }
  return out;
}
