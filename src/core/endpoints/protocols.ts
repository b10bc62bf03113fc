import type { ConcreteProtocol } from './types';

/** One request a probe sends, relative to the target's base URL. */
export interface RequestPlan {
  readonly method: 'GET' | 'POST';
  /** Appended to the base URL's path; '' is the URL itself. */
  readonly path: string;
  readonly body?: unknown;
}

const enc = encodeURIComponent;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The health request of a protocol: the model's readiness where a model is named. */
export function healthPlan(protocol: ConcreteProtocol, model: string | undefined): RequestPlan {
  switch (protocol) {
    case 'kserve-v2':
      return { method: 'GET', path: model ? `/v2/models/${enc(model)}/ready` : '/v2/health/ready' };
    case 'torchserve':
      return { method: 'GET', path: '/ping' };
    case 'openai':
      return { method: 'GET', path: '/v1/models' };
    case 'http':
    case 'tcp':
      return { method: 'GET', path: '' };
  }
}

/** Where a golden request is POSTed by default. */
export function inferPath(protocol: ConcreteProtocol, model: string | undefined): string {
  switch (protocol) {
    case 'kserve-v2':
      return `/v2/models/${enc(model ?? '')}/infer`;
    case 'torchserve':
      return `/predictions/${enc(model ?? '')}`;
    case 'openai':
      return '/v1/completions';
    default:
      return '';
  }
}

/** The request that reports the served model's version, where the protocol has one. */
export function versionPlan(protocol: ConcreteProtocol, model: string | undefined): RequestPlan | undefined {
  if (protocol === 'kserve-v2' && model) return { method: 'GET', path: `/v2/models/${enc(model)}` };
  if (protocol === 'openai') return { method: 'GET', path: '/v1/models' };
  return undefined;
}

/** The version in a version response: KServe's metadata `versions` (the newest listed), an OpenAI model's `root`, or an infer answer's `model_version`. */
export function modelVersionOf(protocol: ConcreteProtocol, json: unknown, model: string | undefined): string | null {
  if (!isRecord(json)) return null;
  if (typeof json.model_version === 'string') return json.model_version;
  if (protocol === 'kserve-v2' && Array.isArray(json.versions)) {
    const last = json.versions[json.versions.length - 1];
    return typeof last === 'string' || typeof last === 'number' ? String(last) : null;
  }
  if (protocol === 'openai' && Array.isArray(json.data)) {
    const entry = json.data.find((d) => isRecord(d) && (model === undefined || d.id === model));
    if (isRecord(entry)) return typeof entry.root === 'string' ? entry.root : typeof entry.id === 'string' ? entry.id : null;
  }
  return null;
}

/**
 * Whether a 2xx health answer says the service is ready; a reason when not. A body that is not
 * what the protocol answers is malformed.
 */
export function judgeHealth(protocol: ConcreteProtocol, json: unknown): { ok: true } | { ok: false; malformed: boolean; reason: string } {
  switch (protocol) {
    case 'kserve-v2':
      if (!isRecord(json) || typeof json.ready !== 'boolean') return { ok: false, malformed: true, reason: 'expected {"ready": true|false}' };
      return json.ready ? { ok: true } : { ok: false, malformed: false, reason: 'the server says it is not ready' };
    case 'torchserve':
      if (!isRecord(json) || typeof json.status !== 'string') return { ok: false, malformed: true, reason: 'expected {"status": "Healthy"}' };
      return json.status === 'Healthy' ? { ok: true } : { ok: false, malformed: false, reason: `status "${json.status.slice(0, 40)}"` };
    case 'openai':
      if (!isRecord(json) || !Array.isArray(json.data)) return { ok: false, malformed: true, reason: 'expected {"data": [models]}' };
      return { ok: true };
    default:
      return { ok: true };
  }
}

/** Whether a protocol's health answer needs a JSON body. */
export const wantsJson = (protocol: ConcreteProtocol) => protocol === 'kserve-v2' || protocol === 'torchserve' || protocol === 'openai';

/** Order in which `auto` tries protocols: the first whose health request answers in kind wins; plain HTTP otherwise. */
export const AUTO_ORDER: readonly ConcreteProtocol[] = ['kserve-v2', 'torchserve', 'openai'];

/** The base URL joined with a plan's path (a trailing slash of the base is dropped). */
export function joinUrl(base: string, path: string): string {
  if (!path) return base;
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  return url.toString();
}
