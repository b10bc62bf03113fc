/** One series of a metric family: a plain value, or a histogram's cumulative buckets with count and sum. */
export interface PromSeries {
  readonly labels: Readonly<Record<string, string>>;
  value?: number;
  buckets?: Map<number, number>;
  count?: number;
  sum?: number;
}

export interface PromFamily {
  readonly name: string;
  /** `counter`, `gauge`, `histogram`, `summary` or `untyped`, as `# TYPE` says. */
  readonly type: string;
  readonly series: PromSeries[];
}

/** Thrown for a line that is not Prometheus text exposition; the message names the line. */
export class PromTextError extends Error {}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 1;
  const end = text.length - 1;
  while (i < end) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (i >= end) break;
    const eq = text.indexOf('=', i);
    if (eq < 0 || text[eq + 1] !== '"') throw new PromTextError(`line ${line}: bad label set`);
    const name = text.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < end && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        j++;
        value += text[j] === 'n' ? '\n' : text[j];
      } else value += text[j];
    }
    if (text[j] !== '"') throw new PromTextError(`line ${line}: unterminated label value`);
    labels[name] = value;
    i = j + 1;
  }
  return labels;
}

const toNumber = (text: string): number => (text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text));

/**
 * Parses the Prometheus text exposition format (version 0.0.4; OpenMetrics' `# EOF` accepted):
 * families by `# TYPE`, histogram `_bucket`/`_count`/`_sum` samples grouped into one series per
 * label set (without `le`). Samples without a `# TYPE` are untyped families of their own name.
 */
export function parsePromText(text: string): PromFamily[] {
  const families = new Map<string, PromFamily>();
  const types = new Map<string, string>();
  const lines = text.split('\n');
  const familyOf = (sample: string): { family: PromFamily; part: 'value' | 'bucket' | 'count' | 'sum' } => {
    for (const suffix of ['_bucket', '_count', '_sum'] as const) {
      if (sample.endsWith(suffix)) {
        const base = sample.slice(0, -suffix.length);
        const type = types.get(base);
        if (type === 'histogram' || type === 'summary') return { family: family(base, type), part: suffix.slice(1) as 'bucket' | 'count' | 'sum' };
      }
    }
    return { family: family(sample, types.get(sample) ?? 'untyped'), part: 'value' };
  };
  const family = (name: string, type: string): PromFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type, series: [] }));
    return f;
  };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types.set(m[1]!, m[2]!.toLowerCase());
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new PromTextError(`line ${n + 1}: not a sample: ${line.slice(0, 60)}`);
    const labels = m[2] ? parseLabels(m[2], n + 1) : {};
    const value = toNumber(m[3]!);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new PromTextError(`line ${n + 1}: bad value ${m[3]!.slice(0, 30)}`);
    const { family: f, part } = familyOf(m[1]!);
    const le = labels.le;
    const key = { ...labels };
    if (part === 'bucket') delete key.le;
    if (f.type === 'summary') delete key.quantile;
    const id = JSON.stringify(Object.entries(key).sort());
    let series = f.series.find((s) => JSON.stringify(Object.entries(s.labels).sort()) === id);
    if (!series) f.series.push((series = { labels: key }));
    if (part === 'bucket' && le !== undefined) (series.buckets ??= new Map()).set(toNumber(le), value);
    else if (part === 'count') series.count = value;
    else if (part === 'sum') series.sum = value;
    else if (labels.quantile === undefined) series.value = value;
  }
  return [...families.values()];
}
