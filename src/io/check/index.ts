import { relative, resolve, sep } from 'node:path';
import { decide, judgeMonitor, unreadable, type CheckResult, type MonitorIdentity, type MonitorResult } from '../../core/check';
import type { FailOn, LoadedConfig } from '../../core/config';
import { readConfigFile } from './config';
import { defaultEngines } from './default-engines';
import type { MonitorView } from '../../core/report/types';
import type { CheckEngines, Probe, ProbeContext } from './engines';

export { ConfigError, findConfig, missingPaths, readConfigFile, resolveFromConfig } from './config';
export type * from './engines';

export interface RunChecksOptions {
  /** Overrides the config's failOn (the CLI's --fail-on). */
  readonly failOn?: FailOn;
  /** Engines to run; defaults to the real ones. Partial: missing ones fall back to the defaults. */
  readonly engines?: Partial<CheckEngines>;
  /** How the config path is shown in results (default: as given). */
  readonly displayPath?: string;
  readonly signal?: AbortSignal;
  /** Environment for child processes (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Keep the monitors' dashboard views (the HTML report needs them; a check does not). */
  readonly keepViews?: boolean;
}

/** A check run with what each monitor saw, in the order of `result.monitors`. */
export interface CheckRun {
  readonly loaded: LoadedConfig;
  readonly result: CheckResult;
  readonly views: readonly (MonitorView | undefined)[];
}

/**
 * Runs every monitor in a `modelmon.json` once and judges the findings.
 * Throws ConfigError (with positioned problems) when the config cannot be used.
 */
export async function runChecks(configPath: string, options: RunChecksOptions = {}): Promise<CheckResult> {
  return (await collectChecks(configPath, options)).result;
}

export async function collectChecks(config: LoadedConfig | string, options: RunChecksOptions = {}): Promise<CheckRun> {
  const loaded = typeof config === 'string' ? readConfigFile(config, options.displayPath ?? config) : config;
  const engines: CheckEngines = { ...defaultEngines, ...options.engines };
  const failOn = options.failOn ?? loaded.config.failOn;
  const { acknowledged } = loaded.config;
  const context: ProbeContext = {
    dir: loaded.dir,
    env: options.env ?? process.env,
    display: (absolute) => relative(loaded.dir, absolute).split(sep).join('/') || '.',
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const monitors: MonitorResult[] = [];
  const views: (MonitorView | undefined)[] = [];

  const probe = async <V>(identity: MonitorIdentity, run: () => Promise<Probe<V>>, wrap: (v: V) => MonitorView) => {
    const t0 = Date.now();
    let outcome: Probe<V>;
    try {
      outcome = await run();
    } catch (error) {
      outcome = { observation: unreadable(identity.target, error instanceof Error ? error.message : String(error)) };
    }
    monitors.push(judgeMonitor(identity, outcome.observation, acknowledged, failOn, Date.now() - t0));
    views.push(options.keepViews && outcome.view !== undefined ? wrap(outcome.view) : undefined);
  };

  const abs = (p: string) => resolve(loaded.dir, p);
  for (const m of loaded.config.training) {
    await probe({ name: m.name, type: 'training', target: m.logdir, severity: m.severity }, () => engines.training(m, abs(m.logdir), context), (view) => ({ type: 'training', view }));
  }
  for (const m of loaded.config.predictions) {
    const paths = { log: abs(m.log), ...(m.reference.log !== undefined ? { reference: abs(m.reference.log) } : {}) };
    await probe({ name: m.name, type: 'predictions', target: m.log, severity: m.severity }, () => engines.predictions(m, paths, context), (view) => ({ type: 'predictions', view }));
  }
  for (const m of loaded.config.integrity) {
    await probe({ name: m.name, type: 'integrity', target: m.manifest, severity: m.severity }, () => engines.integrity(m, abs(m.manifest), context), (view) => ({ type: 'integrity', view }));
  }
  const { gpu } = loaded.config;
  if (gpu.enabled) {
    await probe({ name: 'gpu', type: 'gpu', target: 'nvidia-smi', severity: gpu.severity }, () => engines.gpu(gpu, context), (view) => ({ type: 'gpu', view }));
  }
  for (const m of loaded.config.endpoints) {
    await probe({ name: m.name, type: 'endpoint', target: m.url, severity: m.severity }, () => engines.endpoint(m, m.golden !== undefined ? abs(m.golden) : undefined, context), (view: never) => view);
  }
  const result = decide(options.displayPath ?? (typeof config === 'string' ? config : loaded.path), failOn, monitors, startedAt, Date.now() - started);
  return { loaded, result, views };
}
