import type { Node } from './jsonc';
import type { ConfigProblem } from './types';
import type { Spec } from './spec';

/** Maps offsets to 1-based line/column, once per text. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}

export type Report = (node: { offset: number; length: number }, key: string, message: string, severity?: 'error' | 'warning') => void;

/** A {@link Report} that records problems in `problems` with their line and column in `text`. */
export function problemReporter(text: string, problems: ConfigProblem[]): Report {
  const lines = new LineIndex(text);
  return (node, key, message, severity = 'error') => {
    const { line, column } = lines.position(node.offset);
    problems.push({ message, line, column, offset: node.offset, length: node.length, key, severity });
  };
}

/** The dotted/indexed path of a child value (`monitors[2].log`), as problems name it. */
export function childKey(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

const where = (key: string) => (key ? `in ${key}` : 'at the top level');
const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');

function jsonType(node: Node): string {
  if (node.type === 'number') return Number.isInteger(node.value) ? 'an integer' : 'a number';
  const article: Record<string, string> = { object: 'an object', array: 'an array', string: 'a string', boolean: 'a boolean', null: 'null' };
  return article[node.type] ?? node.type;
}

function expected(spec: Spec): string {
  switch (spec.type) {
    case 'map':
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'integer':
      return 'an integer';
    case 'union':
      return spec.variants.map(expected).join(' or ');
    default:
      return `a ${spec.type}`;
  }
}

function accepts(spec: Spec, node: Node): boolean {
  switch (spec.type) {
    case 'map':
      return node.type === 'object';
    case 'integer':
      return node.type === 'number' && Number.isInteger(node.value);
    case 'union':
      return spec.variants.some((v) => accepts(v, node));
    default:
      return node.type === spec.type;
  }
}

/** Edit distance, for "did you mean" on misspelt keys. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The candidate nearest to `word` by edit distance, if it is close enough to suggest ("did you mean"). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

const didYouMean = (word: string, candidates: readonly string[]) => {
  const match = closest(word, candidates);
  return match ? ` (did you mean "${match}"?)` : '';
};

/** Checks one JSON node against its spec, reporting each problem at the node that causes it. */
export function validateNode(node: Node, spec: Spec, key: string, report: Report): void {
  const label = key || 'the config';
  if (!accepts(spec, node)) {
    report(node, key, `${label} must be ${expected(spec)}, not ${jsonType(node)}`);
    return;
  }
  switch (spec.type) {
    case 'string': {
      const value = node.value as string;
      if (spec.enum && !spec.enum.includes(value)) {
        report(node, key, `${label} must be one of ${quoted(spec.enum)}, not "${value}"${didYouMean(value, spec.enum)}`);
      } else if (spec.nonEmpty && value.trim() === '') {
        report(node, key, `${label} must not be empty`);
      }
      return;
    }
    case 'number':
    case 'integer': {
      const value = node.value as number;
      // JSON has no Infinity, but 1e999 parses to it.
      if (!Number.isFinite(value)) report(node, key, `${label} must be a finite number, not ${node.value}`);
      else if (spec.minimum !== undefined && value < spec.minimum) report(node, key, `${label} must be at least ${spec.minimum}, not ${value}`);
      else if (spec.exclusiveMinimum !== undefined && value <= spec.exclusiveMinimum)
        report(node, key, `${label} must be greater than ${spec.exclusiveMinimum}, not ${value}`);
      else if (spec.maximum !== undefined && value > spec.maximum) report(node, key, `${label} must be at most ${spec.maximum}, not ${value}`);
      return;
    }
    case 'boolean':
      return;
    case 'array':
      (node.children ?? []).forEach((item, i) => validateNode(item, spec.items, childKey(key, i), report));
      return;
    case 'union': {
      const variant = spec.variants.find((v) => accepts(v, node))!;
      validateNode(node, variant, key, report);
      return;
    }
    case 'map':
    case 'object': {
      const seen = new Set<string>();
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (!keyNode) continue;
        const name = keyNode.value as string;
        const propertyKey = childKey(key, name);
        if (seen.has(name)) report(keyNode, propertyKey, `duplicate key "${name}" ${where(key)}`);
        seen.add(name);
        if (!valueNode) continue;
        if (spec.type === 'map') {
          validateNode(valueNode, spec.values, propertyKey, report);
          continue;
        }
        const propertySpec = spec.properties[name];
        if (!propertySpec) {
          report(keyNode, propertyKey, `unknown key "${name}" ${where(key)}${didYouMean(name, Object.keys(spec.properties))}`);
          continue;
        }
        validateNode(valueNode, propertySpec, propertyKey, report);
      }
      if (spec.type === 'object') {
        for (const required of spec.required ?? []) {
          if (!seen.has(required)) report({ offset: node.offset, length: 1 }, key, `${key || 'the config'} is missing the required key "${required}"`);
        }
      }
      return;
    }
  }
}
