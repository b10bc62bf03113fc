import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';

/** How a log file's bytes are stored, told by its first bytes (never by its name). */
export type Container = 'plain' | 'gzip' | 'zstd' | 'parquet';

const GZIP = [0x1f, 0x8b, 0x08];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
const PARQUET = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

const startsWith = (head: Uint8Array, magic: number[]) => magic.every((b, i) => head[i] === b);

/** The container of a file, from its first four bytes. */
export async function containerOf(path: string): Promise<Container> {
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(4);
    await fh.read(head, 0, 4, 0);
    if (startsWith(head, PARQUET)) return 'parquet';
    if (startsWith(head, GZIP)) return 'gzip';
    if (startsWith(head, ZSTD)) return 'zstd';
    return 'plain';
  } finally {
    await fh.close();
  }
}

/** A stretch of compressed data that could not be decoded; decoding resumes at the next member. */
export interface CorruptStretch {
  readonly offset: number;
  readonly resumedAt: number | undefined;
  readonly reason: string;
}

/** Marks where decoding resumed after a corrupt stretch: the text before it ends its line there. */
export const RESUMED = Symbol('resumed');

/**
 * The decompressed bytes of a plain, gzip or zstd file, streamed (memory holds one chunk).
 * A corrupt gzip member or zstd frame is reported to `onCorrupt`, and reading resumes at the next
 * member or frame found after it, so the rows of every intact member are kept. A member that
 * starts inside the chunk that failed may be skipped with it (chunks are 64 KiB of compressed data).
 */
export async function* logBytes(path: string, container: Exclude<Container, 'parquet'>, onCorrupt: (c: CorruptStretch) => void, signal?: AbortSignal): AsyncGenerator<Buffer | typeof RESUMED> {
  const opts = (start: number) => ({ start, highWaterMark: 1 << 16, ...(signal ? { signal } : {}) });
  if (container === 'plain') {
    for await (const chunk of createReadStream(path, opts(0))) yield chunk as Buffer;
    return;
  }
  const magic = container === 'gzip' ? GZIP : ZSTD;
  let start = 0;
  for (;;) {
    let consumed = 0;
    try {
      if (container === 'gzip') {
        // 256 KiB out at a time, not zlib's 16 KiB: each chunk costs a decode, a split and a trip
        // through the async iterator, which at 16 KiB took a third of reading gzip JSON Lines.
        const gunzip = createGunzip({ chunkSize: 1 << 18 });
        const raw = createReadStream(path, opts(start));
        raw.on('error', (e) => gunzip.destroy(e));
        // bytesWritten: compressed bytes taken in before the failing chunk (see the doc above).
        try {
          for await (const out of raw.pipe(gunzip)) yield out as Buffer;
        } finally {
          consumed = gunzip.bytesWritten;
        }
      } else {
        for await (const out of zstdStream(createReadStream(path, opts(start)), (n) => (consumed = n))) yield out;
      }
      return;
    } catch (e) {
      if (signal?.aborted) throw e;
      const failedAt = start + consumed;
      const next = await findMagic(path, Math.max(failedAt, start + 1), magic);
      onCorrupt({ offset: failedAt, resumedAt: next, reason: (e as Error).message || String(e) });
      if (next === undefined) return;
      yield RESUMED;
      start = next;
    }
  }
}

/** Zstandard frames decoded as they stream in (fzstd: Node 20's zlib has no zstd). */
async function* zstdStream(raw: AsyncIterable<unknown>, consumedBefore: (n: number) => void): AsyncGenerator<Buffer> {
  const outs: Uint8Array[] = [];
  const z = new ZstdDecompress((chunk) => outs.push(chunk));
  let consumed = 0;
  for await (const chunk of raw) {
    consumedBefore(consumed);
    z.push(chunk as Uint8Array);
    consumed += (chunk as Uint8Array).length;
    for (const o of outs.splice(0)) yield Buffer.from(o.buffer, o.byteOffset, o.length);
  }
  consumedBefore(consumed);
  z.push(new Uint8Array(0), true);
  for (const o of outs.splice(0)) yield Buffer.from(o.buffer, o.byteOffset, o.length);
}

/** Offset of the first `magic` at or after `from`, scanning in 1 MiB pieces. */
async function findMagic(path: string, from: number, magic: number[]): Promise<number | undefined> {
  const fh = await open(path, 'r');
  try {
    const piece = Buffer.alloc(1 << 20);
    for (let at = from; ; ) {
      const { bytesRead } = await fh.read(piece, 0, piece.length, at);
      if (bytesRead < magic.length) return undefined;
      const i = piece.subarray(0, bytesRead).indexOf(Buffer.from(magic));
      if (i >= 0) return at + i;
      at += bytesRead - magic.length + 1;
    }
  } finally {
    await fh.close();
  }
}
