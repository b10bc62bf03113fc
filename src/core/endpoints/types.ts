/** The wire protocols a probe speaks; `auto` detects one from what the server answers. */
export const ENDPOINT_PROTOCOLS = ['auto', 'http', 'tcp', 'kserve-v2', 'torchserve', 'openai'] as const;
export type EndpointProtocol = (typeof ENDPOINT_PROTOCOLS)[number];
export type ConcreteProtocol = Exclude<EndpointProtocol, 'auto'>;

export function isEndpointProtocol(value: string): value is EndpointProtocol {
  return (ENDPOINT_PROTOCOLS as readonly string[]).includes(value);
}

/** Why a probe failed, each named in its message. */
export const FAILURE_CLASSES = ['refused', 'dns', 'timeout', 'tls', 'http-4xx', 'http-5xx', 'malformed', 'reset', 'too-large', 'network'] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Phase times of one request in milliseconds, from the socket's own events; null where a phase did not happen (no TLS, a reused socket). */
export interface ProbeTiming {
  readonly dnsMs: number | null;
  readonly connectMs: number | null;
  readonly tlsMs: number | null;
  /** From the start of the request to the first byte of the response. */
  readonly firstByteMs: number | null;
  readonly totalMs: number;
}

/** One request's outcome. */
export interface ProbeResult {
  readonly ok: boolean;
  /** Epoch milliseconds when the request started. */
  readonly at: number;
  readonly url: string;
  readonly status: number | null;
  readonly timing: ProbeTiming;
  readonly bytes: number;
  readonly failure?: FailureClass;
  readonly message?: string;
  /** Days until the server certificate expires (HTTPS only). */
  readonly certDaysLeft?: number;
  /** The parsed JSON body where one was asked for and readable. */
  readonly json?: unknown;
  /** The body as text where asked for (a metrics page). */
  readonly text?: string;
}

/** Service-level objectives of a target; each absent one is not judged. */
export interface EndpointSlo {
  /** Share of successful probes, 0..1. */
  readonly availability?: number;
  readonly p99Ms?: number;
  /** Share of failed requests, 0..1. */
  readonly errorRate?: number;
}

export interface LatencySummary {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}
