import { DEFAULT_REFERENCE_ROWS, DEFAULT_WINDOW_ROWS as DEFAULT_WINDOW } from '../predictions/monitor';

/**
 * The shape of `modelmon.json`, declared once. The validator walks it with positions, and
 * `toJsonSchema` turns it into the schema shipped with the extension, so the two cannot drift.
 */
export type Spec = StringSpec | NumberSpec | BooleanSpec | ObjectSpec | ArraySpec | MapSpec | UnionSpec;

interface Described {
  readonly description: string;
  /** Emitted once under the schema's `definitions` and referenced by this name. */
  readonly definition?: string;
}
export interface StringSpec extends Described {
  readonly type: 'string';
  readonly enum?: readonly string[];
  readonly enumDescriptions?: readonly string[];
  readonly default?: string;
  readonly nonEmpty?: boolean;
}
export interface NumberSpec extends Described {
  readonly type: 'number' | 'integer';
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly default?: number;
}
export interface BooleanSpec extends Described {
  readonly type: 'boolean';
  readonly default?: boolean;
}
export interface ObjectSpec extends Described {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, Spec>>;
  readonly required?: readonly string[];
}
export interface ArraySpec extends Described {
  readonly type: 'array';
  readonly items: Spec;
}
/** An object with free keys and one value shape (JSON schema's additionalProperties). */
export interface MapSpec extends Described {
  readonly type: 'map';
  readonly values: Spec;
  /** Keys offered for completion; others are accepted too. */
  readonly knownKeys?: readonly string[];
}
/** One of several shapes told apart by JSON type (a path string or an object, say). */
export interface UnionSpec extends Described {
  readonly type: 'union';
  readonly variants: readonly Spec[];
}

// The prediction engine's own defaults, so the CLI and the extension window a log the same way.
export { DEFAULT_REFERENCE_ROWS, DEFAULT_WINDOW_ROWS as DEFAULT_WINDOW } from '../predictions/monitor';

/** Finding kinds the engines report; offered for completion in `severity` maps and acknowledgements. */
export const KNOWN_FINDING_KINDS = [
  '*',
  // training runs
  'non-finite',
  'divergence',
  'exploding-gradients',
  'loss-spike',
  'not-learning',
  'plateau',
  'overfitting',
  'lr-step-change',
  'corrupt-record',
  'no-runs',
  // training efficiency (a training monitor with "efficiency")
  'input-bound',
  'stalled',
  'memory-near-full',
  'memory-underused',
  'gpu-idle',
  // prediction logs
  'data_drift',
  'multivariate_drift',
  'attribution_drift',
  'concept_drift',
  'prior_shift',
  'performance',
  'data_quality',
  'anomaly',
  'unreadable-line',
  // checkpoints
  'modified',
  'missing',
  'unexpected',
  'unsafe',
  'malformed',
  // GPU
  'temperature',
  'memory',
  'throttling',
  'ecc',
  'no-gpu',
  // served endpoints
  'endpoint-down',
  'slo-breach',
  'golden-changed',
  'certificate',
  // any monitor that could not run
  'unreadable',
] as const;

const severityOverride: StringSpec = {
  type: 'string',
  definition: 'severity',
  description: 'Severity for this kind of finding; "off" drops it.',
  enum: ['off', 'info', 'warning', 'error'],
  enumDescriptions: [
    'Drop the finding.',
    'Report it; never fails a check.',
    'Fails a check run with failOn "warning".',
    'Fails every check run.',
  ],
};

const severityMap: MapSpec = {
  type: 'map',
  definition: 'severityOverrides',
  description:
    'Severity overrides by finding kind (e.g. "overfitting": "warning"); "*" applies to every kind not named.',
  values: severityOverride,
  knownKeys: KNOWN_FINDING_KINDS,
};

const name: StringSpec = {
  type: 'string',
  description: 'Unique name in reports and acknowledgements; defaults to the last segment of the path.',
  nonEmpty: true,
};

const relativePath = (what: string): StringSpec => ({
  type: 'string',
  description: `${what}, relative to this file's directory.`,
  nonEmpty: true,
});

const column = (description: string): StringSpec => ({
  type: 'string',
  description: `${description} Nested JSON fields are named with dots (features.mean_intensity).`,
  nonEmpty: true,
});
const columnList = (description: string): ArraySpec => ({
  type: 'array',
  description,
  items: { type: 'string', description: 'A column name (dots for nested JSON fields).', nonEmpty: true },
});
const columnOrList = (description: string): UnionSpec => ({
  type: 'union',
  description,
  variants: [column(description), columnList(description)],
});

const training: ObjectSpec = {
  type: 'object',
  description: 'A TensorBoard log directory; every run under it is checked for NaNs, divergence and overfitting.',
  required: ['logdir'],
  properties: {
    name,
    logdir: relativePath('TensorBoard log directory (searched recursively for event files)'),
    tags: {
      type: 'array',
      description: 'Only these scalar tags ("*" wildcards allowed); empty or absent = every tag.',
      items: { type: 'string', description: 'A scalar tag such as "train/loss" or "val/*".', nonEmpty: true },
    },
    efficiency: {
      type: 'object',
      description: 'Join every run with the GPU samples of its time: input-bound, stalled, memory and idle-GPU findings join the check.',
      required: ['gpuLog'],
      properties: {
        gpuLog: relativePath('GPU log: an nvidia-smi --query-gpu=timestamp,index,uuid,utilization.gpu,memory.used,memory.total,power.draw --format=csv -lms N log, modelmon gpu --json lines or a modelmon gpu --record file'),
        utcOffsetMinutes: { type: 'integer', description: "The zone nvidia-smi's timestamps were written in, minutes east of UTC (default the checking machine's zone).", minimum: -1080, maximum: 1080 },
        pricePerKWh: { type: 'number', description: 'Price of one kWh, for the costs.', minimum: 0 },
        thresholds: {
          type: 'object',
          description: 'Thresholds of the efficiency findings.',
          properties: {
            inputBoundShare: { type: 'number', description: 'Input-bound when the GPUs were under busyUtilization for at least this share of the run (default 0.5).', minimum: 0, maximum: 1 },
            busyUtilization: { type: 'number', description: 'Utilisation (%) at and above which a GPU is busy (default 50).', minimum: 0, maximum: 100 },
            idleUtilization: { type: 'number', description: 'A GPU holding memory under this mean utilisation (%) is idle (default 5).', minimum: 0, maximum: 100 },
            stallIntervals: { type: 'number', description: 'Stalled after this many usual step intervals without an event (default 10).', exclusiveMinimum: 0 },
            stallMinSeconds: { type: 'number', description: '...and at least this many seconds (default 60).', minimum: 0 },
            memoryFullShare: { type: 'number', description: 'Memory nearly full at this share (default 0.95).', minimum: 0, maximum: 1 },
            memoryUnusedShare: { type: 'number', description: 'Memory mostly unused under this share at its peak (default 0.25).', minimum: 0, maximum: 1 },
            minSamples: { type: 'integer', description: 'GPU samples a run needs before utilisation or memory findings (default 8).', minimum: 0 },
          },
        },
      },
    },
    severity: severityMap,
  },
};

const prediction: ObjectSpec = {
  type: 'object',
  description: 'A prediction log (CSV or JSON Lines) compared window by window against a reference.',
  required: ['log'],
  properties: {
    name,
    log: relativePath('Prediction log (.csv or .jsonl)'),
    reference: {
      type: 'union',
      description:
        'The reference distribution: a path to another log, or {"log", "rows"}. Default: the first rows of the monitored log.',
      variants: [
        relativePath('Reference log'),
        {
          type: 'object',
          description: 'Where the reference rows come from.',
          properties: {
            log: relativePath('Reference log; absent = the monitored log itself'),
            rows: {
              type: 'integer',
              description: 'How many leading rows form the reference.',
              minimum: 10,
              default: DEFAULT_REFERENCE_ROWS,
            },
          },
        },
      ],
    },
    window: {
      type: 'integer',
      description: 'Rows per comparison window.',
      minimum: 10,
      default: DEFAULT_WINDOW,
    },
    timestamp: column('Column holding the request time (ISO 8601 or epoch seconds/milliseconds).'),
    id: column('Column identifying a request (duplicate detection, joining late labels).'),
    features: columnList('Feature columns to monitor (numeric, categorical or numeric arrays); absent = inferred from the log.'),
    categorical: columnList('Columns among the features to treat as categorical even when they look numeric.'),
    prediction: columnOrList("The model's output column; several = several models, the first is the primary one."),
    score: column('Positive-class score of a binary classifier (0..1).'),
    probabilities: column('Array column of class probabilities, in class-index order.'),
    label: column('Ground-truth column; may be empty on many rows.'),
    segment: columnOrList('Columns whose values split traffic into segments (region, clinic, tier...).'),
    labelsFile: relativePath('Late labels joined by joinKey: a file, directory or glob in any format a log may have (JSON Lines, CSV, Parquet, gzip, zstd; SageMaker ground truth)'),
    format: {
      type: 'string',
      description: 'How the log is read; auto tells Parquet and compression by their first bytes and each envelope by its fields.',
      enum: ['auto', 'jsonl', 'csv', 'parquet', 'sagemaker-capture', 'kserve-cloudevents'],
      enumDescriptions: [
        'Told from the file: Parquet by PAR1, gzip and zstd by their headers, envelopes by captureData or a CloudEvent type',
        'JSON Lines',
        'CSV with a header',
        'Parquet, read a row group at a time',
        'SageMaker Data Capture JSON lines (endpointInput, endpointOutput, eventMetadata)',
        'KServe payload logging CloudEvents (request and response joined by id)',
      ],
      default: 'auto',
    },
    fieldMapping: {
      type: 'object',
      description: 'Where each role sits in a captured payload of another shape: a dotted path (a.b.0) or a JSON pointer (/a/b/0) for each; features is required.',
      required: ['features'],
      properties: {
        features: { type: 'string', description: 'Path to the features: an object (its keys become columns) or a list (feature_0, feature_1, ...).', nonEmpty: true },
        prediction: { type: 'string', description: "Path to the model's output.", nonEmpty: true },
        probabilities: { type: 'string', description: 'Path to the class probabilities.', nonEmpty: true },
        label: { type: 'string', description: 'Path to the ground truth.', nonEmpty: true },
        timestamp: { type: 'string', description: 'Path to the request time.', nonEmpty: true },
        id: { type: 'string', description: 'Path to the request id (joins late labels).', nonEmpty: true },
        segment: { type: 'string', description: 'Path to the segment value.', nonEmpty: true },
      },
    },
    joinKey: column('Column present in both the log and labelsFile (default: id).'),
    attributions: {
      type: 'string',
      description: 'Columns of per-row feature attributions (SHAP values...), with <feature> where the feature\'s name goes: "shap_<feature>", or "explanation.<feature>" for an object of them. Each feature\'s mean |attribution| is ranked against the reference and a feature moving into or out of the top 5 raises attribution_drift. Default: shap_<feature>, shap.<feature>, attribution_<feature>, attributions.<feature>.',
      nonEmpty: true,
    },
    step: {
      type: 'integer',
      description: 'Rows between drift evaluations of the sliding window (default: window / 4).',
      minimum: 1,
    },
    alertPValue: {
      type: 'number',
      description: 'Family-wise p-value below which a drifted feature raises an alert (default 0.001).',
      exclusiveMinimum: 0,
      maximum: 1,
    },
    multipleTesting: {
      type: 'string',
      description: 'How per-feature drift p-values are corrected for the number of features before alertPValue applies (default bonferroni).',
      enum: ['bonferroni', 'bh'],
      enumDescriptions: [
        'Bonferroni: p x features; bounds the chance of any false drift alert in a window',
        'Benjamini-Hochberg: step-up adjusted p; bounds the expected share of clean features among those named',
      ],
      default: 'bonferroni',
    },
    anomalyQuantile: {
      type: 'number',
      description: 'Quantile of the reference rows\' anomaly scores above which a row is suspicious (default 0.995).',
      exclusiveMinimum: 0,
      maximum: 1,
    },
    embedding: {
      type: 'object',
      description: "How a vector column (an embedding, pixels) is compared with the reference: one of Evidently's embedding drift methods gives the column its one verdict.",
      properties: {
        method: {
          type: 'string',
          description: 'The method (default model).',
          enum: ['model', 'ratio', 'distance', 'mmd'],
          enumDescriptions: [
            'A domain classifier tells window rows from reference rows: drift when its cross-validated ROC AUC > threshold (default 0.55)',
            'Each component tested alone: drift when the share of drifted components > threshold (default 0.2)',
            'Distance between the mean vectors: drift when > threshold (default 0.2)',
            'Maximum mean discrepancy with an RBF kernel (median-distance width): drift when its permutation p-value < threshold (default 0.05)',
          ],
          default: 'model',
        },
        threshold: { type: 'number', description: 'Drift threshold of the method (defaults: model 0.55, ratio 0.2, distance 0.2, mmd 0.05).', minimum: 0 },
        distance: { type: 'string', description: 'Distance of the distance method.', enum: ['euclidean', 'cosine'], default: 'euclidean' },
        componentTest: { type: 'string', description: 'Per-component test of the ratio method: normalised Wasserstein (> 0.1) or KS (p < 0.05).', enum: ['wasserstein', 'ks'], default: 'wasserstein' },
        componentThreshold: { type: 'number', description: 'Threshold of the per-component test (defaults: wasserstein 0.1, ks 0.05).', minimum: 0 },
        permutations: { type: 'integer', description: 'Label permutations of the MMD test (default 100).', minimum: 1, maximum: 10000 },
        maxReferenceRows: { type: 'integer', description: 'Reference rows the model and mmd methods use at most, a seeded sample (default 500).', minimum: 20 },
        seed: { type: 'integer', description: 'Seed of the samples, folds and permutations, so results repeat (default 42).' },
        every: { type: 'integer', description: 'Rows between runs of the method over the sliding window (default: half the window).', minimum: 1 },
      },
    },
    multivariate: {
      type: 'object',
      description: 'Multivariate drift of the numeric columns: NannyML\'s PCA reconstruction error against a reference band raises multivariate_drift; a domain classifier (cross-validated ROC AUC) explains every drift episode.',
      properties: {
        enabled: { type: 'boolean', description: 'Watch the numeric columns jointly (default true).', default: true },
        varianceShare: { type: 'number', description: 'Share of the standardised variance the PCA components keep (default 0.65, NannyML\'s).', exclusiveMinimum: 0, maximum: 0.99, default: 0.65 },
        sdMultiplier: { type: 'number', description: 'Width of the reconstruction-error band in standard deviations (default 3).', exclusiveMinimum: 0, default: 3 },
        aucThreshold: { type: 'number', description: 'Domain-classifier ROC AUC above which a window is told apart from the reference (default 0.55, Evidently\'s).', minimum: 0.5, maximum: 0.99, default: 0.55 },
      },
    },
    severity: severityMap,
  },
};

const integrity: ObjectSpec = {
  type: 'object',
  description: 'A checkpoint manifest (made by `modelmon integrity snapshot`); every listed file is verified.',
  required: ['manifest'],
  properties: {
    name,
    manifest: relativePath('Integrity manifest'),
    allowOutside: {
      type: 'boolean',
      description: "Verify manifest paths outside this file's directory too. Off by default, so a manifest cannot make `check` read files elsewhere.",
      default: false,
    },
    severity: severityMap,
  },
};

const gpu: ObjectSpec = {
  type: 'object',
  description: 'Take one nvidia-smi sample during a check. Off by default: CI machines rarely have a GPU.',
  properties: {
    enabled: { type: 'boolean', description: 'Sample the GPUs during `modelmon check`.', default: false },
    maxTemperatureC: {
      type: 'number',
      description: 'GPU temperature (°C) above which a finding is raised.',
      exclusiveMinimum: 0,
    },
    maxMemoryPercent: {
      type: 'number',
      description: 'Memory use (% of total) above which a finding is raised.',
      exclusiveMinimum: 0,
      maximum: 100,
    },
    severity: severityMap,
  },
};

const ratio = (description: string): NumberSpec => ({ type: 'number', description, minimum: 0, maximum: 1 });

const endpoint: ObjectSpec = {
  type: 'object',
  description:
    'A served model probed over the network: availability, latency, golden answers. Credentials never come from this file: the editor keeps them in its secret storage, `modelmon check` reads MODELMON_ENDPOINT_TOKENS ({"https://origin": "token"}).',
  required: ['url'],
  properties: {
    name,
    url: { type: 'string', description: 'Base URL (http:// or https://), or host:port / tcp://host:port for a TCP connect check.', nonEmpty: true },
    protocol: {
      type: 'string',
      description: 'How to probe.',
      enum: ['auto', 'http', 'tcp', 'kserve-v2', 'torchserve', 'openai'],
      enumDescriptions: [
        'Detect: KServe v2 / Triton, then TorchServe, then OpenAI-compatible, else plain HTTP.',
        'GET the URL (or POST "body").',
        'A TCP connect to host:port.',
        'KServe v2 / Triton: /v2/health/ready, /v2/models/{model}/ready, /v2/models/{model}/infer.',
        'TorchServe: /ping, /predictions/{model}.',
        'OpenAI-compatible servers such as vLLM: /v1/models, /v1/completions.',
      ],
      default: 'auto',
    },
    model: { type: 'string', description: 'Model name for the protocol\'s model routes (readiness, inference, version).', nonEmpty: true },
    intervalMs: { type: 'integer', description: 'Milliseconds between probes in the editor.', minimum: 1000, default: 60000 },
    timeoutMs: { type: 'integer', description: 'Deadline of one probe, connect to last byte.', minimum: 1, maximum: 600000, default: 5000 },
    requests: { type: 'integer', description: 'Probes per `modelmon check` run.', minimum: 1, maximum: 1000, default: 3 },
    golden: relativePath('Golden answers (JSON Lines of {"request", "expect", "tolerance"}, made by `modelmon probe URL --golden FILE --record`)'),
    accessLog: relativePath("The server's access log (nginx combined, uvicorn or JSON lines), tailed for traffic"),
    metricsPath: { type: 'string', description: 'Path of the server\'s Prometheus page, e.g. "/metrics".' },
    slo: {
      type: 'object',
      description: 'Service-level objectives; a probe run that misses one is a finding.',
      properties: {
        availability: ratio('Share of probes that must succeed (default 0.99).'),
        p99Ms: { type: 'number', description: 'Highest acceptable p99 latency in milliseconds.', exclusiveMinimum: 0 },
        errorRate: ratio('Highest acceptable share of failed probes.'),
      },
    },
    severity: severityMap,
  },
};

const acknowledgement: ObjectSpec = {
  type: 'object',
  description: 'A finding that was looked at and accepted: still reported, never fails a check.',
  required: ['monitor', 'reason'],
  properties: {
    monitor: { type: 'string', description: 'Name of the monitor that reports the finding.', nonEmpty: true },
    kind: { type: 'string', description: 'Finding kind; absent = every kind.' },
    subject: {
      type: 'string',
      description: 'The run, tag, feature or file it concerns; absent = any.',
    },
    reason: { type: 'string', description: 'Why it is acceptable (shown in reports).', nonEmpty: true },
  },
};

export const CONFIG_SPEC: ObjectSpec = {
  type: 'object',
  description: 'Model Monitor configuration: what `modelmon check`, `modelmon report` and the extension monitor.',
  properties: {
    $schema: { type: 'string', description: 'The JSON schema of this file.' },
    version: { type: 'integer', description: 'Config format version.', minimum: 1, maximum: 1, default: 1 },
    failOn: {
      type: 'string',
      description: 'The least severity that makes `modelmon check` exit 1.',
      enum: ['warning', 'error'],
      enumDescriptions: ['Fail on warnings and errors.', 'Fail on errors only.'],
      default: 'error',
    },
    training: { type: 'array', description: 'TensorBoard log directories to check.', items: training },
    predictions: { type: 'array', description: 'Prediction logs to compare against a reference.', items: prediction },
    integrity: { type: 'array', description: 'Checkpoint manifests to verify.', items: integrity },
    gpu,
    endpoints: { type: 'array', description: 'Served models to probe (HTTP, KServe v2 / Triton, TorchServe, OpenAI-compatible, TCP).', items: endpoint },
    acknowledged: {
      type: 'array',
      description: 'Accepted findings that no longer fail a check.',
      items: acknowledgement,
    },
  },
};
