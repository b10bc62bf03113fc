// The /metrics listener. Scrapes are served from the exposition's shared page; a scraper that
// never reads, never finishes its request or opens sockets without end is bounded by a
// connection cap and timeouts, and none of it runs on the monitors' schedule.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { negotiate, type MetricsExposition } from './exposition';

export interface MetricsServerOptions {
  readonly host: string;
  readonly port: number;
  /** Open connections at most (default 512); a connection past it is closed at once. */
  readonly maxConnections?: number;
  /** A request's headers must arrive within this; a response must be taken within it too. */
  readonly timeoutMs?: number;
}

export interface MetricsServer {
  /** HOST:PORT actually bound (the port is chosen when 0 was asked for). */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

export const DEFAULT_LISTEN = '127.0.0.1:9464';

/** HOST:PORT (IPv6 as [::1]:PORT) as host and port, or a message naming what is wrong. */
export function parseListen(value: string): { host: string; port: number } | { error: string } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) return { error: `--listen must be HOST:PORT (for example ${DEFAULT_LISTEN}), not "${value}"` };
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function startMetricsServer(exposition: MetricsExposition, options: MetricsServerOptions): Promise<MetricsServer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Deadlines are checked every second, so a scraper trickling its headers is cut off on time.
  const server = http.createServer({ headersTimeout: timeoutMs, requestTimeout: timeoutMs, connectionsCheckingInterval: 1000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('only GET /metrics\n');
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'" }).end('<!doctype html><title>modelmon watch</title><p><a href="/metrics">/metrics</a></p>\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; the metrics are at /metrics\n');
      return;
    }
    if (!exposition.ready) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end('modelmon watch is running its first check\n');
      return;
    }
    exposition.render(negotiate(req.headers.accept)).then(
      (page) => {
        res.writeHead(200, { 'content-type': page.contentType, 'content-length': page.body.length, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : page.body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`cannot render the metrics: ${(error as Error).message}\n`);
      },
    );
  });
  server.maxConnections = options.maxConnections ?? 512;
  server.keepAliveTimeout = 5_000;
  // A scraper that stops reading its answer is dropped; the page it held is shared, never copied.
  server.setTimeout(timeoutMs, (socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'the address is in use' : error.code === 'EADDRNOTAVAIL' ? 'no such local address' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new Error(`cannot listen on ${options.host}:${options.port}: ${why}`));
    });
    server.listen(options.port, options.host, () => {
      const { address, port } = server.address() as AddressInfo;
      resolve({
        address: `${address.includes(':') ? `[${address}]` : address}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
