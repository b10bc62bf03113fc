// Starts the tests' model server (FastAPI on uvicorn, Debian's python3) and nginx in front of it on
// 127.0.0.1 with free ports, in temp folders, and stops them. Nothing here reaches past loopback.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** server.py beside this file, or (from a bundle in dist/) found by walking up to the repository. */
function serverScript(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'server.py'), join(dir, 'test/servers/model-server/server.py')]) if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`test/servers/model-server/server.py not found above ${__dirname}`);
  }
}
const SERVER = serverScript();
// Debian's interpreter: its dist-packages hold the fastapi, uvicorn and scikit-learn that setup.sh installs.
const PYTHON = '/usr/bin/python3';

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

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.setTimeout(1000, () => req.destroy());
  });
}

async function waitFor(url: string, child: ChildProcess, what: string, logs: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): ${logs()}`);
    if ((await get(url)) === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer ${url} within 60 s: ${logs()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
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
    }, 3000).unref();
  });
}

export interface Faults {
  latency_ms?: number;
  error_rate?: number;
  swap?: boolean;
  version?: string;
  hang?: boolean;
  malformed?: boolean;
  trickle?: boolean;
  huge?: boolean;
  close?: boolean;
}
export const NO_FAULTS: Required<Faults> = { latency_ms: 0, error_rate: 0, swap: false, version: '1', hang: false, malformed: false, trickle: false, huge: false, close: false };

export interface ModelServer {
  readonly port: number;
  readonly url: string;
  setFaults(faults: Faults): Promise<void>;
  stop(): Promise<void>;
}

/** The model server on a free port, once it answers its health route. */
export async function startModelServer(): Promise<ModelServer> {
  const port = await freePort();
  let logs = '';
  const child = spawn(PYTHON, [SERVER, String(port)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (logs = (logs + d.toString()).slice(-4000)));
  child.stderr!.on('data', (d: Buffer) => (logs = (logs + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/v2/health/live`, child, 'the model server', () => logs);
  return {
    port,
    url,
    setFaults: (faults) =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify(faults);
        const req = http.request(`${url}/_faults`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`faults: HTTP ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(body);
      }),
    stop: () => stopChild(child),
  };
}

export interface Nginx {
  readonly httpUrl: string;
  readonly httpsUrl: string;
  /** nginx's `combined` access log. */
  readonly accessLog: string;
  /** The same requests in `combined` followed by `$request_time`. */
  readonly timedAccessLog: string;
  /** The self-signed certificate (PEM) of the https listener. */
  readonly certificate: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** nginx in front of `upstreamPort`: HTTP and HTTPS (a fresh self-signed certificate from openssl), run as this user with a temp prefix. */
export async function startNginx(upstreamPort: number): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'modelmon-nginx-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-keyout', key, '-out', cert, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const accessLog = join(dir, 'access.log');
  const timedAccessLog = join(dir, 'access-timed.log');
  const config = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  log_format timed '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time';
  access_log ${accessLog} combined;
  access_log ${timedAccessLog} timed;
  upstream model { server 127.0.0.1:${upstreamPort}; }
  server {
    listen 127.0.0.1:${httpPort};
    listen 127.0.0.1:${httpsPort} ssl;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    location / { proxy_pass http://model; proxy_read_timeout 30s; }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), config);
  let logs = '';
  const child = spawn('nginx', ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (logs = (logs + d.toString()).slice(-4000)));
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  await waitFor(`${httpUrl}/v2/health/live`, child, 'nginx', () => logs);
  return {
    httpUrl,
    httpsUrl: `https://127.0.0.1:${httpsPort}`,
    accessLog,
    timedAccessLog,
    certificate: readFileSync(cert, 'utf8'),
    dir,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
