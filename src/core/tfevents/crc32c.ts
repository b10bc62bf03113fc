// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven slicing-by-8.
const POLY = 0x82f63b78;

/** The eight slicing tables, 256 entries each (the WebAssembly check copies them in, record-check.ts). */
export const CRC32C_TABLES: Uint32Array = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let s = 1; s < 8; s++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[s * 256 + n] = c >>> 0;
    }
  }
  return t;
})();

/**
 * CRC-32C of `bytes[start, end)`.
 * @example crc32c(new Uint8Array(32)) === 0x8a9136aa
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = CRC32C_TABLES;
  let crc = 0xffffffff;
  let i = start;
  // Eight bytes a round: two 32-bit words looked up in eight tables at once.
  const stop8 = end - ((end - i) & 7);
  while (i < stop8) {
    const lo = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ crc;
    crc =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
    i += 8;
  }
  while (i < end) crc = t[(crc ^ bytes[i++]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Masked CRC-32C of the eight bytes at `start` (a record's length field): one slicing round, no loop. */
export function maskedCrc32c8(bytes: Uint8Array, start: number): number {
  const t = CRC32C_TABLES;
  const lo = ~(bytes[start]! | (bytes[start + 1]! << 8) | (bytes[start + 2]! << 16) | (bytes[start + 3]! << 24));
  const crc =
    t[1792 + (lo & 0xff)]! ^
    t[1536 + ((lo >>> 8) & 0xff)]! ^
    t[1280 + ((lo >>> 16) & 0xff)]! ^
    t[1024 + (lo >>> 24)]! ^
    t[768 + bytes[start + 4]!]! ^
    t[512 + bytes[start + 5]!]! ^
    t[256 + bytes[start + 6]!]! ^
    t[bytes[start + 7]!]!;
  return maskCrc((crc ^ 0xffffffff) >>> 0);
}

/** TFRecord's masked CRC: rotate right by 15 and add a constant, mod 2^32. */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** The masked CRC-32C TFRecord stores after the length and after the payload. */
export function maskedCrc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return maskCrc(crc32c(bytes, start, end));
}
