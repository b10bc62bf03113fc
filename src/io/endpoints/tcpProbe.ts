import * as net from 'node:net';
import { classifyErrorCode, failureMessage } from '../../core/endpoints/classify';
import type { ProbeResult } from '../../core/endpoints/types';

/** A TCP connect to host:port, timed by the socket's lookup and connect events; the socket is closed at once. */
export function tcpProbe(host: string, port: number, options: { timeoutMs: number; lookup?: net.LookupFunction }): Promise<ProbeResult> {
  const at = Date.now();
  const t0 = process.hrtime.bigint();
  let tDns: bigint | undefined;
  const url = `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve) => {
    let settled = false;
    const socket = net.connect({ host, port, ...(options.lookup ? { lookup: options.lookup } : {}) });
    const done = (result: Pick<ProbeResult, 'ok'> & Partial<ProbeResult>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const end = process.hrtime.bigint();
      const connectMs = result.ok ? Number(end - (tDns ?? t0)) / 1e6 : null;
      resolve({ at, url, status: null, bytes: 0, timing: { dnsMs: tDns !== undefined ? Number(tDns - t0) / 1e6 : null, connectMs, tlsMs: null, firstByteMs: null, totalMs: Number(end - t0) / 1e6 }, ...result });
    };
    const timer = setTimeout(() => done({ ok: false, failure: 'timeout', message: failureMessage('timeout', `no connection within ${options.timeoutMs} ms (${url})`) }), options.timeoutMs);
    socket.once('lookup', () => (tDns = process.hrtime.bigint()));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const failure = classifyErrorCode(error.code);
      done({ ok: false, failure, message: failureMessage(failure, `${error.code ?? error.message} (${url})`) });
    });
  });
}
