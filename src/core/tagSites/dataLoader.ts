import { tokenizePython, type PythonToken } from './pythonTokens';

/** A 0-based span of source text (VS Code's convention: columns in UTF-16 code units). */
export interface SourceSpan {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** What a call says about one of DataLoader's parameters. */
export type LoaderArgument =
  | { readonly state: 'missing' }
  /** A number or `True`/`False`, given by keyword or by position. */
  | { readonly state: 'literal'; readonly value: number | boolean; readonly span: SourceSpan }
  /** Anything else (`args.workers`, `os.cpu_count()`): its value is known only at run time. */
  | { readonly state: 'expression'; readonly text: string; readonly span: SourceSpan };

/**
 * One `DataLoader(...)` call in Python source. The span is the called name as written
 * (`DataLoader`, or `torch.utils.data.DataLoader` whole), which is where a problem is shown.
 */
export interface DataLoaderCall extends SourceSpan {
  /** The called name as written. */
  readonly call: string;
  /** The name the loader is assigned to (`train_loader`, `self.val_loader`), or `''`. */
  readonly target: string;
  readonly numWorkers: LoaderArgument;
  readonly pinMemory: LoaderArgument;
  /** `shuffle=True` or `False` when given as a literal; training loaders shuffle. */
  readonly shuffle: boolean | undefined;
  /** `*args` or `**kwargs` in the call: any parameter may come from there. */
  readonly unpacked: boolean;
}

/** DataLoader's positional parameters in torch.utils.data (2.x) order, up to pin_memory. */
const POSITIONS = { shuffle: 2, num_workers: 5, pin_memory: 7 } as const;

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);

/**
 * Finds every `DataLoader(...)` call of Python `source` (bare, or dotted as
 * `torch.utils.data.DataLoader`), calls spread over many lines included, with what each says
 * about `num_workers`, `pin_memory` and `shuffle`. Definitions (`def DataLoader`, `class X(DataLoader)`)
 * and calls inside comments or strings are not calls.
 *
 * @example
 * findDataLoaders('train_loader = DataLoader(ds, batch_size=64, num_workers=0)')
 * // [{ call: 'DataLoader', target: 'train_loader', line: 0, column: 15, numWorkers: { state: 'literal', value: 0, ... }, ... }]
 */
export function findDataLoaders(source: string): DataLoaderCall[] {
  const tokens = tokenizePython(source);
  const calls: DataLoaderCall[] = [];
  for (let k = 0; k < tokens.length - 1; k++) {
    const name = tokens[k]!;
    if (name.kind !== 'name' || name.text !== 'DataLoader' || !isOp(tokens[k + 1], '(')) continue;
    const before = tokens[k - 1];
    if (before?.kind === 'name' && (before.text === 'def' || before.text === 'class')) continue;
    const first = dottedStart(tokens, k);
    const args = callArguments(tokens, k + 1);
    const positional = args.filter((a) => a.keyword === undefined && !a.star);
    const argument = (keyword: keyof typeof POSITIONS): LoaderArgument => {
      const a = args.find((x) => x.keyword === keyword) ?? positional[POSITIONS[keyword]];
      return a ? valueOf(tokens, a.start, a.end, source) : { state: 'missing' };
    };
    const shuffle = argument('shuffle');
    calls.push({
      call: tokens.slice(first, k + 1).map((t) => t.text).join(''),
      target: targetBefore(tokens, first),
      line: tokens[first]!.line,
      column: tokens[first]!.column,
      endLine: name.endLine,
      endColumn: name.endColumn,
      numWorkers: argument('num_workers'),
      pinMemory: argument('pin_memory'),
      shuffle: shuffle.state === 'literal' && typeof shuffle.value === 'boolean' ? shuffle.value : undefined,
      unpacked: args.some((a) => a.star),
    });
  }
  return calls;
}

/**
 * The loaders that feed training, where a script has several: those assigned to a name with
 * `train` in it, else those that shuffle, else all of them (a validation loader rarely shuffles).
 */
export function trainingLoaders(calls: readonly DataLoaderCall[]): DataLoaderCall[] {
  const named = calls.filter((c) => /train/i.test(c.target));
  if (named.length) return named;
  const shuffled = calls.filter((c) => c.shuffle === true);
  return shuffled.length ? shuffled : [...calls];
}

/**
 * Whether a script runs on CUDA as far as its source tells: it names `cuda` (`torch.cuda`,
 * `.cuda()`) or a device string starting with `cuda` (`"cuda"`, `"cuda:1"`). Pinned memory
 * only speeds up copies to a CUDA device.
 */
export function usesCuda(source: string): boolean {
  return tokenizePython(source).some((t) => (t.kind === 'name' && t.text === 'cuda') || (t.kind === 'string' && /^cuda\b/.test(t.value ?? '')));
}

/** One text change: the span's text becomes `newText` (an empty span inserts). */
export interface SourceEdit {
  readonly span: SourceSpan;
  readonly newText: string;
}

/** What a DataLoader fix sets. */
export interface DataLoaderFixOptions {
  /** Worker processes to start: an integer >= 1 (the editor uses min(CPU count, 8)). */
  readonly workers: number;
  /** Also pin host memory (`pin_memory=True`): only worth it when the batches go to a CUDA device. */
  readonly pinMemory: boolean;
}

/** A quick fix for one DataLoader call: its title and the edits that make it. */
export interface DataLoaderFix {
  readonly title: string;
  readonly edits: readonly SourceEdit[];
}

/**
 * The edit that gives the `DataLoader(` call starting on `line` of `source` worker processes:
 * `num_workers=0` becomes `num_workers=N`, a missing `num_workers` is added (on a line of its
 * own, indented like the others, when the call has one argument a line), and with
 * `options.pinMemory` `pin_memory=True` is set too. Undefined when there is no such call, when
 * `num_workers` is already above 0 or computed at run time, or when `*args`/`**kwargs` may
 * already carry it.
 *
 * @example
 * dataLoaderFix('DataLoader(ds, num_workers=0)', 0, { workers: 4, pinMemory: false })
 * // { title: 'Set num_workers=4', edits: [{ span: { line: 0, column: 27, endLine: 0, endColumn: 28 }, newText: '4' }] }
 */
export function dataLoaderFix(source: string, line: number, options: DataLoaderFixOptions): DataLoaderFix | undefined {
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new RangeError(`dataLoaderFix: workers must be an integer >= 1, got ${options.workers}`);
  }
  const call = findDataLoaders(source).find((c) => c.line === line);
  if (!call || call.unpacked) return undefined;
  const workers = call.numWorkers;
  if (workers.state === 'expression' || (workers.state === 'literal' && workers.value !== 0)) return undefined;
  const pin = call.pinMemory;
  const setPin = options.pinMemory && (pin.state === 'missing' || (pin.state === 'literal' && pin.value !== true));
  const edits: SourceEdit[] = [];
  const added: string[] = [];
  if (workers.state === 'literal') edits.push({ span: workers.span, newText: String(options.workers) });
  else added.push(`num_workers=${options.workers}`);
  if (setPin && pin.state === 'literal') edits.push({ span: pin.span, newText: 'True' });
  else if (setPin) added.push('pin_memory=True');
  if (added.length) edits.push(...insertKeywords(source, call, added));
  const title = `Set num_workers=${options.workers}${setPin ? ' and pin_memory=True' : ''}`;
  return { title, edits };
}

/** Edits that append keyword arguments to a call, in the layout the call already has. */
function insertKeywords(source: string, call: DataLoaderCall, keywords: readonly string[]): SourceEdit[] {
  const tokens = tokenizePython(source);
  const open = tokens.findIndex((t) => t.kind === 'name' && t.endLine === call.endLine && t.endColumn === call.endColumn) + 1;
  const close = skipGroup(tokens, open) - 1;
  const closeToken = tokens[close]!;
  const args = callArguments(tokens, open);
  const at = (line: number, column: number): SourceSpan => ({ line, column, endLine: line, endColumn: column });
  const last = args[args.length - 1];
  if (!last || !isOp(closeToken, ')')) return [{ span: at(closeToken.line, closeToken.column), newText: keywords.join(', ') }];
  const lastToken = tokens[last.end - 1]!;
  const comma = isOp(tokens[last.end], ',') && last.end < close ? tokens[last.end]! : undefined;
  const afterArgs = tokens[last.end + (comma ? 1 : 0)]!;
  const lines = source.split('\n');
  const firstOfLast = tokens[last.first]!;
  // One argument a line: the last one starts its line, and nothing but a comment follows it there.
  const ownLine = tokens[last.first - 1]!.line < firstOfLast.line;
  if (ownLine) {
    const lead = (lines[firstOfLast.line] ?? '').slice(0, firstOfLast.column);
    const indent = /^\s*$/.test(lead) ? lead : ' '.repeat(firstOfLast.column);
    const tail = comma ?? lastToken;
    const block = keywords.map((k) => `\n${indent}${k}`).join(',');
    if (afterArgs.line > tail.line) {
      // Added after any comment at the end of that line, so the comment stays with its argument.
      const eol = (lines[tail.line] ?? '').replace(/\r$/, '').length;
      const text = comma ? `${block},` : block;
      return comma ? [{ span: at(tail.line, eol), newText: text }] : [{ span: at(tail.line, tail.endColumn), newText: ',' }, { span: at(tail.line, eol), newText: text }];
    }
    return [{ span: at(tail.endLine, tail.endColumn), newText: comma ? `${block},` : `,${block}` }];
  }
  if (comma) return [{ span: at(comma.endLine, comma.endColumn), newText: ` ${keywords.join(', ')},` }];
  return [{ span: at(lastToken.endLine, lastToken.endColumn), newText: `, ${keywords.join(', ')}` }];
}

interface Argument {
  readonly keyword?: string;
  /** `*args` or `**kwargs`. */
  readonly star: boolean;
  /** Token range [start, end) of the value; `first` is the argument's first token (its keyword's). */
  readonly start: number;
  readonly end: number;
  readonly first: number;
}

function isOp(t: PythonToken | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'op' && t.text === text;
}

/** Index just past the bracket group opening at `open` (the token count when unbalanced). */
function skipGroup(tokens: readonly PythonToken[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'op') continue;
    if (OPENERS.has(t.text)) depth++;
    else if (CLOSERS.has(t.text) && --depth === 0) return k + 1;
  }
  return tokens.length;
}

/** The top-level arguments of the call whose `(` is at `open`. */
function callArguments(tokens: readonly PythonToken[], open: number): Argument[] {
  const close = skipGroup(tokens, open) - 1;
  const args: Argument[] = [];
  let from = open + 1;
  const push = (end: number): void => {
    if (end <= from) return;
    const first = tokens[from]!;
    if (isOp(first, '*')) {
      args.push({ star: true, start: from, end, first: from });
    } else if (first.kind === 'name' && isOp(tokens[from + 1], '=') && !isOp(tokens[from + 2], '=')) {
      args.push({ keyword: first.text, star: false, start: from + 2, end, first: from });
    } else {
      args.push({ star: false, start: from, end, first: from });
    }
  };
  for (let k = open + 1; k < close; ) {
    const t = tokens[k]!;
    if (t.kind === 'op' && OPENERS.has(t.text)) {
      k = skipGroup(tokens, k);
      continue;
    }
    if (isOp(t, ',')) {
      push(k);
      from = k + 1;
    }
    k++;
  }
  push(close);
  return args;
}

function valueOf(tokens: readonly PythonToken[], start: number, end: number, source: string): LoaderArgument {
  const first = tokens[start]!;
  const last = tokens[end - 1]!;
  const span: SourceSpan = { line: first.line, column: first.column, endLine: last.endLine, endColumn: last.endColumn };
  if (end - start === 1 && first.kind === 'number' && /^\d+$/.test(first.text)) return { state: 'literal', value: Number(first.text), span };
  if (end - start === 1 && first.kind === 'name' && (first.text === 'True' || first.text === 'False')) return { state: 'literal', value: first.text === 'True', span };
  return { state: 'expression', text: textOf(source, span), span };
}

function textOf(source: string, span: SourceSpan): string {
  const lines = source.split('\n').slice(span.line, span.endLine + 1);
  if (lines.length === 1) return lines[0]!.slice(span.column, span.endColumn);
  lines[0] = lines[0]!.slice(span.column);
  lines[lines.length - 1] = lines[lines.length - 1]!.slice(0, span.endColumn);
  return lines.join('\n');
}

/** Index of the first name of the dotted name ending at `k` (`torch` of `torch.utils.data.DataLoader`). */
function dottedStart(tokens: readonly PythonToken[], k: number): number {
  let first = k;
  while (isOp(tokens[first - 1], '.') && tokens[first - 2]?.kind === 'name') first -= 2;
  return first;
}

/** `train_loader` of `train_loader = DataLoader(`, `self.val` of `self.val = ...`; else `''`. */
function targetBefore(tokens: readonly PythonToken[], first: number): string {
  if (!isOp(tokens[first - 1], '=') || tokens[first - 2]?.kind !== 'name') return '';
  const start = dottedStart(tokens, first - 2);
  return tokens.slice(start, first - 1).map((t) => t.text).join('');
}
