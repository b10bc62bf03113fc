// A replay of one node's dcgm-exporter on 127.0.0.1 (a free port): GET /metrics answers the node's
// exposition, as Prometheus scrapes the real one on :9400. Tests start one per node and stop it.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderExposition, type ReplayNode } from './exposition';

export interface DcgmReplay {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT`, as a Prometheus scrape target. */
  readonly target: string;
  /** Serves another reading of the same node from the next scrape on. */
  set(node: ReplayNode): void;
  /** Scrapes served so far. */
  readonly scrapes: number;
  stop(): Promise<void>;
}

export async function startDcgmReplay(node: ReplayNode): Promise<DcgmReplay> {
  let body = renderExposition(node);
  let scrapes = 0;
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    scrapes++;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    target: `127.0.0.1:${port}`,
    set(next) {
      body = renderExposition(next);
    },
    get scrapes() {
      return scrapes;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
