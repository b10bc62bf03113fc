/**
 * Prometheus label matchers (`{Hostname="node-a",namespace=~"team-.*"}`): parsed once, sent to
 * Prometheus inside a selector, and applied again here to pick the workspace's own GPUs out of a
 * cluster sample.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

/** A matcher text that is not a Prometheus label matcher list; the message says where and why. */
export class LabelMatcherError extends Error {
  override readonly name = 'LabelMatcherError';
}

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPS: readonly MatchOp[] = ['=~', '!~', '!=', '='];
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'" };

/**
 * Parses `{name op "value", ...}` (the braces may be left out). Regular expressions are checked
 * here, so a bad one is reported before any query is sent.
 *
 * @example
 * parseLabelMatchers('{Hostname="node-a",pod=~"train-.*"}')
 * // [{ name: 'Hostname', op: '=', value: 'node-a' }, { name: 'pod', op: '=~', value: 'train-.*' }]
 */
export function parseLabelMatchers(text: string): LabelMatcher[] {
  let s = text.trim();
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) throw new LabelMatcherError(`label matcher '${text}' opens '{' but does not close it`);
    s = s.slice(1, -1);
  }
  const out: LabelMatcher[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new LabelMatcherError(`label matcher '${text}': ${why} at character ${i + 1} of '${s}'`);
  };
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  skipSpace();
  while (i < s.length) {
    const name = LABEL_NAME.exec(s.slice(i))?.[0];
    if (!name) fail('expected a label name');
    if (name === '__name__') fail('a metric name cannot be matched here (the DCGM families are chosen by modelmon)');
    i += name!.length;
    skipSpace();
    const op = OPS.find((o) => s.startsWith(o, i));
    if (!op) fail(`expected =, !=, =~ or !~ after '${name}'`);
    i += op!.length;
    skipSpace();
    const quote = s[i];
    if (quote !== '"' && quote !== "'") fail(`expected a quoted value for '${name}'`);
    i++;
    let value = '';
    for (;;) {
      if (i >= s.length) fail(`the value of '${name}' is not closed`);
      const c = s[i]!;
      if (c === quote) break;
      if (c === '\\') {
        const e = ESCAPES[s[i + 1] ?? ''];
        if (e === undefined) fail(`unknown escape '\\${s[i + 1] ?? ''}'`);
        value += e;
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++;
    if (op === '=~' || op === '!~') {
      try {
        new RegExp(anchored(value));
      } catch (e) {
        fail(`the regular expression for '${name}' is invalid (${(e as Error).message})`);
      }
    }
    out.push({ name: name!, op: op!, value });
    skipSpace();
    if (i < s.length) {
      if (s[i] !== ',') fail("expected ',' between matchers");
      i++;
      skipSpace();
    }
  }
  return out;
}

/** Prometheus anchors its regular expressions at both ends. */
function anchored(re: string): string {
  return `^(?:${re})$`;
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The matchers as PromQL text, without braces: `Hostname="node-a",pod=~"train-.*"`. */
export function formatLabelMatchers(matchers: readonly LabelMatcher[]): string {
  return matchers.map((m) => `${m.name}${m.op}${quote(m.value)}`).join(',');
}

/** A compiled matcher list, for testing many label sets. */
export type LabelPredicate = (labels: Readonly<Record<string, string>>) => boolean;

/** As Prometheus decides it: an absent label is the empty string. */
export function labelPredicate(matchers: readonly LabelMatcher[]): LabelPredicate {
  const tests = matchers.map((m) => {
    if (m.op === '=') return (v: string) => v === m.value;
    if (m.op === '!=') return (v: string) => v !== m.value;
    const re = new RegExp(anchored(m.value));
    return m.op === '=~' ? (v: string) => re.test(v) : (v: string) => !re.test(v);
  });
  return (labels) => matchers.every((m, k) => tests[k]!(labels[m.name] ?? ''));
}
