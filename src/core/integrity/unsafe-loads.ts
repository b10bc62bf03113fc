/** A zero-based position in a text, as editors count (UTF-16 code units in the line). */
export interface SourcePosition {
  readonly line: number;
  readonly character: number;
}

/** A text edit: replace `start`..`end` by `newText` (an insertion when they are equal). */
export interface SourceEdit {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
  readonly newText: string;
}

/** The load functions that unpickle (and so can run code from) their input. */
export type UnsafeLoadKind =
  | 'torch.load'
  | 'pickle.load'
  | 'pickle.loads'
  | 'pickle.Unpickler'
  | 'joblib.load'
  | 'dill.load'
  | 'dill.loads'
  | 'pandas.read_pickle'
  | 'numpy.load';

/** One call in Python source that may execute code hidden in a checkpoint. */
export interface UnsafeLoad {
  /** Zero-based line of the callee name. */
  readonly line: number;
  /** Zero-based columns of the callee expression, e.g. `torch.load` or an alias like `th.load`. */
  readonly startColumn: number;
  readonly endColumn: number;
  readonly kind: UnsafeLoadKind;
  readonly message: string;
  /** A one-edit fix where one exists (only torch.load: set `weights_only=True`). */
  readonly fix?: { readonly title: string; readonly edit: SourceEdit };
}

/** Replaces comments and string contents by spaces (keeping line breaks), so code scans see code only. */
function maskNonCode(text: string): string {
  const out = text.split('');
  let i = 0;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '#') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      let j = i + quote.length;
      while (j < text.length) {
        if (text[j] === '\\') j += 2;
        else if (text.startsWith(quote, j)) break;
        else if (!triple && text[j] === '\n') break;
        else j++;
      }
      const end = Math.min(text.length, j + (text.startsWith(quote, j) ? quote.length : 0));
      blank(i + quote.length, Math.max(i + quote.length, end - (text.startsWith(quote, j) ? quote.length : 0)));
      i = end;
      continue;
    }
    i++;
  }
  return out.join('');
}

const MODULE_ROOTS: Record<string, string> = {
  torch: 'torch',
  pickle: 'pickle',
  cPickle: 'pickle',
  _pickle: 'pickle',
  joblib: 'joblib',
  dill: 'dill',
  pandas: 'pandas',
  numpy: 'numpy',
};

const TARGETS: Record<string, UnsafeLoadKind> = {
  'torch.load': 'torch.load',
  'pickle.load': 'pickle.load',
  'pickle.loads': 'pickle.loads',
  'pickle.Unpickler': 'pickle.Unpickler',
  'joblib.load': 'joblib.load',
  'dill.load': 'dill.load',
  'dill.loads': 'dill.loads',
  'pandas.read_pickle': 'pandas.read_pickle',
  'numpy.load': 'numpy.load',
};

/** Maps local names to what they import: `th` -> `torch`, `load` -> `torch.load`. */
function importAliases(code: string): Map<string, string> {
  const aliases = new Map<string, string>(Object.keys(MODULE_ROOTS).map((m) => [m, MODULE_ROOTS[m]!]));
  for (const m of code.matchAll(/^[ \t]*import[ \t]+([^\n;]+)/gm)) {
    for (const part of m[1]!.split(',')) {
      const [, mod, alias] = /^\s*([\w.]+)(?:\s+as\s+(\w+))?\s*$/.exec(part) ?? [];
      if (mod && MODULE_ROOTS[mod] && alias) aliases.set(alias, MODULE_ROOTS[mod]!);
    }
  }
  for (const m of code.matchAll(/^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([^\n;)]+)/gm)) {
    const root = MODULE_ROOTS[m[1]!];
    if (!root) continue;
    for (const part of m[2]!.split(',')) {
      const [, name, alias] = /^\s*(\w+)(?:\s+as\s+(\w+))?\s*$/.exec(part) ?? [];
      if (name) aliases.set(alias ?? name, `${root}.${name}`);
    }
  }
  return aliases;
}

/** Index of the `)` closing the `(` at `open`, or -1. */
function closingParen(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') if (--depth === 0) return c === ')' ? i : -1;
  }
  return -1;
}

/** Top-level keyword argument `name=value` inside a call's argument text, with its value's offset. */
function keywordArgument(args: string, name: string): { value: string; at: number } | undefined {
  let depth = 0;
  const re = new RegExp(`^${name}\\s*=\\s*([\\w.]+)`);
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && (i === 0 || /[\s,(]/.test(args[i - 1]!))) {
      const m = re.exec(args.slice(i));
      if (m) return { value: m[1]!, at: i + m[0].length - m[1]!.length };
    }
  }
  return undefined;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function positionAt(starts: readonly number[], offset: number): SourcePosition {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo]! };
}

const MESSAGES: Record<UnsafeLoadKind, string> = {
  'torch.load': 'torch.load without weights_only=True unpickles the file and can run code hidden in it',
  'pickle.load': 'pickle.load runs any code the pickle names; load only files you produced',
  'pickle.loads': 'pickle.loads runs any code the pickle names; load only data you produced',
  'pickle.Unpickler': 'pickle.Unpickler runs any code the pickle names unless find_class is restricted',
  'joblib.load': 'joblib.load unpickles the file and can run code hidden in it',
  'dill.load': 'dill.load unpickles the file and can run code hidden in it',
  'dill.loads': 'dill.loads unpickles the data and can run code hidden in it',
  'pandas.read_pickle': 'pandas.read_pickle unpickles the file and can run code hidden in it',
  'numpy.load': 'numpy.load with allow_pickle=True unpickles object arrays and can run code hidden in them',
};

/**
 * Finds calls in Python source that unpickle their input: torch.load without
 * `weights_only=True`, pickle/dill load(s), joblib.load, pandas.read_pickle and numpy.load with
 * `allow_pickle=True`, following `import x as y` and `from x import y` aliases and skipping
 * comments and strings. A torch.load finding carries the edit that sets `weights_only=True`.
 *
 * @example findUnsafeLoads('import torch\nsd = torch.load("m.pt")\n')[0]
 *   // { line: 1, startColumn: 5, endColumn: 15, kind: 'torch.load', fix: { edit: insert ', weights_only=True' } ... }
 */
export function findUnsafeLoads(sourceText: string): UnsafeLoad[] {
  const code = maskNonCode(sourceText);
  const aliases = importAliases(code);
  const starts = lineStarts(sourceText);
  const found: UnsafeLoad[] = [];
  for (const m of code.matchAll(/(?<![\w.])([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*\(/g)) {
    const callee = m[1]!.replace(/\s+/g, '');
    const [head, ...rest] = callee.split('.');
    const root = aliases.get(head!);
    if (!root) continue;
    const kind = TARGETS[[root, ...rest].join('.')];
    if (!kind) continue;
    const at = m.index!;
    const open = at + m[0].length - 1;
    const close = closingParen(code, open);
    const args = close < 0 ? code.slice(open + 1) : code.slice(open + 1, close);
    let fix: UnsafeLoad['fix'];
    if (kind === 'numpy.load') {
      if (keywordArgument(args, 'allow_pickle')?.value !== 'True') continue;
    } else if (kind === 'torch.load') {
      const weightsOnly = keywordArgument(args, 'weights_only');
      if (weightsOnly?.value === 'True') continue;
      if (weightsOnly?.value === 'False') {
        const from = positionAt(starts, open + 1 + weightsOnly.at);
        const to = { line: from.line, character: from.character + 5 };
        fix = { title: 'Set weights_only=True', edit: { start: from, end: to, newText: 'True' } };
      } else if (!weightsOnly && close >= 0 && !args.includes('**')) {
        const trimmed = args.trimEnd();
        const insertAt = positionAt(starts, open + 1 + trimmed.length);
        const newText = trimmed.length === 0 ? 'weights_only=True' : trimmed.endsWith(',') ? ' weights_only=True' : ', weights_only=True';
        fix = { title: 'Add weights_only=True', edit: { start: insertAt, end: insertAt, newText } };
      }
    }
    const start = positionAt(starts, at);
    const calleeEnd = positionAt(starts, at + m[1]!.length);
    found.push({
      line: start.line,
      startColumn: start.character,
      endColumn: calleeEnd.line === start.line ? calleeEnd.character : start.character + m[1]!.length,
      kind,
      message: MESSAGES[kind],
      ...(fix ? { fix } : {}),
    });
  }
  return found;
}
