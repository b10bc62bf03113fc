import { findNodeAtLocation, parseTree, printParseErrorCode, stripComments as stripJsonComments, type Node, type ParseError } from './jsonc';
import { CONFIG_SPEC, DEFAULT_REFERENCE_ROWS, DEFAULT_WINDOW } from './spec';
import type { PredictionSchemaOverride } from '../predictions/schema';
import type { MultivariateSettings } from '../multivariate';
import type { EmbeddingDriftOptions } from '../embedding';
import { validateAttributionPattern } from '../attribution/columns';
import type {
  Acknowledgement,
  ConfigProblem,
  EndpointMonitorConfig,
  GpuMonitorConfig,
  IntegrityMonitorConfig,
  ModelmonConfig,
  PredictionMonitorConfig,
  SeverityOverrides,
  TrainingEfficiencyConfig,
  TrainingMonitorConfig,
} from './types';
import { childKey, problemReporter, validateNode, type Report } from './validate';

export * from './types';
export { CONFIG_SPEC, DEFAULT_REFERENCE_ROWS, DEFAULT_WINDOW, KNOWN_FINDING_KINDS } from './spec';
export { toJsonSchema } from './schema';
export { closest, editDistance, LineIndex } from './validate';

/** The conventional file name, looked up in a workspace root or the working directory. */
export const CONFIG_FILE_NAME = 'modelmon.json';

export interface ConfigLoadResult {
  /** Present when the text has no error-severity problem. */
  readonly config?: ModelmonConfig;
  readonly problems: readonly ConfigProblem[];
}

/**
 * Parses and validates the text of a `modelmon.json` (comments and trailing commas allowed),
 * reporting each problem with its position and key, and fills in defaults. Nothing is read from
 * disk: relative paths in the result stay relative to `path`'s directory, for io to resolve.
 *
 * @example
 * const { config, problems } = loadConfig('{"predictions":[{"log":"p.csv","windw":5}]}', 'modelmon.json');
 * // problems[0].message === 'unknown key "windw" in predictions[0] (did you mean "window"?)'
 */
export function loadConfig(text: string, path: string): ConfigLoadResult {
  void path; // part of the shared signature; problems carry positions, callers add the file name
  const problems: ConfigProblem[] = [];
  const report = problemReporter(text, problems);
  const errors: ParseError[] = [];
  let root;
  try {
    root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  } catch (error) {
    // The parser recurses per nesting level: thousands of brackets overflow the stack.
    if (!(error instanceof RangeError)) throw error;
    report({ offset: 0, length: 0 }, '', 'the config is nested too deeply to read');
    return { problems };
  }
  // Only a text that yields no value can be empty; copying every large config to check was waste.
  if (!root && !stripJsonComments(text).trim()) {
    report({ offset: 0, length: 0 }, '', 'the config is empty; expected a JSON object');
    return { problems };
  }
  for (const e of errors) report({ offset: e.offset, length: e.length }, '', `syntax error: ${describeParseError(printParseErrorCode(e.error))}`);
  if (!root || errors.length) return { problems };
  validateNode(root, CONFIG_SPEC, '', report);
  if (problems.some((p) => p.severity === 'error')) return { problems };
  const config = normalize(valueOf(root) as RawConfig);
  checkNames(root, config, report);
  if (problems.some((p) => p.severity === 'error')) return { problems };
  return { config, problems };
}

/** "Command line" form of a problem: `modelmon.json:7: unknown key ...`. */
export function formatProblem(displayPath: string, problem: ConfigProblem): string {
  return `${displayPath}:${problem.line}: ${problem.severity === 'warning' ? 'warning: ' : ''}${problem.message}`;
}

function describeParseError(code: string): string {
  return code
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/^<unknown parse error code>$/, 'unreadable JSON');
}

/** A JSON value from a tree the validator already accepted. */
function valueOf(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const p of node.children ?? []) {
        const [k, v] = p.children ?? [];
        if (k && v) out[k.value as string] = valueOf(v);
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(valueOf);
    default:
      return node.value;
  }
}

type Raw<T> = { -readonly [K in keyof T]?: unknown };
type RawConfig = Raw<ModelmonConfig>;

const lastSegment = (p: string) => p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || p;
const stringList = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);
const severities = (v: unknown): SeverityOverrides => (v as SeverityOverrides | undefined) ?? {};
const record = (v: unknown): Record<string, unknown> => (v as Record<string, unknown> | undefined) ?? {};
const optionalString = (v: unknown) => (typeof v === 'string' ? v : undefined);
const optionalNumber = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** A validated `efficiency` object: only the fields given. */
function trainingEfficiency(e: Record<string, unknown>): TrainingEfficiencyConfig {
  const t = record(e.thresholds);
  const thresholds = Object.fromEntries(Object.entries(t).filter(([, v]) => typeof v === 'number'));
  return {
    gpuLog: e.gpuLog as string,
    ...(optionalNumber(e.utcOffsetMinutes) !== undefined ? { utcOffsetMinutes: e.utcOffsetMinutes as number } : {}),
    ...(optionalNumber(e.pricePerKWh) !== undefined ? { pricePerKWh: e.pricePerKWh as number } : {}),
    ...(Object.keys(thresholds).length ? { thresholds } : {}),
  };
}

function normalize(raw: RawConfig): ModelmonConfig {
  const training = (raw.training as Raw<TrainingMonitorConfig>[] | undefined) ?? [];
  const predictions = (raw.predictions as Raw<PredictionMonitorConfig>[] | undefined) ?? [];
  const integrity = (raw.integrity as Raw<IntegrityMonitorConfig>[] | undefined) ?? [];
  const gpu = record(raw.gpu) as Raw<GpuMonitorConfig>;
  return {
    version: 1,
    failOn: raw.failOn === 'warning' ? 'warning' : 'error',
    training: training.map((t) => ({
      name: optionalString(t.name) ?? lastSegment(t.logdir as string),
      logdir: t.logdir as string,
      tags: stringList(t.tags),
      severity: severities(t.severity),
      ...(t.efficiency !== undefined ? { efficiency: trainingEfficiency(record(t.efficiency)) } : {}),
    })),
    predictions: predictions.map((p) => {
      const reference = typeof p.reference === 'string' ? { log: p.reference } : record(p.reference);
      return {
        name: optionalString(p.name) ?? lastSegment(p.log as string).replace(/\.(csv|jsonl|json|ndjson)$/i, ''),
        log: p.log as string,
        reference: compact({
          log: optionalString(reference.log),
          // A separate reference log is used whole unless rows say otherwise.
          rows: optionalNumber(reference.rows) ?? (reference.log === undefined ? DEFAULT_REFERENCE_ROWS : undefined),
        }),
        window: optionalNumber(p.window) ?? DEFAULT_WINDOW,
        schema: schemaOverride(p as Record<string, unknown>),
        ...compact({ step: optionalNumber(p.step), alertPValue: optionalNumber(p.alertPValue), anomalyQuantile: optionalNumber(p.anomalyQuantile) }),
        ...(p.multivariate && typeof p.multivariate === 'object' ? { multivariate: p.multivariate as MultivariateSettings } : {}),
        ...(p.multipleTesting === 'bonferroni' || p.multipleTesting === 'bh' ? { multipleTesting: p.multipleTesting } : {}),
        ...(p.embedding && typeof p.embedding === 'object' ? { embedding: p.embedding as EmbeddingDriftOptions } : {}),
        ...(typeof p.format === 'string' ? { format: p.format as PredictionMonitorConfig['format'] } : {}),
        ...(p.fieldMapping && typeof p.fieldMapping === 'object' ? { fieldMapping: p.fieldMapping as Record<string, string> } : {}),
        severity: severities(p.severity),
      };
    }),
    integrity: integrity.map((i) => ({
      name: optionalString(i.name) ?? lastSegment((i.manifest as string).replace(/[\\/][^\\/]*$/, '')),
      manifest: i.manifest as string,
      ...(i.allowOutside === true ? { allowOutside: true } : {}),
      severity: severities(i.severity),
    })),
    gpu: compact({
      enabled: gpu.enabled === true,
      severity: severities(gpu.severity),
      maxTemperatureC: optionalNumber(gpu.maxTemperatureC),
      maxMemoryPercent: optionalNumber(gpu.maxMemoryPercent),
    }) as GpuMonitorConfig,
    endpoints: ((raw.endpoints as Raw<EndpointMonitorConfig>[] | undefined) ?? []).map((e) => {
      const slo = record(e.slo);
      return {
        name: optionalString(e.name) ?? endpointName(e.url as string),
        url: e.url as string,
        protocol: (optionalString(e.protocol) ?? 'auto') as EndpointMonitorConfig['protocol'],
        intervalMs: optionalNumber(e.intervalMs) ?? 60_000,
        timeoutMs: optionalNumber(e.timeoutMs) ?? 5000,
        requests: optionalNumber(e.requests) ?? 3,
        ...compact({ model: optionalString(e.model), golden: optionalString(e.golden), accessLog: optionalString(e.accessLog), metricsPath: optionalString(e.metricsPath) }),
        slo: compact({ availability: optionalNumber(slo.availability), p99Ms: optionalNumber(slo.p99Ms), errorRate: optionalNumber(slo.errorRate) }),
        severity: severities(e.severity),
      };
    }),
    acknowledged: ((raw.acknowledged as Raw<Acknowledgement>[] | undefined) ?? []).map((a) =>
      compact({ monitor: a.monitor as string, kind: optionalString(a.kind), subject: optionalString(a.subject), reason: a.reason as string }),
    ) as Acknowledgement[],
  };
}

/** host:port of an endpoint URL, its default name. */
function endpointName(url: string): string {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/?#]+)/i.exec(url);
  return m ? m[1]!.replace(/^[^@]*@/, '') : url;
}

const SCHEMA_STRING_KEYS = ['timestamp', 'id', 'score', 'probabilities', 'label', 'labelsFile', 'joinKey', 'attributions'] as const;

/** The prediction engine's column override, from the keys of a predictions entry. */
function schemaOverride(p: Record<string, unknown>): PredictionSchemaOverride {
  const out: Record<string, unknown> = {};
  for (const key of SCHEMA_STRING_KEYS) if (typeof p[key] === 'string') out[key] = p[key];
  for (const key of ['features', 'categorical'] as const) if (Array.isArray(p[key])) out[key] = p[key];
  for (const key of ['prediction', 'segment'] as const) if (p[key] !== undefined) out[key] = p[key];
  return out as PredictionSchemaOverride;
}

/** Drops undefined members so optional keys are absent rather than present-and-undefined. */
function compact<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** Monitor names must be unique (acknowledgements and reports refer to them). */
function checkNames(root: Node, config: ModelmonConfig, report: ReturnType<typeof problemReporter>): void {
  const seen = new Map<string, string>();
  const sections = ['training', 'predictions', 'integrity', 'endpoints'] as const;
  for (const section of sections) {
    config[section].forEach((monitor, i) => {
      const key = childKey(section, i);
      const node = findMonitorNode(root, section, i);
      const previous = seen.get(monitor.name);
      if (previous) {
        report(node ?? root, key, `${key} has the same name "${monitor.name}" as ${previous}; give one of them a "name"`);
      }
      seen.set(monitor.name, key);
    });
  }
  if (config.gpu.enabled) seen.set('gpu', 'gpu');
  config.predictions.forEach((p, i) => {
    const pattern = p.schema?.attributions;
    const bad = pattern === undefined ? undefined : validateAttributionPattern(pattern);
    if (bad) {
      const key = childKey(childKey('predictions', i), 'attributions');
      const monitor = findMonitorNode(root, 'predictions', i);
      const node = monitor?.children?.find((c) => c.children?.[0]?.value === 'attributions')?.children?.[1];
      report(node ?? monitor ?? root, key, `${key}: ${bad}`);
    }
  });
  config.acknowledged.forEach((a, i) => {
    if (!seen.has(a.monitor) && a.monitor !== 'gpu') {
      const key = childKey(childKey('acknowledged', i), 'monitor');
      const node = findMonitorNode(root, 'acknowledged', i);
      report(node ?? root, key, `acknowledged[${i}] names no configured monitor "${a.monitor}"`, 'warning');
    }
  });
}

function findMonitorNode(root: Node, section: string, index: number): Node | undefined {
  const property = root.children?.find((p) => p.children?.[0]?.value === section);
  return property?.children?.[1]?.children?.[index];
}

/** The key a problem names for `jsonPath` (`predictions[0].log`), so io messages match the validator's. */
export function keyOfPath(jsonPath: readonly (string | number)[]): string {
  return jsonPath.reduce<string>((k, segment) => childKey(k, segment), '');
}

/**
 * Positions problems about values the validator accepted but the file system did not (a missing
 * log, say). The text is parsed and its lines indexed once, so each problem costs a walk down
 * its path, not a pass over the file: 200,000 missing logs stay linear.
 */
export class ConfigLocator {
  private readonly root: Node | undefined;
  private readonly report: Report;
  private readonly problems: ConfigProblem[] = [];

  constructor(text: string) {
    this.root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
    this.report = problemReporter(text, this.problems);
  }

  /** A problem positioned on the value at `jsonPath` (like `['predictions', 0, 'log']`), or at the start when there is none. */
  problemAt(jsonPath: readonly (string | number)[], message: string, severity: 'error' | 'warning' = 'error'): ConfigProblem {
    const node = this.root && findNodeAtLocation(this.root, [...jsonPath]);
    this.report(node ?? { offset: 0, length: 0 }, keyOfPath(jsonPath), message, severity);
    return this.problems.pop()!;
  }
}

/**
 * A problem about a value the validator accepted but the file system did not, positioned on that
 * value. `jsonPath` is like `['predictions', 0, 'log']`. For many problems in one text, use one
 * `ConfigLocator`.
 */
export function problemAt(text: string, jsonPath: readonly (string | number)[], message: string, severity: 'error' | 'warning' = 'error'): ConfigProblem {
  return new ConfigLocator(text).problemAt(jsonPath, message, severity);
}
