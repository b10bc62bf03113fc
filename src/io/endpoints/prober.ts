import type { LookupFunction } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { judgeGolden, matchSubset, type GoldenCase, type GoldenMismatch, type GoldenVerdict } from '../../core/endpoints/golden';
import { AUTO_ORDER, healthPlan, inferPath, joinUrl, judgeHealth, modelVersionOf, versionPlan, wantsJson, type RequestPlan } from '../../core/endpoints/protocols';
import { probeReport, type ProbeReport } from '../../core/endpoints/report';
import { failureMessage } from '../../core/endpoints/classify';
import type { ConcreteProtocol, EndpointProtocol, EndpointSlo, ProbeResult } from '../../core/endpoints/types';
import { httpProbe } from './httpProbe';
import { tcpProbe } from './tcpProbe';

/** Where and how to probe. Headers carry credentials read from the environment or SecretStorage by the caller. */
export interface EndpointTarget {
  readonly url: string;
  readonly protocol: EndpointProtocol;
  readonly model?: string;
  readonly timeoutMs: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly ca?: string | Buffer;
  readonly lookup?: LookupFunction;
  /** Health check by POST of this body instead of GET (plain HTTP only). */
  readonly body?: unknown;
}

/** host and port of `tcp://host:port` or `host:port`. */
export function tcpAddress(url: string): { host: string; port: number } {
  const u = new URL(/^[a-z]+:\/\//i.test(url) ? url : `tcp://${url}`);
  const port = Number(u.port);
  if (!u.hostname || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`expected host:port, got ${url}`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

function send(target: EndpointTarget, plan: RequestPlan, json: boolean, signal?: AbortSignal): Promise<ProbeResult> {
  return httpProbe(joinUrl(target.url, plan.path), {
    method: plan.method,
    ...(plan.body !== undefined ? { body: plan.body } : {}),
    timeoutMs: target.timeoutMs,
    json,
    ...(target.headers ? { headers: target.headers } : {}),
    ...(target.ca ? { ca: target.ca } : {}),
    ...(target.lookup ? { lookup: target.lookup } : {}),
    ...(signal ? { signal } : {}),
  });
}

/** The protocol `auto` stands for: the first whose health route answers in kind, else plain HTTP (or TCP for tcp:// URLs). */
export async function resolveProtocol(target: EndpointTarget, signal?: AbortSignal): Promise<ConcreteProtocol> {
  if (target.protocol !== 'auto') return target.protocol;
  if (/^tcp:\/\//i.test(target.url)) return 'tcp';
  for (const candidate of AUTO_ORDER) {
    const result = await send(target, healthPlan(candidate, undefined), true, signal);
    if (result.ok && judgeHealth(candidate, result.json).ok) return candidate;
    // Nothing listens or nothing answers: more candidates would only fail the same way.
    if (!result.ok && result.failure !== 'http-4xx' && result.failure !== 'malformed' && result.failure !== 'http-5xx') break;
  }
  return 'http';
}

/** One health probe in the protocol's terms: a TCP connect, or its health request judged by the answer. */
export async function probeHealth(target: EndpointTarget, protocol: ConcreteProtocol, signal?: AbortSignal): Promise<ProbeResult> {
  if (protocol === 'tcp') {
    const { host, port } = tcpAddress(target.url);
    return tcpProbe(host, port, { timeoutMs: target.timeoutMs, ...(target.lookup ? { lookup: target.lookup } : {}) });
  }
  const plan: RequestPlan = protocol === 'http' && target.body !== undefined ? { method: 'POST', path: '', body: target.body } : healthPlan(protocol, target.model);
  const result = await send(target, plan, wantsJson(protocol), signal);
  if (!result.ok) return result;
  const verdict = judgeHealth(protocol, result.json);
  if (verdict.ok) return withoutJson(result);
  return { ...withoutJson(result), ok: false, failure: verdict.malformed ? 'malformed' : 'http-5xx', message: failureMessage(verdict.malformed ? 'malformed' : 'http-5xx', `${verdict.reason} (${result.url})`) };
}

function withoutJson(result: ProbeResult): ProbeResult {
  const { json: _json, ...rest } = result;
  void _json;
  return rest;
}

/** The served model's version where the protocol reports one; null otherwise or when the request fails. */
export async function fetchModelVersion(target: EndpointTarget, protocol: ConcreteProtocol, signal?: AbortSignal): Promise<string | null> {
  const plan = versionPlan(protocol, target.model);
  if (!plan) return null;
  const result = await send(target, plan, true, signal);
  return result.ok ? modelVersionOf(protocol, result.json, target.model) : null;
}

/** Sends one golden case; the answer's JSON or the failure. */
export async function sendGolden(target: EndpointTarget, protocol: ConcreteProtocol, c: GoldenCase, signal?: AbortSignal): Promise<ProbeResult> {
  const path = c.path ?? inferPath(protocol, target.model);
  const method = c.method ?? (c.request === null ? 'GET' : 'POST');
  return send(target, { method, path, ...(method === 'POST' ? { body: c.request } : {}) }, true, signal);
}

/** Sends every golden case once, one at a time, and judges the answers against the model version now reported. */
export async function checkGolden(target: EndpointTarget, protocol: ConcreteProtocol, cases: readonly GoldenCase[], modelVersion: string | null, signal?: AbortSignal): Promise<GoldenVerdict> {
  const mismatched: GoldenMismatch[] = [];
  for (const c of cases) {
    if (signal?.aborted) break;
    const answer = await sendGolden(target, protocol, c, signal);
    if (!answer.ok) {
      mismatched.push({ line: c.line, path: '$', message: answer.message ?? 'request failed' });
      continue;
    }
    const m = matchSubset(c.expect, answer.json, c.tolerance);
    if (m) mismatched.push({ line: c.line, ...m });
  }
  return judgeGolden(cases, mismatched, modelVersion);
}

export interface ProbeSeriesOptions {
  readonly requests: number;
  readonly intervalMs: number;
  readonly slo: EndpointSlo;
  readonly golden?: readonly GoldenCase[];
  readonly signal?: AbortSignal;
}

/**
 * `requests` health probes `intervalMs` apart (each waits for the one before: probes never
 * overlap), then the golden set once, summarised against the SLOs.
 */
export async function probeSeries(target: EndpointTarget, options: ProbeSeriesOptions): Promise<{ report: ProbeReport; results: ProbeResult[]; protocol: ConcreteProtocol }> {
  const protocol = await resolveProtocol(target, options.signal);
  const results: ProbeResult[] = [];
  for (let i = 0; i < options.requests; i++) {
    if (options.signal?.aborted) break;
    if (i > 0 && options.intervalMs > 0) await sleep(options.intervalMs, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
    results.push(await probeHealth(target, protocol, options.signal));
  }
  const reachable = results.some((r) => r.ok);
  const modelVersion = reachable ? await fetchModelVersion(target, protocol, options.signal) : null;
  const golden = options.golden && reachable ? await checkGolden(target, protocol, options.golden, modelVersion, options.signal) : undefined;
  const report = probeReport({ target: results[0]?.url ?? target.url, protocol, results, ...(golden ? { golden } : {}), modelVersion, slo: options.slo });
  return { report, results, protocol };
}
