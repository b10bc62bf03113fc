/**
 * A path to one value inside a JSON document: a dotted path (`response.predictions.0`,
 * `outputs[0].data`) or a JSON pointer (RFC 6901: `/response/predictions/0`, `~1` for `/`).
 */
export type FieldPath = readonly string[];

/** Parses a dotted path or JSON pointer; throws a RangeError naming the path when it is empty or malformed. */
export function parseFieldPath(text: string): FieldPath {
  if (text.startsWith('/')) {
    // A pointer's escapes are decoded after splitting, so `~1` never splits a key.
    return text.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  const keys: string[] = [];
  for (const part of text.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m || (m[1] === '' && m[2] === '')) throw new RangeError(`field path '${text}' is malformed (use a.b.0 or a.b[0], or a JSON pointer /a/b/0)`);
    if (m[1]) keys.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) keys.push(idx[1]!);
  }
  return keys;
}

/** The value at `path`, or undefined when any step is missing (array steps take decimal indices). */
export function valueAt(doc: unknown, path: FieldPath): unknown {
  let v: unknown = doc;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (Array.isArray(v)) {
      if (!/^\d+$/.test(key)) return undefined;
      v = v[Number(key)];
    } else v = Object.prototype.hasOwnProperty.call(v, key) ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}
