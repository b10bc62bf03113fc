/**
 * Reads the cluster's GPUs from a Prometheus server over its HTTP API: one instant query (or range
 * query) for every DCGM family at once. Every request has a deadline and a size cap, so a
 * Prometheus that is down, slow, erroring or answering a huge or garbled body ends in a message
 * that says which, never in a hang or an unbounded buffer.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { dcgmHistory, dcgmSelector, dcgmSnapshot } from '../../core/gpu/dcgm';
import type { LabelMatcher } from '../../core/gpu/dcgmLabels';
import { parsePromResponse, PromResponseError, type PromSeries } from '../../core/gpu/dcgmResponse';
import type { GpuSnapshot } from '../../core/gpu/types';

export interface PrometheusRequestOptions {
  /** Whole request, connect to last byte (default 5000 ms). */
  readonly timeoutMs?: number;
  /** Largest body read (default 32 MiB); a larger answer is refused, not buffered. */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
}

/** Why a request gave no data; `retry` is false where trying again cannot help (a bad URL or query). */
export interface PrometheusFailure {
  readonly kind: 'error';
  readonly message: string;
  readonly retry: boolean;
}

export type PrometheusAnswer<T> = { readonly kind: 'ok'; readonly value: T; readonly warnings: readonly string[] } | PrometheusFailure;

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/** A Prometheus base URL as given (`http://host:9090`, or with a path prefix); null and why when it is not one. */
export function parsePrometheusUrl(text: string): { url: URL } | { error: string } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { error: `'${text}' is not a URL (expected e.g. http://prometheus:9090)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `'${text}' is not an http or https URL` };
  // Credentials in the URL would end up in messages and logs.
  if (url.username || url.password) return { error: 'the Prometheus URL must not carry a user name or password' };
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return { url };
}

/** The URL as messages show it: origin and path only. */
function shown(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/$/, '')}`;
}

/** GET `base/api/v1/<path>?params`, read to at most `maxBytes`, within `timeoutMs`. */
export function prometheusGet(base: URL, path: string, params: Record<string, string>, options: PrometheusRequestOptions = {}): Promise<{ ok: true; body: string } | PrometheusFailure> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const url = new URL(`api/v1/${path}`, base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const where = shown(base);
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: { ok: true; body: string } | PrometheusFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(r);
    };
    const fail = (message: string, retry = true) => done({ kind: 'error', message, retry });
    const get = url.protocol === 'https:' ? https.get : http.get;
    const req = get(url, { agent: false, headers: { accept: 'application/json' } }, (res) => {
      const status = res.statusCode ?? 0;
      const length = Number(res.headers['content-length']);
      if (Number.isFinite(length) && length > maxBytes) {
        return fail(`Prometheus at ${where} answered ${mib(length)}, more than the ${mib(maxBytes)} allowed; narrow the label matcher`, false);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) return fail(`Prometheus at ${where} answered more than the ${mib(maxBytes)} allowed; narrow the label matcher`, false);
        chunks.push(c);
      });
      res.on('error', (e) => fail(`Prometheus at ${where}: the answer broke off (${e.message})`));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        // Prometheus answers its own errors (400 bad query, 422, 503) as JSON: those are parsed for its message.
        const json = /json/.test(String(res.headers['content-type'] ?? ''));
        if (status >= 200 && status < 300) return done({ ok: true, body });
        if (json && status >= 400 && status < 600) return done({ ok: true, body });
        const start = body.trim().slice(0, 80).replace(/\s+/g, ' ');
        fail(`Prometheus at ${where} answered HTTP ${status}${start ? `: ${start}` : ''}`, status >= 500 || status === 429);
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ECONNREFUSED' ? 'nothing listens there (is Prometheus running?)' : e.code === 'ENOTFOUND' ? 'the host name does not resolve' : e.message;
      fail(`cannot reach Prometheus at ${where}: ${why}`);
    });
    const timer = setTimeout(() => fail(`Prometheus at ${where} did not answer within ${(timeoutMs / 1000).toFixed(1)} s`), timeoutMs);
    const onAbort = () => fail('interrupted', false);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort);
  });
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function promQuery(base: URL, path: 'query' | 'query_range', params: Record<string, string>, kind: 'vector' | 'matrix', options: PrometheusRequestOptions): Promise<PrometheusAnswer<PromSeries[]>> {
  const r = await prometheusGet(base, path, params, options);
  if (!('ok' in r)) return r;
  try {
    const { series, warnings } = parsePromResponse(r.body, kind);
    return { kind: 'ok', value: series, warnings };
  } catch (e) {
    if (!(e instanceof PromResponseError)) throw e;
    // A bad query will stay bad; an overloaded or timed-out server may recover.
    const retry = e.errorType !== 'bad_data';
    return { kind: 'error', message: `Prometheus at ${shown(base)}: ${e.message}`, retry };
  }
}

/** The cluster's GPUs now: one instant query for every DCGM family matching `matchers`. */
export async function queryClusterGpus(base: URL, matchers: readonly LabelMatcher[], options: PrometheusRequestOptions & { timeMs?: number } = {}): Promise<PrometheusAnswer<GpuSnapshot>> {
  const timeMs = options.timeMs ?? Date.now();
  const r = await promQuery(base, 'query', { query: dcgmSelector(matchers), time: (timeMs / 1000).toFixed(3) }, 'vector', options);
  return r.kind === 'ok' ? { kind: 'ok', value: dcgmSnapshot(r.value, timeMs), warnings: r.warnings } : r;
}

/** The cluster's GPUs over `[startMs, endMs]` at `stepMs`: one snapshot per step. */
export async function queryClusterGpuHistory(base: URL, matchers: readonly LabelMatcher[], range: { startMs: number; endMs: number; stepMs: number }, options: PrometheusRequestOptions = {}): Promise<PrometheusAnswer<GpuSnapshot[]>> {
  const params = { query: dcgmSelector(matchers), start: (range.startMs / 1000).toFixed(3), end: (range.endMs / 1000).toFixed(3), step: `${range.stepMs / 1000}s` };
  const r = await promQuery(base, 'query_range', params, 'matrix', options);
  return r.kind === 'ok' ? { kind: 'ok', value: dcgmHistory(r.value), warnings: r.warnings } : r;
}
