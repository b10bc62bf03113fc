import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { classifyErrorCode, classifyStatus, failureMessage } from '../../core/endpoints/classify';
import type { FailureClass, ProbeResult } from '../../core/endpoints/types';

export interface HttpProbeOptions {
  readonly method?: 'GET' | 'POST';
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Whole-request deadline, connect to last byte. */
  readonly timeoutMs: number;
  /** Bytes of body read before the probe gives up with `too-large`. */
  readonly maxBodyBytes?: number;
  /** Parse the body as JSON (a body that does not parse is `malformed`). */
  readonly json?: boolean;
  /** Keep the body as text (a metrics page). */
  readonly keepText?: boolean;
  /** Extra headers (credentials from the environment or SecretStorage); never logged or echoed. */
  readonly headers?: Readonly<Record<string, string>>;
  /** PEM certificates to trust besides the system's (a self-signed server). */
  readonly ca?: string | Buffer;
  /** Replaces DNS resolution (tests). */
  readonly lookup?: LookupFunction;
  readonly signal?: AbortSignal;
}

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

const ms = (from: bigint, to: bigint) => Number(to - from) / 1e6;

/** The URL with any user:password removed, for messages. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

class ProbeFailure extends Error {
  constructor(
    readonly failure: FailureClass,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One HTTP(S) request on a fresh connection, timed by the socket's own events (lookup, connect,
 * secureConnect, first data, end) on the monotonic clock. Never throws: every failure is a
 * classified result, on time even when the server accepts and never answers, trickles bytes,
 * sends an endless body or closes mid-response.
 */
export function httpProbe(url: string, options: HttpProbeOptions): Promise<ProbeResult> {
  const at = Date.now();
  const t0 = process.hrtime.bigint();
  let tDns: bigint | undefined;
  let tConnect: bigint | undefined;
  let tTls: bigint | undefined;
  let tFirst: bigint | undefined;
  let status: number | null = null;
  let bytes = 0;
  let certDaysLeft: number | undefined;
  const shown = displayUrl(url);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let request: http.ClientRequest | undefined;
    const timing = () => {
      const end = process.hrtime.bigint();
      return {
        dnsMs: tDns !== undefined ? ms(t0, tDns) : null,
        connectMs: tConnect !== undefined ? ms(tDns ?? t0, tConnect) : null,
        tlsMs: tTls !== undefined && tConnect !== undefined ? ms(tConnect, tTls) : null,
        firstByteMs: tFirst !== undefined ? ms(t0, tFirst) : null,
        totalMs: ms(t0, end),
      };
    };
    const finish = (result: Omit<ProbeResult, 'at' | 'url' | 'status' | 'timing' | 'bytes'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const t = timing();
      request?.destroy();
      resolve({ at, url: shown, status, timing: t, bytes, ...(certDaysLeft !== undefined ? { certDaysLeft } : {}), ...result });
    };
    const fail = (failure: FailureClass, detail: string) => finish({ ok: false, failure, message: failureMessage(failure, detail) });
    const timer = setTimeout(() => {
      const phase = tConnect === undefined ? 'no connection' : tFirst === undefined ? 'no response' : 'response incomplete';
      fail('timeout', `${phase} within ${options.timeoutMs} ms (${shown})`);
    }, options.timeoutMs);
    const onAbort = () => fail('timeout', 'cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    let target: URL;
    try {
      target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`unsupported scheme ${target.protocol}`);
    } catch (error) {
      fail('network', `bad URL: ${(error as Error).message}`);
      return;
    }
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { accept: 'application/json, */*', ...options.headers };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const secure = target.protocol === 'https:';
    const requestOptions: https.RequestOptions = {
      method: options.method ?? (payload ? 'POST' : 'GET'),
      headers,
      // A fresh connection per probe: connect and TLS are measured every time, and probes never share a socket.
      agent: false,
      ...(options.lookup ? { lookup: options.lookup } : {}),
      ...(secure && options.ca ? { ca: options.ca } : {}),
    };
    try {
      request = (secure ? https : http).request(target, requestOptions);
    } catch (error) {
      fail('network', (error as Error).message);
      return;
    }
    request.on('socket', (socket: Socket) => {
      socket.once('lookup', () => (tDns = process.hrtime.bigint()));
      socket.once('connect', () => (tConnect = process.hrtime.bigint()));
      if (secure) {
        socket.once('secureConnect', () => {
          tTls = process.hrtime.bigint();
          const cert = (socket as TLSSocket).getPeerCertificate();
          const validTo = cert?.valid_to ? Date.parse(cert.valid_to) : NaN;
          if (Number.isFinite(validTo)) certDaysLeft = Math.floor((validTo - Date.now()) / 86_400_000);
        });
      }
      socket.once('data', () => (tFirst ??= process.hrtime.bigint()));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      const failure = error instanceof ProbeFailure ? error.failure : classifyErrorCode(error.code);
      const detail = error instanceof ProbeFailure ? error.message : `${error.code ?? error.message} (${shown})`;
      fail(failure, detail);
    });
    request.on('response', (response) => {
      status = response.statusCode ?? null;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBody) {
          fail('too-large', `over ${maxBody} bytes of body (${shown})`);
          return;
        }
        if (options.json || options.keepText) chunks.push(chunk);
      });
      response.on('aborted', () => fail('reset', `after ${bytes} bytes of body (${shown})`));
      response.on('error', (error: NodeJS.ErrnoException) => fail('reset', `${error.code ?? error.message} after ${bytes} bytes (${shown})`));
      response.on('end', () => {
        if (settled) return;
        if (!response.complete) {
          fail('reset', `after ${bytes} bytes of body (${shown})`);
          return;
        }
        const statusClass = classifyStatus(status ?? 0);
        if (statusClass) {
          fail(statusClass, `HTTP ${status} (${shown})`);
          return;
        }
        if (options.keepText) {
          finish({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
          return;
        }
        if (!options.json) {
          finish({ ok: true });
          return;
        }
        try {
          finish({ ok: true, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
        } catch {
          fail('malformed', `HTTP ${status} with a body that is not JSON (${shown})`);
        }
      });
    });
    request.end(payload);
  });
}
