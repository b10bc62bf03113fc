import { tokenizePython, type PythonToken } from './pythonTokens';

/** The logging library a call belongs to, as far as the call's shape tells. */
export type TagLoggingApi = 'tensorboard' | 'lightning' | 'tf.summary' | 'mlflow' | 'wandb';

/**
 * One place in Python source that logs a metric under a literal tag. Positions are 0-based
 * (like VS Code's) and span the tag's string literal, quotes included.
 */
export interface TagSite {
  readonly tag: string;
  readonly api: TagLoggingApi;
  /** The called function as written, e.g. `writer.add_scalar` or `self.log_dict`. */
  readonly call: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /**
   * True for an f-string such as `f"train/{k}"`: `tag` is its literal prefix (`train/`), and the
   * site logs every tag that starts with it.
   */
  readonly prefix?: boolean;
}

type ArgumentShape = 'tag' | 'dict';

interface CallRule {
  readonly api: TagLoggingApi;
  /** Which positional argument holds the tag (or the dict of tags), and its keyword name. */
  readonly position: number;
  readonly keyword: string;
  readonly shape: ArgumentShape;
}

/**
 * Picks the rule for `receiver.method(...)`, or undefined for a call that does not log a tag.
 * `receiver` is the dotted name before the method (`''` when it is not a plain name).
 */
function ruleFor(receiver: string, method: string, firstArgumentIsDict: boolean): CallRule | undefined {
  const last = receiver.split('.').pop() ?? '';
  switch (method) {
    case 'add_scalar':
      return { api: 'tensorboard', position: 0, keyword: 'tag', shape: 'tag' };
    case 'add_scalars':
      return { api: 'tensorboard', position: 0, keyword: 'main_tag', shape: 'tag' };
    case 'log':
      if (firstArgumentIsDict) return { api: 'wandb', position: 0, keyword: 'data', shape: 'dict' };
      return last === 'wandb' ? undefined : { api: 'lightning', position: 0, keyword: 'name', shape: 'tag' };
    case 'log_dict':
      return { api: 'lightning', position: 0, keyword: 'dictionary', shape: 'dict' };
    case 'scalar':
      return last === 'summary' ? { api: 'tf.summary', position: 0, keyword: 'name', shape: 'tag' } : undefined;
    case 'log_metric':
      // mlflow.log_metric(key, value); MlflowClient().log_metric(run_id, key, value).
      return { api: 'mlflow', position: last === 'mlflow' ? 0 : 1, keyword: 'key', shape: 'tag' };
    case 'log_metrics':
      return { api: 'mlflow', position: 0, keyword: 'metrics', shape: 'dict' };
    default:
      return undefined;
  }
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Index just past the bracket group opening at `open` (or the token count if unbalanced). */
function skipGroup(tokens: readonly PythonToken[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'op') continue;
    if (t.text in OPENERS) depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}') {
      depth--;
      if (depth === 0) return k + 1;
    }
  }
  return tokens.length;
}

interface Argument {
  readonly keyword?: string;
  /** Token range [start, end) of the argument's value. */
  readonly start: number;
  readonly end: number;
}

/** Splits the arguments of the call whose `(` is at `open`. */
function callArguments(tokens: readonly PythonToken[], open: number): Argument[] {
  const close = skipGroup(tokens, open) - 1;
  const args: Argument[] = [];
  let start = open + 1;
  let k = start;
  const push = (end: number): void => {
    if (end <= start) return;
    const first = tokens[start]!;
    const second = tokens[start + 1];
    const third = tokens[start + 2];
    const isKeyword = first.kind === 'name' && second?.text === '=' && !(third?.kind === 'op' && third.text === '=');
    args.push(isKeyword ? { keyword: first.text, start: start + 2, end } : { start, end });
  };
  while (k < close) {
    const t = tokens[k]!;
    if (t.kind === 'op' && t.text in OPENERS) {
      k = skipGroup(tokens, k);
      continue;
    }
    if (t.kind === 'op' && t.text === ',') {
      push(k);
      start = k + 1;
    }
    k++;
  }
  push(close);
  return args;
}

interface TagLiteral {
  readonly token: PythonToken;
  readonly tag: string;
  readonly prefix: boolean;
}

/**
 * A lone string literal is a tag; an f-string with a literal start (`f"train/{k}"`) is a tag
 * prefix. `"a" + b`, names and f-strings that start with a field are unknown until run time.
 */
function literalTag(tokens: readonly PythonToken[], start: number, end: number): TagLiteral | undefined {
  const t = tokens[start];
  if (end - start !== 1 || !t || t.kind !== 'string' || t.prefix?.includes('b')) return undefined;
  if (!t.prefix?.includes('f')) return { token: t, tag: t.value ?? '', prefix: false };
  const head = fStringHead(t.value ?? '');
  if (head.complete) return { token: t, tag: head.text, prefix: false };
  return head.text ? { token: t, tag: head.text, prefix: true } : undefined;
}

/** The literal text of an f-string's body before its first replacement field (`{{` is a brace). */
export function fStringHead(body: string): { text: string; complete: boolean } {
  let text = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if ((c === '{' || c === '}') && body[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '{') return { text, complete: false };
    else text += c;
  }
  return { text, complete: true };
}

/** The literal keys at the top level of the dict display `{...}` spanning [start, end). */
function dictKeys(tokens: readonly PythonToken[], start: number, end: number): TagLiteral[] {
  if (tokens[start]?.text !== '{' || tokens[start]?.kind !== 'op') return [];
  const keys: TagLiteral[] = [];
  let entryStart = start + 1;
  for (let k = start + 1; k < end - 1; ) {
    const t = tokens[k]!;
    if (t.kind === 'op' && t.text in OPENERS) {
      k = skipGroup(tokens, k);
      continue;
    }
    if (t.kind === 'op' && t.text === ':' && k === entryStart + 1) {
      const key = literalTag(tokens, entryStart, k);
      if (key) keys.push(key);
    }
    if (t.kind === 'op' && t.text === ',') entryStart = k + 1;
    k++;
  }
  return keys;
}

/** The dotted name ending just before index `dot` (`self.writer` for `self.writer.add_scalar`). */
function receiverBefore(tokens: readonly PythonToken[], dot: number): string {
  const parts: string[] = [];
  let k = dot - 1;
  while (k >= 0 && tokens[k]!.kind === 'name') {
    parts.unshift(tokens[k]!.text);
    if (tokens[k - 1]?.kind === 'op' && tokens[k - 1]!.text === '.') k -= 2;
    else break;
  }
  return parts.join('.');
}

/**
 * Finds every call in Python `source` that logs a scalar under a string-literal tag:
 * `writer.add_scalar("train/loss", ...)`, `add_scalars`, Lightning's `self.log("val_loss", ...)`
 * and `self.log_dict({...})`, `tf.summary.scalar(...)`, `mlflow.log_metric(...)` /
 * `log_metrics({...})` and `wandb.log({...})`. An f-string with a literal start is a prefix
 * site (`f"train/{k}"` in a loop over a dict logs `train/*`); other tags built at run time
 * (concatenation, variables) are skipped: their value is unknown until the script runs.
 *
 * @example
 * findTagSites('w.add_scalar("train/loss", v, step)')
 * // [{ tag: 'train/loss', api: 'tensorboard', call: 'w.add_scalar', line: 0, column: 13, ... }]
 */
export function findTagSites(source: string): TagSite[] {
  const tokens = tokenizePython(source);
  const sites: TagSite[] = [];
  for (let k = 2; k < tokens.length - 1; k++) {
    const method = tokens[k]!;
    const dot = tokens[k - 1]!;
    const open = tokens[k + 1]!;
    if (method.kind !== 'name' || dot.text !== '.' || dot.kind !== 'op' || open.text !== '(' || open.kind !== 'op') continue;
    const args = callArguments(tokens, k + 1);
    const positional = args.filter((a) => a.keyword === undefined);
    const receiver = receiverBefore(tokens, k - 1);
    const firstIsDict = positional[0] !== undefined && tokens[positional[0].start]?.text === '{';
    const rule = ruleFor(receiver, method.text, firstIsDict);
    if (!rule) continue;
    const argument = args.find((a) => a.keyword === rule.keyword) ?? positional[rule.position];
    if (!argument) continue;
    const found = rule.shape === 'tag'
      ? [literalTag(tokens, argument.start, argument.end)].filter((t): t is TagLiteral => t !== undefined)
      : dictKeys(tokens, argument.start, argument.end);
    const call = receiver ? `${receiver}.${method.text}` : method.text;
    for (const { token: t, tag, prefix } of found) {
      const site: TagSite = { tag, api: rule.api, call, line: t.line, column: t.column, endLine: t.endLine, endColumn: t.endColumn };
      sites.push(prefix ? { ...site, prefix } : site);
    }
  }
  return sites;
}

/**
 * Whether a tag written in code names a tag found in a run. Lightning's
 * `self.log("loss", on_step=True, on_epoch=True)` writes `loss_step` and `loss_epoch`.
 */
export function tagMatches(codeTag: string, runTag: string): boolean {
  return runTag === codeTag || runTag === `${codeTag}_step` || runTag === `${codeTag}_epoch`;
}

/** Whether a tag site logs a run's tag: by {@link tagMatches}, or by its prefix for an f-string. */
export function siteLogsTag(site: TagSite, runTag: string): boolean {
  return site.prefix ? runTag.startsWith(site.tag) : tagMatches(site.tag, runTag);
}

/** Python files with the tag sites found in each. */
export interface TagSiteFile {
  readonly path: string;
  readonly sites: readonly TagSite[];
}

/**
 * The first place in code that logs a run's tag: the lowest line of the first file by path, so
 * the answer does not depend on the order files were scanned in.
 */
export function firstTagSite(files: readonly TagSiteFile[], runTag: string): { path: string; site: TagSite } | undefined {
  let best: { path: string; site: TagSite } | undefined;
  for (const file of files) {
    if (best && file.path > best.path) continue;
    for (const site of file.sites) {
      if (!siteLogsTag(site, runTag)) continue;
      if (!best || file.path < best.path || site.line < best.site.line) best = { path: file.path, site };
    }
  }
  return best;
}
