// Builders for test inputs: pickles opcode by opcode, zips (optionally ZIP64), safetensors files.
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'checkpoints');

/** Concatenates numbers (bytes), strings (latin1 characters) and byte arrays. */
export function bytes(...parts: (number | string | Uint8Array)[]): Uint8Array {
  const chunks: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') chunks.push(p);
    else if (typeof p === 'string') for (const ch of p) chunks.push(ch.charCodeAt(0));
    else chunks.push(...p);
  }
  return Uint8Array.from(chunks);
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** SHORT_BINUNICODE of an ASCII string. */
export const shortStr = (s: string) => bytes(0x8c, s.length, s);
/** BINUNICODE of an ASCII string. */
export const binStr = (s: string) => bytes(0x58, u32(s.length), s);

/** Pickles importing `module.name` through GLOBAL, STACK_GLOBAL or INST, and calling it with one string. */
export function callingPickle(via: 'GLOBAL' | 'STACK_GLOBAL' | 'INST' | 'OBJ' | 'NEWOBJ', module: string, name: string): Uint8Array {
  switch (via) {
    case 'GLOBAL':
      return bytes(0x80, 2, 'c', `${module}\n${name}\n`, binStr('id'), 0x85, 'R', '.');
    case 'STACK_GLOBAL':
      // Names memoized and fetched back, as protocol 4 pickles do.
      return bytes(0x80, 4, shortStr(module), 0x94, shortStr(name), 0x94, 'h', 0, 'h', 1, 0x93, 0x94, shortStr('id'), 0x85, 'R', '.');
    case 'INST':
      return bytes('(', "S'id'\n", 'i', `${module}\n${name}\n`, '.');
    case 'OBJ':
      return bytes(0x80, 2, '(', 'c', `${module}\n${name}\n`, binStr('id'), 'o', '.');
    case 'NEWOBJ':
      return bytes(0x80, 2, 'c', `${module}\n${name}\n`, binStr('id'), 0x85, 0x81, '.');
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip of STORED entries, as torch.save writes; `zip64` adds the ZIP64 end records and extra fields. */
export function zipOf(entries: { name: string; data: Uint8Array }[], zip64 = false): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc32(e.data), true);
    lv.setUint32(18, e.data.length, true);
    lv.setUint32(22, e.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const extra = zip64 ? new Uint8Array(4 + 24) : new Uint8Array(0);
    if (zip64) {
      const ev = new DataView(extra.buffer);
      ev.setUint16(0, 1, true);
      ev.setUint16(2, 24, true);
      ev.setBigUint64(4, BigInt(e.data.length), true);
      ev.setBigUint64(12, BigInt(e.data.length), true);
      ev.setBigUint64(20, BigInt(offset), true);
    }
    const cd = new Uint8Array(46 + name.length + extra.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint32(16, crc32(e.data), true);
    cv.setUint32(20, zip64 ? 0xffffffff : e.data.length, true);
    cv.setUint32(24, zip64 ? 0xffffffff : e.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, extra.length, true);
    cv.setUint32(42, zip64 ? 0xffffffff : offset, true);
    cd.set(name, 46);
    cd.set(extra, 46 + name.length);
    parts.push(local, e.data);
    central.push(cd);
    offset += local.length + e.data.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const cdOffset = offset;
  const tail: Uint8Array[] = [];
  if (zip64) {
    const rec = new Uint8Array(56);
    const rv = new DataView(rec.buffer);
    rv.setUint32(0, 0x06064b50, true);
    rv.setBigUint64(4, 44n, true);
    rv.setBigUint64(24, BigInt(entries.length), true);
    rv.setBigUint64(32, BigInt(entries.length), true);
    rv.setBigUint64(40, BigInt(cdSize), true);
    rv.setBigUint64(48, BigInt(cdOffset), true);
    const loc = new Uint8Array(20);
    const lv = new DataView(loc.buffer);
    lv.setUint32(0, 0x07064b50, true);
    lv.setBigUint64(8, BigInt(cdOffset + cdSize), true);
    lv.setUint32(16, 1, true);
    tail.push(rec, loc);
  }
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, zip64 ? 0xffff : entries.length, true);
  ev.setUint16(10, zip64 ? 0xffff : entries.length, true);
  ev.setUint32(12, zip64 ? 0xffffffff : cdSize, true);
  ev.setUint32(16, zip64 ? 0xffffffff : cdOffset, true);
  tail.push(eocd);
  const all = [...parts, ...central, ...tail];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) out.set(p, at), (at += p.length);
  return out;
}

/** A safetensors file from a header object (serialized as given) and a data region. */
export function safetensorsOf(header: unknown, data: Uint8Array, lengthOverride?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(lengthOverride ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/**
 * A file that is valid safetensors and a valid pickle at once. Its header length's first byte is
 * `T` (BINSTRING) and its last four are zero; the string skips into the metadata value, whose
 * `U`+length hops jump over the rest of the header into a U8 tensor holding `payload` (a pickle).
 */
export function polyglotOf(payload: Uint8Array): Uint8Array {
  const open = '{"__metadata__":{"x":"';
  // BINSTRING's length is the header length's bytes 1-4, so it lands where the metadata value opens.
  const skip = 8 + open.length - 5;
  const headerLength = 0x54 + 256 * skip;
  const dataStart = 8 + headerLength;
  const close = `"},"t":{"dtype":"U8","shape":[${payload.length}],"data_offsets":[0,${payload.length}]}}`;
  const lastHop = 100;
  let hops = '';
  let at = 8 + open.length;
  // Full hops of 126 bytes, then one that lines up the last hop's landing on the data.
  while (dataStart - lastHop - 2 - at > 128 + 40) (hops += 'U' + String.fromCharCode(126) + 'a'.repeat(126)), (at += 128);
  const rest = dataStart - lastHop - 2 - at - 2;
  hops += 'U' + String.fromCharCode(rest) + 'a'.repeat(rest);
  hops += 'U' + String.fromCharCode(lastHop);
  const header = open + hops + close + ' '.repeat(lastHop - close.length);
  if (header.length !== headerLength) throw new Error(`polyglot header is ${header.length} bytes, not ${headerLength}`);
  const out = new Uint8Array(dataStart + payload.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  for (let i = 0; i < header.length; i++) out[8 + i] = header.charCodeAt(i);
  out.set(payload, dataStart);
  return out;
}
