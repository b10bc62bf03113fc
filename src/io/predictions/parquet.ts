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
    const columns = new Map<string, ArrayLike<unknown>>();
    try {
      // Columns as decoded (onChunk): hyparquet's own row objects cost 5x the decoding itself.
      await parquetRead({
        file,
        metadata,
        compressors,
        rowStart,
        rowEnd: rowStart + rows,
        onChunk: ({ columnName, columnData, rowStart: at }) => {
          // The usual case, one chunk for the whole group, is used as it is.
          if (at === rowStart && columnData.length === rows && !columns.has(columnName)) return void columns.set(columnName, columnData as unknown as unknown[]);
          let column = columns.get(columnName);
          if (!column || !Array.isArray(column)) {
            const copy = new Array<unknown>(rows);
            for (let i = 0; column && i < column.length; i++) copy[i] = column[i];
            columns.set(columnName, (column = copy));
          }
          for (let i = 0; i < columnData.length; i++) {
            const r = at - rowStart + i;
            if (r >= 0 && r < rows) (column as unknown[])[r] = columnData[i];
          }
        },
      });
    } catch (e) {
      onBadGroup(`${path}: row group ${g} (rows ${rowStart + 1}-${rowStart + rows}) cannot be decoded (${(e as Error).message}); its rows are skipped`);
      continue;
    }
    yield rowsOf(columns, rows, rowStart);
  }
}

type RowBuilder = (data: readonly ArrayLike<unknown>[], r: number, convert: (v: unknown) => unknown) => Record<string, unknown>;

/**
 * A function that builds one row as an object literal with the columns' keys in order, so every
 * row shares one hidden class; keyed stores in a loop made each row a dictionary, and building
 * the rows took longer than decoding the columns. Names enter the code only as JSON strings.
 */
function rowBuilder(names: readonly string[], plain: readonly boolean[]): RowBuilder {
  const fields = names.map((n, c) => `${JSON.stringify(n)}: ${plain[c] ? `d[${c}][r] ?? null` : `convert(d[${c}][r])`}`);
  return new Function('d', 'r', 'convert', `return { ${fields.join(', ')} };`) as RowBuilder;
}

/** Rows from a group's columns, each column's conversion chosen once from its values' type. */
function rowsOf(columns: Map<string, ArrayLike<unknown>>, rows: number, rowStart: number): ParquetRecord[] {
  const names = [...columns.keys()];
  const data = names.map((n) => columns.get(n)!);
  const plain = data.map((column) => Array.prototype.every.call(column, (v: unknown) => v === null || v === undefined || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean'));
  const build = rowBuilder(names, plain);
  const out: ParquetRecord[] = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = { record: build(data, r, jsonValue), row: rowStart + r + 1 };
  return out;
}
