import { tokenizePython, type PythonToken } from './pythonTokens';
import { fStringHead } from './scan';
import { normalizePath } from './paths';

/** The event-file writers Model Monitor reads the log directory of. */
export type LogWriterApi = 'SummaryWriter' | 'TensorBoardLogger' | 'create_file_writer' | 'keras.TensorBoard' | 'Trainer';

/**
 * Where a script writes TensorBoard event files, as far as its source tells: relative to the
 * directory the script runs in, or absolute. Positions (0-based) are the writer call's name.
 */
export interface LogWriter {
  readonly api: LogWriterApi;
  /** `/`-separated; ends with `/` when it is a folder that `prefix` runs live under. */
  readonly dir: string;
  /** True when only the start is known (an f-string, `SummaryWriter()`'s `runs/<datetime>_<host>`). */
  readonly prefix: boolean;
  readonly line: number;
  readonly column: number;
}

/** A path expression's value: exact, or only its start. */
interface PathValue {
  readonly text: string;
  readonly prefix: boolean;
}

/** `None` in Python: the writer's default applies. */
const NONE = Symbol('None');
type Value = PathValue | number | typeof NONE;

interface Argument {
  readonly keyword?: string;
  readonly start: number;
  readonly end: number;
}

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);
const MAX_DEPTH = 8;

/**
 * Finds the writers of Python `source` and resolves their log directories from string literals,
 * `os.path.join`, `Path(...) / ...`, `+`, f-strings (a prefix), variables assigned once, argparse
 * defaults (`add_argument("--logdir", default="runs/x")` then `SummaryWriter(args.logdir)`) and
 * `os.environ.get(name, default)`. A writer whose directory cannot be told is left out.
 *
 * @example
 * findLogWriters('w = SummaryWriter(log_dir=os.path.join("runs", "exp1"))')
 * // [{ api: 'SummaryWriter', dir: 'runs/exp1', prefix: false, line: 0, column: 4 }]
 */
export function findLogWriters(source: string): LogWriter[] {
  const tokens = tokenizePython(source);
  const scope = new Scope(tokens);
  const writers: LogWriter[] = [];
  for (let k = 0; k < tokens.length - 1; k++) {
    const name = tokens[k]!;
    if (name.kind !== 'name' || !isOp(tokens[k + 1], '(')) continue;
    const before = tokens[k - 1];
    if (before?.kind === 'name' && (before.text === 'def' || before.text === 'class')) continue;
    const receiver = before && isOp(before, '.') ? tokens[k - 2]?.text ?? '' : '';
    const args = callArguments(tokens, k + 1);
    const at = { line: name.line, column: name.column };
    const found = writerOf(name.text, receiver, args, scope, tokens);
    if (found) writers.push({ ...found, dir: found.prefix ? found.dir : normalizePath(found.dir), ...at });
  }
  return writers;
}

function writerOf(callee: string, receiver: string, args: readonly Argument[], scope: Scope, tokens: readonly PythonToken[]): Omit<LogWriter, 'line' | 'column'> | undefined {
  const arg = (keywords: readonly string[], position: number): Value | undefined => {
    const a = args.find((x) => x.keyword !== undefined && keywords.includes(x.keyword)) ?? args.filter((x) => x.keyword === undefined)[position];
    return a ? scope.evaluate(a.start, a.end, 0) : undefined;
  };
  const given = (keywords: readonly string[], position: number): boolean =>
    args.some((x) => x.keyword !== undefined && keywords.includes(x.keyword)) || args.filter((x) => x.keyword === undefined).length > position;
  switch (callee) {
    case 'SummaryWriter': {
      // torch.utils.tensorboard and tensorboardX: no directory means runs/<datetime>_<host>.
      if (!given(['log_dir', 'logdir'], 0)) return { api: 'SummaryWriter', dir: 'runs/', prefix: true };
      const dir = arg(['log_dir', 'logdir'], 0);
      if (dir === NONE) return { api: 'SummaryWriter', dir: 'runs/', prefix: true };
      return pathWriter('SummaryWriter', dir);
    }
    case 'TensorBoardLogger': {
      // Lightning: save_dir/name/version_N, name defaulting to lightning_logs; "" or None drops it.
      const saveDir = arg(['save_dir', 'root_dir'], 0);
      if (!isPath(saveDir)) return undefined;
      const name = given(['name'], 1) ? arg(['name'], 1) : { text: 'lightning_logs', prefix: false };
      if (name !== NONE && !isPath(name)) return undefined;
      let dir: PathValue = saveDir;
      if (name !== NONE && name.text !== '') dir = joinValues(dir, name);
      const version = given(['version'], 2) ? arg(['version'], 2) : NONE;
      if (version === undefined) return undefined;
      if (version !== NONE && !dir.prefix) dir = joinValues(dir, typeof version === 'number' ? { text: `version_${version}`, prefix: false } : version);
      return pathWriter('TensorBoardLogger', dir);
    }
    case 'create_file_writer':
      return receiver === 'summary' ? pathWriter('create_file_writer', arg(['logdir'], 0)) : undefined;
    case 'TensorBoard':
      if (receiver !== 'callbacks' && receiver !== '') return undefined;
      return pathWriter('keras.TensorBoard', given(['log_dir'], 0) ? arg(['log_dir'], 0) : { text: 'logs', prefix: false });
    case 'Trainer': {
      // Lightning's Trainer without a logger writes default_root_dir/lightning_logs/version_N.
      if (!tokens.some((t) => t.kind === 'name' && /lightning/.test(t.text))) return undefined;
      if (args.some((a) => a.keyword === 'logger')) return undefined;
      const root = given(['default_root_dir'], 99) ? arg(['default_root_dir'], 99) : { text: '.', prefix: false };
      return isPath(root) ? pathWriter('Trainer', joinValues(root, { text: 'lightning_logs', prefix: false })) : undefined;
    }
    default:
      return undefined;
  }
}

function pathWriter(api: LogWriterApi, value: Value | undefined): Omit<LogWriter, 'line' | 'column'> | undefined {
  if (!isPath(value)) return undefined;
  const dir = value.text.replace(/\\/g, '/');
  // f"{out}/tb" says nothing about where it writes.
  if (value.prefix && /^(?:\.\/?)?$/.test(dir)) return undefined;
  return { api, dir, prefix: value.prefix };
}

function isPath(v: Value | undefined): v is PathValue {
  return v !== undefined && v !== NONE && typeof v !== 'number';
}

function joinValues(a: PathValue, b: PathValue): PathValue {
  if (a.prefix) return a;
  if (/^(?:[A-Za-z]:)?[\\/]/.test(b.text)) return b;
  return { text: a.text === '' ? b.text : `${a.text.replace(/[\\/]+$/, '')}/${b.text}`, prefix: b.prefix };
}

function concatValues(a: PathValue, b: PathValue | undefined): PathValue {
  if (a.prefix) return a;
  return b ? { text: a.text + b.text, prefix: b.prefix } : { text: a.text, prefix: true };
}

function isOp(t: PythonToken | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'op' && t.text === text;
}

/** Index just past the bracket group opening at `open`. */
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

/** Top-level argument ranges of the call whose `(` is at `open`. */
function callArguments(tokens: readonly PythonToken[], open: number): Argument[] {
  const close = skipGroup(tokens, open) - 1;
  return splitTopLevel(tokens, open + 1, close, ',').map(({ start, end }) => {
    const first = tokens[start];
    if (first?.kind === 'name' && isOp(tokens[start + 1], '=') && !isOp(tokens[start + 2], '=')) return { keyword: first.text, start: start + 2, end };
    return { start, end };
  }).filter((a) => a.end > a.start);
}

/** Ranges of [start, end) separated by the operator `separator` outside brackets. */
function splitTopLevel(tokens: readonly PythonToken[], start: number, end: number, separator: string): { start: number; end: number }[] {
  const parts: { start: number; end: number }[] = [];
  let from = start;
  for (let k = start; k < end; ) {
    const t = tokens[k]!;
    if (t.kind === 'op' && OPENERS.has(t.text)) {
      k = skipGroup(tokens, k);
      continue;
    }
    if (isOp(t, separator)) {
      parts.push({ start: from, end: k });
      from = k + 1;
    }
    k++;
  }
  parts.push({ start: from, end });
  return parts;
}

/** Names a script assigns and the argparse options it declares, evaluated on demand. */
class Scope {
  /** name -> token ranges of the expressions assigned to it, in source order. */
  private readonly assignments = new Map<string, { start: number; end: number }[]>();
  /** argparse dest -> the `default=` expression's range. */
  private readonly options = new Map<string, { start: number; end: number }>();

  constructor(private readonly tokens: readonly PythonToken[]) {
    for (let k = 0; k < tokens.length - 2; k++) {
      const t = tokens[k]!;
      if (t.kind !== 'name') continue;
      const next = tokens[k + 1];
      if (isOp(next, '(') && t.text === 'add_argument' && isOp(tokens[k - 1], '.')) this.declareOption(k + 1);
      // `name = expr` at the start of a statement (not a keyword argument, not `==`).
      const prev = tokens[k - 1];
      const startsStatement = !prev || prev.line < t.line || isOp(prev, ';');
      if (startsStatement && isOp(next, '=') && !isOp(tokens[k + 2], '=')) {
        const end = this.statementEnd(k + 2);
        const list = this.assignments.get(t.text) ?? [];
        list.push({ start: k + 2, end });
        this.assignments.set(t.text, list);
      }
    }
  }

  /** Evaluates the expression in [start, end) as a path, a number or None. */
  evaluate(start: number, end: number, depth: number): Value | undefined {
    if (depth > MAX_DEPTH || end <= start) return undefined;
    const tokens = this.tokens;
    const slashes = splitTopLevel(tokens, start, end, '/');
    if (slashes.length > 1) return this.fold(slashes, depth, joinValues);
    const pluses = splitTopLevel(tokens, start, end, '+');
    if (pluses.length > 1) {
      const first = this.evaluate(pluses[0]!.start, pluses[0]!.end, depth + 1);
      if (!isPath(first)) return undefined;
      return pluses.slice(1).reduce<PathValue>((acc, p) => {
        const v = this.evaluate(p.start, p.end, depth + 1);
        return concatValues(acc, isPath(v) ? v : undefined);
      }, first);
    }
    const first = tokens[start]!;
    if (first.kind === 'string') return this.strings(start, end);
    if (first.kind === 'number' && end - start === 1) return Number.isInteger(Number(first.text)) ? Number(first.text) : undefined;
    if (isOp(first, '(') && skipGroup(tokens, start) === end) return this.evaluate(start + 1, end - 1, depth + 1);
    if (first.kind !== 'name') return undefined;
    if (first.text === 'None' && end - start === 1) return NONE;
    // A dotted name, possibly called: os.path.join(...), Path(...), args.logdir.
    let k = start;
    const names = [first.text];
    while (isOp(tokens[k + 1], '.') && tokens[k + 2]?.kind === 'name') {
      names.push(tokens[k + 2]!.text);
      k += 2;
    }
    const last = names[names.length - 1]!;
    if (k + 1 === end) return this.lookup(names, k, depth);
    if (!isOp(tokens[k + 1], '(') || skipGroup(tokens, k + 1) !== end) return undefined;
    const args = callArguments(tokens, k + 1);
    const positional = args.filter((a) => a.keyword === undefined);
    const dotted = names.join('.');
    if (dotted.endsWith('path.join') || last === 'Path' || last === 'PurePath' || last === 'PosixPath') {
      if (!positional.length) return last === 'join' ? undefined : { text: '.', prefix: false };
      return this.fold(positional, depth, joinValues);
    }
    if (['str', 'fspath', 'abspath', 'normpath', 'realpath', 'resolve'].includes(last) && positional.length === 1) {
      return this.evaluate(positional[0]!.start, positional[0]!.end, depth + 1);
    }
    if ((dotted.endsWith('environ.get') || last === 'getenv') && positional.length === 2) {
      return this.evaluate(positional[1]!.start, positional[1]!.end, depth + 1);
    }
    return undefined;
  }

  private fold(parts: readonly { start: number; end: number }[], depth: number, combine: (a: PathValue, b: PathValue) => PathValue): PathValue | undefined {
    let acc: PathValue | undefined;
    for (const p of parts) {
      const v = this.evaluate(p.start, p.end, depth + 1);
      if (!isPath(v)) return acc && !acc.prefix ? { text: `${acc.text.replace(/[\\/]+$/, '')}/`, prefix: true } : undefined;
      acc = acc ? combine(acc, v) : v;
      if (acc.prefix) return acc;
    }
    return acc;
  }

  /** Adjacent string literals concatenate; an f-string's value is known up to its first field. */
  private strings(start: number, end: number): PathValue | undefined {
    let text = '';
    for (let k = start; k < end; k++) {
      const t = this.tokens[k]!;
      if (t.kind !== 'string' || t.prefix?.includes('b')) return undefined;
      if (!t.prefix?.includes('f')) {
        text += t.value ?? '';
        continue;
      }
      const head = fStringHead(t.value ?? '');
      text += head.text;
      if (!head.complete) return { text, prefix: true };
    }
    return { text, prefix: false };
  }

  /** `args.logdir` from argparse defaults, `log_dir` from its last assignment before `at`. */
  private lookup(names: readonly string[], at: number, depth: number): Value | undefined {
    const last = names[names.length - 1]!;
    if (names.length === 2) {
      const option = this.options.get(last);
      if (option) return this.evaluate(option.start, option.end, depth + 1);
    }
    if (names.length !== 1) return undefined;
    const candidates = this.assignments.get(last) ?? [];
    const before = candidates.filter((c) => c.start < at);
    const chosen = before[before.length - 1] ?? candidates[0];
    return chosen ? this.evaluate(chosen.start, chosen.end, depth + 1) : undefined;
  }

  private declareOption(open: number): void {
    const args = callArguments(this.tokens, open);
    const flags = args.filter((a) => a.keyword === undefined && this.tokens[a.start]?.kind === 'string').map((a) => this.tokens[a.start]!.value ?? '');
    const dest = args.find((a) => a.keyword === 'dest');
    const defaultValue = args.find((a) => a.keyword === 'default');
    if (!defaultValue) return;
    const long = flags.find((f) => f.startsWith('--')) ?? flags.find((f) => !f.startsWith('-')) ?? flags[0];
    const name = dest ? this.tokens[dest.start]?.value : long?.replace(/^-+/, '').replace(/-/g, '_');
    if (name) this.options.set(name, defaultValue);
  }

  /** End of the expression starting at `start`: the first top-level token on a later line. */
  private statementEnd(start: number): number {
    const tokens = this.tokens;
    let k = start;
    let line = tokens[start]?.line ?? 0;
    while (k < tokens.length) {
      const t = tokens[k]!;
      if (t.line > line || isOp(t, ';')) break;
      if (t.kind === 'op' && OPENERS.has(t.text)) {
        const after = skipGroup(tokens, k);
        line = tokens[after - 1]?.endLine ?? line;
        k = after;
        continue;
      }
      line = t.endLine;
      k++;
    }
    return k;
  }
}
