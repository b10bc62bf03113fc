import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

/** One row of a Parquet file as the JSON Lines reader would see it, with its 1-based row number. */
export interface ParquetRecord {
  readonly record: Record<string, unknown>;
  readonly row: number;
}

/** Thrown when a file is not a readable Parquet file at all (no footer, no schema). */
export class ParquetFileError extends Error {
  override readonly name = 'ParquetFileError';
}

/**
 * JSON's view of a Parquet value: 64-bit integers as numbers (as text past 2^53), timestamps
 * (int96 and every unit) as ISO 8601 text, bytes as base64, lists and structs recursively.
 */
function jsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
  if (typeof v !== 'object') return v;
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.toISOString() : null;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64');
  if (Array.isArray(v)) return v.map(jsonValue);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>, jsonValue);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = jsonValue(x);
  return out;
}

/**
 * Reads a Parquet file a row group at a time (memory holds one group's columns), giving each
 * group's rows as records; a group that cannot be decoded is reported with its row range and
 * skipped, and the other groups are still read.
 */
export async function* parquetRecords(path: string, onBadGroup: (message: string) => void, signal?: AbortSignal): AsyncGenerator<ParquetRecord[]> {
  const file = await asyncBufferFromFile(path);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new ParquetFileError(`${path}: not a complete Parquet file, its footer (which holds the schema) cannot be read: ${(e as Error).message}; truncated?`);
  }
  let first = 0;
  for (const [g, group] of metadata.row_groups.entries()) {
    signal?.throwIfAborted();
    const rows = Number(group.num_rows);
    const rowStart = first;
    first += rows;
    let read: Record<string, unknown>[] = [];
    try {
      await parquetRead({ file, metadata, compressors, rowStart, rowEnd: rowStart + rows, rowFormat: 'object', onComplete: (r) => (read = r) });
    } catch (e) {
      onBadGroup(`${path}: row group ${g} (rows ${rowStart + 1}-${rowStart + rows}) cannot be decoded (${(e as Error).message}); its rows are skipped`);
      continue;
    }
    yield read.map((r, i) => ({ record: jsonValue(r) as Record<string, unknown>, row: rowStart + i + 1 }));
  }
}
