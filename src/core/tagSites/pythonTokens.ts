/**
 * Just enough of Python's lexical grammar to find logging calls: names, string literals
 * (with prefixes and triple quotes), numbers and single-character operators, each with its
 * 0-based line and column. Comments are dropped, so a call inside a comment or a docstring
 * never looks like a call.
 */
export type PythonTokenKind = 'name' | 'string' | 'number' | 'op';

export interface PythonToken {
  readonly kind: PythonTokenKind;
  /** The source text of the token (for strings: prefix and quotes included). */
  readonly text: string;
  /** For strings: the decoded value without prefix or quotes. */
  readonly value?: string;
  /** For strings: the lower-cased prefix (`''`, `'r'`, `'f'`, `'rb'` ...). */
  readonly prefix?: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

const STRING_PREFIX = /^(?:[rRuUbBfF]|[rR][bBfF]|[bBfF][rR])$/;
const NAME_START = /[A-Za-z_\u00c0-\uffff]/;
const NAME_PART = /[A-Za-z0-9_\u00c0-\uffff]/;
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/** Splits Python source into tokens. Never throws: an unterminated string runs to the end. */
export function tokenizePython(source: string): PythonToken[] {
  const tokens: PythonToken[] = [];
  let i = 0;
  let line = 0;
  let column = 0;
  const advance = (to: number): void => {
    for (; i < to; i++) {
      if (source.charCodeAt(i) === 10) {
        line++;
        column = 0;
      } else column++;
    }
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '#') {
      const end = source.indexOf('\n', i);
      advance(end < 0 ? source.length : end);
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\\') {
      advance(i + 1);
      continue;
    }
    const startLine = line;
    const startColumn = column;
    if (NAME_START.test(ch)) {
      let end = i + 1;
      while (end < source.length && NAME_PART.test(source[end]!)) end++;
      const word = source.slice(i, end);
      const next = source[end];
      if ((next === '"' || next === "'") && STRING_PREFIX.test(word)) {
        const literal = readString(source, end);
        const text = source.slice(i, literal.end);
        advance(literal.end);
        tokens.push({ kind: 'string', text, value: decode(literal.body, word.toLowerCase()), prefix: word.toLowerCase(), line: startLine, column: startColumn, endLine: line, endColumn: column });
        continue;
      }
      advance(end);
      tokens.push({ kind: 'name', text: word, line: startLine, column: startColumn, endLine: line, endColumn: column });
      continue;
    }
    if (ch === '"' || ch === "'") {
      const literal = readString(source, i);
      const text = source.slice(i, literal.end);
      advance(literal.end);
      tokens.push({ kind: 'string', text, value: decode(literal.body, ''), prefix: '', line: startLine, column: startColumn, endLine: line, endColumn: column });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      let end = i + 1;
      while (end < source.length && /[0-9A-Za-z_.]/.test(source[end]!)) end++;
      const text = source.slice(i, end);
      advance(end);
      tokens.push({ kind: 'number', text, line: startLine, column: startColumn, endLine: line, endColumn: column });
      continue;
    }
    advance(i + 1);
    tokens.push({ kind: 'op', text: ch, line: startLine, column: startColumn, endLine: line, endColumn: column });
  }
  return tokens;
}

function readString(source: string, quoteAt: number): { body: string; end: number } {
  const quote = source[quoteAt]!;
  const triple = source.startsWith(quote.repeat(3), quoteAt);
  const delimiter = triple ? quote.repeat(3) : quote;
  let j = quoteAt + delimiter.length;
  while (j < source.length) {
    const c = source[j]!;
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (!triple && c === '\n') break; // unterminated single-line string: stop at the line end
    if (source.startsWith(delimiter, j)) {
      return { body: source.slice(quoteAt + delimiter.length, j), end: j + delimiter.length };
    }
    j++;
  }
  return { body: source.slice(quoteAt + delimiter.length, Math.min(j, source.length)), end: Math.min(j, source.length) };
}

function decode(body: string, prefix: string): string {
  if (prefix.includes('r')) return body;
  return body.replace(/\\(.)/gs, (whole, c: string) => SIMPLE_ESCAPES[c] ?? (c === '\n' ? '' : whole));
}
