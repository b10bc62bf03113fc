// Test-side writer: encodes Events and TFRecords the way PyTorch's SummaryWriter does.
import { maskedCrc32c } from '../../../src/core/tfevents/crc32c';

export const FIXTURES = 'test/fixtures/tensorboard';

/** Varint of v; negative values as 64-bit two's complement, like int64 fields. */
function varint(out: number[], v: number): void {
  let x = BigInt.asUintN(64, BigInt(v));
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
}

/** A protobuf message built field by field. */
export class Message {
  readonly bytes: number[] = [];
  varint(field: number, v: number): this {
    varint(this.bytes, field << 3);
    varint(this.bytes, v);
    return this;
  }
  double(field: number, v: number): this {
    varint(this.bytes, (field << 3) | 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.bytes.push(...b);
    return this;
  }
  float(field: number, v: number): this {
    varint(this.bytes, (field << 3) | 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.bytes.push(...b);
    return this;
  }
  bytesField(field: number, data: ArrayLike<number>): this {
    varint(this.bytes, (field << 3) | 2);
    varint(this.bytes, data.length);
    for (let i = 0; i < data.length; i++) this.bytes.push(data[i]!);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  message(field: number, m: Message): this {
    return this.bytesField(field, m.bytes);
  }
  /** Packed varints. */
  packed(field: number, values: number[]): this {
    const inner: number[] = [];
    for (const v of values) varint(inner, v);
    return this.bytesField(field, inner);
  }
  encode(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** PyTorch add_scalar: Event{wall_time, step, summary{value{tag, simple_value}}}. */
export function scalarEvent(tag: string, step: number, value: number, wallTime = 1_700_000_000 + step): Uint8Array {
  return new Message()
    .double(1, wallTime)
    .varint(2, step)
    .message(5, new Message().message(1, new Message().string(1, tag).float(2, value)))
    .encode();
}

export function fileVersionEvent(wallTime = 1_700_000_000): Uint8Array {
  return new Message().double(1, wallTime).string(3, 'brain.Event:2').encode();
}

export function sessionStartEvent(step: number): Uint8Array {
  return new Message().double(1, 1_700_000_000).varint(2, step).message(7, new Message().varint(1, 1)).encode();
}

/** Frames one payload as a TFRecord. */
export function record(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 16);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, 0, true);
  view.setUint32(8, maskedCrc32c(out, 0, 8), true);
  out.set(payload, 12);
  view.setUint32(12 + payload.length, maskedCrc32c(payload), true);
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A whole event file: file_version then one scalar per (tag, step). */
export function scalarFile(points: [tag: string, step: number, value: number][]): Uint8Array {
  return concat([record(fileVersionEvent()), ...points.map(([t, s, v]) => record(scalarEvent(t, s, v)))]);
}
