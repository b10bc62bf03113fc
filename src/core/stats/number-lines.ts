const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses text holding one decimal number per line (blank lines skipped, surrounding spaces and a
 * trailing CR ignored). Throws a RangeError naming `source` and the 1-based line of the first
 * value that is not a finite decimal number, or saying the input holds no numbers.
 *
 * @example
 * parseNumberLines('1\n\n2.5\n', 'scores.txt'); // Float64Array [1, 2.5]
 */
export function parseNumberLines(text: string, source: string): Float64Array {
  const out: number[] = [];
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    const v = DECIMAL.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(v)) {
      // Control characters from binary input would drive the user's terminal.
      const shown = (raw.length > 40 ? `${raw.slice(0, 40)}...` : raw).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
      throw new RangeError(`${source}, line ${line}: '${shown}' is not a number`);
    }
    out.push(v);
  }
  if (out.length === 0) throw new RangeError(`${source} holds no numbers`);
  return Float64Array.from(out);
}

/**
 * Parses a contingency table written as rows separated by ';' and cells by ','
 * (`"50,30,20;30,45,25"`); throws a RangeError naming the row and column of a bad cell.
 */
export function parseTable(text: string): number[][] {
  const rows = text.split(';').map((r) => r.trim());
  if (rows.length === 0 || rows.every((r) => r === '')) throw new RangeError('table is empty');
  return rows.map((row, r) =>
    row.split(',').map((cell, c) => {
      const t = cell.trim();
      const v = DECIMAL.test(t) ? Number(t) : NaN;
      if (!Number.isFinite(v) || v < 0) {
        throw new RangeError(`table row ${r + 1}, column ${c + 1}: '${t}' is not a non-negative number`);
      }
      return v;
    }),
  );
}
