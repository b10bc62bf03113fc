// Starts Debian's Prometheus (and node-exporter's textfile collector) on 127.0.0.1 with free ports,
// a temporary config and data directory, and stops them with every file they wrote. The tests of
// both halves of the fleet work (modelmon watch publishing, the GPU views reading DCGM series back)
// assert through Prometheus's own HTTP API, so what they check is what a team's Prometheus sees.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS = process.env.MODELMON_PROMETHEUS ?? '/usr/bin/prometheus';
export const PROMTOOL = process.env.MODELMON_PROMTOOL ?? '/usr/bin/promtool';
export const NODE_EXPORTER = process.env.MODELMON_NODE_EXPORTER ?? '/usr/bin/prometheus-node-exporter';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * One scrape job. `targets` ("127.0.0.1:PORT") become a static config; any other key is passed to
 * Prometheus as written (`metrics_path`, `scheme`, `honor_labels`, `params`, ...).
 */
export interface ScrapeConfig {
  job_name: string;
  targets?: string[];
  /** Labels added to every target of `targets`. */
  labels?: Record<string, string>;
  scrape_interval?: string;
  scrape_timeout?: string;
  metrics_path?: string;
  [key: string]: unknown;
}

export interface PrometheusOptions {
  scrapeConfigs: ScrapeConfig[];
  /** Default for every job; 1s so a test sees a value within a couple of seconds. */
  scrapeInterval?: string;
  /** Paths of rule files to load (alerting or recording rules). */
  ruleFiles?: string[];
  evaluationInterval?: string;
}

/** One sample of an instant vector, as the HTTP API returns it. */
export interface VectorSample {
  metric: Record<string, string>;
  /** [unix seconds, value as Prometheus writes it ("1", "NaN", "+Inf")]. */
  value: [number, string];
}

/** One series of a range query. */
export interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface Target {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

export interface Prometheus {
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** The instant vector of a PromQL expression now (throws with Prometheus's error on a bad query). */
  query(promql: string): Promise<VectorSample[]>;
  /** A range query; `start`/`end` in unix seconds, `step` in seconds. */
  queryRange(promql: string, start: number, end: number, step: number): Promise<MatrixSeries[]>;
  /** Polls `query` until `accept` holds for its result (default: non-empty), or throws after `timeoutMs` with the last result. */
  waitFor(promql: string, accept?: (samples: VectorSample[]) => boolean, timeoutMs?: number): Promise<VectorSample[]>;
  /** The active scrape targets and their health. */
  targets(): Promise<Target[]>;
  /** The config file written for this instance (JSON, which Prometheus reads as YAML). */
  readonly configPath: string;
  /** Prometheus's last 8 KiB of log output, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

function getJson(url: string, timeoutMs = 5000): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
  });
}

function getStatus(url: string): Promise<number> {
  return getJson(url, 1000).then(
    (r) => r.status,
    () => 0,
  );
}

/** Stops a child started with `detached: true` (its own process group): TERM, then KILL after 5 s. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      resolve();
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000).unref();
  });
}

async function waitReady(url: string, child: ChildProcess, what: string, logs: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}): ${logs()}`);
    if ((await getStatus(url)) === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer ${url} within 60 s: ${logs()}`);
}

function toJob(config: ScrapeConfig): Record<string, unknown> {
  const { targets, labels, ...rest } = config;
  if (!targets) return rest;
  return { ...rest, static_configs: [{ targets, ...(labels ? { labels } : {}) }] };
}

/**
 * A real Prometheus on a free loopback port, scraping `scrapeConfigs`, with its data in a temporary
 * directory removed by `stop()`. Resolves once Prometheus reports ready.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'modelmon-prometheus-'));
  const port = await freePort();
  const interval = options.scrapeInterval ?? '1s';
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: options.evaluationInterval ?? interval },
    ...(options.ruleFiles?.length ? { rule_files: options.ruleFiles } : {}),
    scrape_configs: options.scrapeConfigs.map(toJob),
  };
  const configPath = join(dir, 'prometheus.yml');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  let log = '';
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  );
  child.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8192)));
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8192)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`${url}/-/ready`, child, 'Prometheus', () => log);
  } catch (e) {
    await stop();
    throw e;
  }

  const api = async (path: string): Promise<unknown> => {
    const { status, body } = await getJson(`${url}${path}`);
    const b = body as { status?: string; data?: unknown; error?: string };
    if (status !== 200 || b.status !== 'success') throw new Error(`Prometheus ${path}: HTTP ${status}: ${b.error ?? JSON.stringify(body).slice(0, 500)}`);
    return b.data;
  };
  const query = async (promql: string): Promise<VectorSample[]> => {
    const data = (await api(`/api/v1/query?query=${encodeURIComponent(promql)}`)) as { resultType: string; result: unknown };
    if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
    return data.result as VectorSample[];
  };
  return {
    port,
    url,
    configPath,
    logs: () => log,
    query,
    queryRange: async (promql, start, end, step) => {
      const data = (await api(`/api/v1/query_range?query=${encodeURIComponent(promql)}&start=${start}&end=${end}&step=${step}`)) as { result: MatrixSeries[] };
      return data.result;
    },
    waitFor: async (promql, accept = (s) => s.length > 0, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: VectorSample[] = [];
      for (;;) {
        last = await query(promql);
        if (accept(last)) return last;
        if (Date.now() > deadline) throw new Error(`Prometheus: ${promql} gave ${JSON.stringify(last)} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    targets: async () => {
      const data = (await api('/api/v1/targets?state=active')) as { activeTargets: Target[] };
      return data.activeTargets.map((t) => ({ labels: t.labels, scrapeUrl: t.scrapeUrl, health: t.health, lastError: t.lastError }));
    },
    stop,
  };
}

export interface NodeExporter {
  readonly port: number;
  /** 127.0.0.1:PORT, as a scrape target. */
  readonly target: string;
  stop(): Promise<void>;
}

/**
 * node-exporter with only its textfile collector, reading `*.prom` from `textfileDir`, on a free
 * loopback port. Every default collector is off, so its page holds the textfile's series and
 * node-exporter's own few.
 */
export async function startNodeExporter(textfileDir: string): Promise<NodeExporter> {
  const port = await freePort();
  let log = '';
  const child = spawn(
    NODE_EXPORTER,
    ['--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${textfileDir}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4096)));
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4096)));
  try {
    await waitReady(`http://127.0.0.1:${port}/metrics`, child, 'node-exporter', () => log);
  } catch (e) {
    await stopChild(child);
    throw e;
  }
  return { port, target: `127.0.0.1:${port}`, stop: () => stopChild(child) };
}
