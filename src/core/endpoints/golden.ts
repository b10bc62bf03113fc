/** One pinned request and the JSON that must appear in its answer. */
export interface GoldenCase {
  /** 1-based line in the golden file. */
  readonly line: number;
  readonly request: unknown;
  readonly expect: unknown;
  readonly tolerance: number;
  readonly path?: string;
  readonly method?: 'GET' | 'POST';
  /** The model version reported when the case was recorded, where the protocol reports one. */
  readonly modelVersion?: string;
}

export interface GoldenProblem {
  readonly line: number;
  readonly message: string;
}

/** One place where an answer differs from its golden expectation. */
export interface GoldenMismatch {
  readonly line: number;
  /** JSON path of the first differing value, like `$.outputs[0].data[2]`. */
  readonly path: string;
  readonly message: string;
}

export const DEFAULT_TOLERANCE = 1e-6;
/** A golden file is read whole; more cases than this is a mistake, not a test set. */
export const MAX_GOLDEN_CASES = 10_000;
/** Longest `$regex` pattern accepted (patterns come from a workspace file). */
const MAX_REGEX_LENGTH = 1000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a golden JSONL file: one `{"request", "expect", "tolerance"?, "path"?, "method"?}` a line; blank lines skipped. `requestsOnly` (recording) needs no `expect`. */
export function parseGolden(text: string, options: { readonly requestsOnly?: boolean } = {}): { cases: GoldenCase[]; problems: GoldenProblem[] } {
  const cases: GoldenCase[] = [];
  const problems: GoldenProblem[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    const line = i + 1;
    if (cases.length >= MAX_GOLDEN_CASES) {
      problems.push({ line, message: `more than ${MAX_GOLDEN_CASES} golden cases; the rest are ignored` });
      break;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.push({ line, message: 'not a JSON object' });
      continue;
    }
    if (!isRecord(value) || !('request' in value) || (!options.requestsOnly && !('expect' in value))) {
      problems.push({ line, message: options.requestsOnly ? 'expected {"request": ...}' : 'expected {"request": ..., "expect": ...}' });
      continue;
    }
    const tolerance = value.tolerance ?? DEFAULT_TOLERANCE;
    if (typeof tolerance !== 'number' || !(tolerance >= 0)) {
      problems.push({ line, message: '"tolerance" must be a number >= 0' });
      continue;
    }
    if (value.path !== undefined && (typeof value.path !== 'string' || !value.path.startsWith('/'))) {
      problems.push({ line, message: '"path" must be a string starting with /' });
      continue;
    }
    if (value.method !== undefined && value.method !== 'GET' && value.method !== 'POST') {
      problems.push({ line, message: '"method" must be "GET" or "POST"' });
      continue;
    }
    const regexProblem = checkRegexes(value.expect);
    if (regexProblem) {
      problems.push({ line, message: regexProblem });
      continue;
    }
    cases.push({
      line,
      request: value.request,
      expect: value.expect,
      tolerance,
      ...(typeof value.path === 'string' ? { path: value.path } : {}),
      ...(value.method === 'GET' || value.method === 'POST' ? { method: value.method } : {}),
      ...(typeof value.model_version === 'string' ? { modelVersion: value.model_version } : {}),
    });
  }
  return { cases, problems };
}

function checkRegexes(expect: unknown): string | undefined {
  if (Array.isArray(expect)) {
    for (const e of expect) {
      const p = checkRegexes(e);
      if (p) return p;
    }
  } else if (isRecord(expect)) {
    if (typeof expect.$regex === 'string') {
      if (expect.$regex.length > MAX_REGEX_LENGTH) return `"$regex" is over ${MAX_REGEX_LENGTH} characters`;
      try {
        new RegExp(expect.$regex, 'u');
      } catch (error) {
        return `"$regex" is not a regular expression: ${(error as Error).message}`;
      }
    } else {
      for (const v of Object.values(expect)) {
        const p = checkRegexes(v);
        if (p) return p;
      }
    }
  }
  return undefined;
}

const describe = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/**
 * Where `actual` fails to contain `expect`, or undefined when it does: objects match by key (extra
 * keys in `actual` are fine), arrays element by element with equal length, numbers within
 * `tolerance`, strings exactly or by `{"$regex": "..."}`.
 */
export function matchSubset(expect: unknown, actual: unknown, tolerance: number, path = '$'): { path: string; message: string } | undefined {
  if (typeof expect === 'number') {
    if (typeof actual !== 'number') return { path, message: `expected ${describe(expect)}, got ${describe(actual)}` };
    return Math.abs(expect - actual) <= tolerance ? undefined : { path, message: `expected ${expect}, got ${actual} (tolerance ${tolerance})` };
  }
  if (Array.isArray(expect)) {
    if (!Array.isArray(actual)) return { path, message: `expected an array, got ${describe(actual)}` };
    if (actual.length !== expect.length) return { path, message: `expected ${expect.length} elements, got ${actual.length}` };
    for (let i = 0; i < expect.length; i++) {
      const m = matchSubset(expect[i], actual[i], tolerance, `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (isRecord(expect)) {
    if (typeof expect.$regex === 'string' && Object.keys(expect).length === 1) {
      if (typeof actual !== 'string') return { path, message: `expected a string matching /${expect.$regex}/, got ${describe(actual)}` };
      return new RegExp(expect.$regex, 'u').test(actual) ? undefined : { path, message: `${describe(actual)} does not match /${expect.$regex}/` };
    }
    if (!isRecord(actual)) return { path, message: `expected an object, got ${describe(actual)}` };
    for (const [key, value] of Object.entries(expect)) {
      const childPath = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      if (!(key in actual)) return { path: childPath, message: 'missing' };
      const m = matchSubset(value, actual[key], tolerance, childPath);
      if (m) return m;
    }
    return undefined;
  }
  return Object.is(expect, actual) || expect === actual ? undefined : { path, message: `expected ${describe(expect)}, got ${describe(actual)}` };
}

/** One golden JSONL line pinning `response` as the answer to `request`. */
export function goldenLine(request: unknown, response: unknown, options: { tolerance?: number; path?: string; method?: 'GET' | 'POST'; modelVersion?: string | null } = {}): string {
  return JSON.stringify({
    request,
    expect: response,
    tolerance: options.tolerance ?? DEFAULT_TOLERANCE,
    ...(options.path !== undefined ? { path: options.path } : {}),
    ...(options.method !== undefined ? { method: options.method } : {}),
    ...(options.modelVersion ? { model_version: options.modelVersion } : {}),
  });
}

/** The verdict over a golden set: an integrity alert only when answers changed and the model version did not. */
export interface GoldenVerdict {
  readonly checked: number;
  readonly mismatched: readonly GoldenMismatch[];
  /** Set when answers changed while the reported version stayed the one recorded. */
  readonly integrityAlert?: string;
  /** Set when the version differs from the recorded one: changed answers are a new model, not an alert. */
  readonly versionChanged?: { readonly from: string; readonly to: string };
}

export function judgeGolden(cases: readonly GoldenCase[], mismatched: readonly GoldenMismatch[], currentVersion: string | null): GoldenVerdict {
  const recorded = cases.find((c) => c.modelVersion !== undefined)?.modelVersion;
  const versionChanged = recorded !== undefined && currentVersion !== null && recorded !== currentVersion ? { from: recorded, to: currentVersion } : undefined;
  const base = { checked: cases.length, mismatched };
  if (!mismatched.length) return versionChanged ? { ...base, versionChanged } : base;
  if (versionChanged) return { ...base, versionChanged };
  const changed = new Set(mismatched.map((m) => m.line)).size;
  return {
    ...base,
    integrityAlert: `${changed} of ${cases.length} golden answers changed; model version ${currentVersion === null ? 'not reported' : 'unchanged'}`,
  };
}
