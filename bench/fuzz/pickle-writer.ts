import { ascii, concat, u16le, u32le, u64le } from './bytes';

/** Builds pickles opcode by opcode (the opcode values are CPython's Lib/pickletools.py). */
export class PickleWriter {
  private readonly parts: Uint8Array[] = [];

  op(...bytes: number[]): this {
    this.parts.push(new Uint8Array(bytes));
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.parts.push(bytes);
    return this;
  }

  proto(n: number): this {
    return this.op(0x80, n);
  }

  global(module: string, name: string): this {
    return this.op(0x63).raw(ascii(`${module}\n${name}\n`));
  }

  str(s: string): this {
    const b = ascii(s);
    return b.length < 256 ? this.op(0x8c, b.length).raw(b) : this.op(0x58).raw(u32le(b.length)).raw(b);
  }

  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    if (n >= 0 && n < 65536) return this.op(0x4d).raw(u16le(n));
    if (n >= -(2 ** 31) && n < 2 ** 31) return this.op(0x4a).raw(u32le(n));
    // LONG1 with eight little-endian bytes.
    return this.op(0x8a, 8).raw(u64le(BigInt(n)));
  }

  mark(): this {
    return this.op(0x28);
  }

  tuple(): this {
    return this.op(0x74);
  }

  put(n: number): this {
    return this.op(0x72).raw(u32le(n));
  }

  get(n: number): this {
    return this.op(0x6a).raw(u32le(n));
  }

  stop(): Uint8Array {
    this.op(0x2e);
    return concat(this.parts);
  }
}

/** One tensor of a torch.save state dict: `_rebuild_tensor_v2(persistent storage, offset, size, stride, ...)`. */
export interface TensorSpec {
  readonly name: string;
  readonly storage: string;
  readonly storageType: string;
  readonly numel: number;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
}

/** A protocol-2 state dict pickle of tensors, shaped as torch.save writes data.pkl. */
export function stateDictPickle(tensors: readonly TensorSpec[]): Uint8Array {
  const w = new PickleWriter().proto(2).global('collections', 'OrderedDict').op(0x29, 0x52).mark();
  for (const t of tensors) {
    w.str(t.name).global('torch._utils', '_rebuild_tensor_v2').mark();
    w.mark().str('storage').global('torch', t.storageType).str(t.storage).str('cpu').int(t.numel).tuple().op(0x51); // BINPERSID
    w.int(t.offset).mark();
    for (const d of t.shape) w.int(d);
    w.tuple().mark();
    for (const s of t.stride) w.int(s);
    w.tuple().op(0x89).global('collections', 'OrderedDict').op(0x29, 0x52).tuple().op(0x52); // NEWFALSE, REDUCE
  }
  return w.op(0x75).stop(); // SETITEMS
}
