// `modelmon watch` as a real process (the CLI bundle), on a free loopback port, for the fleet tests.
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { buildCliBundle } from '../helpers/cliBundle';
import { freePort } from '../../servers/prometheus/harness';

let bundle: Promise<string> | undefined;
export const cliBundle = (): Promise<string> => (bundle ??= buildCliBundle('fleet-cli'));

export interface WatchProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** 127.0.0.1:PORT, as a scrape target. */
  readonly target: string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  /** SIGTERM (or `signal`), then SIGKILL after 10 s; resolves with how it ended. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface GetResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function get(url: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<GetResult> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} in ${timeoutMs} ms`)));
  });
}

/** Starts `modelmon watch --listen 127.0.0.1:PORT --interval 1 ...args` in `cwd`; resolves once /metrics answers 200. */
export async function startWatch(cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, ready = true): Promise<WatchProcess> {
  const cli = await cliBundle();
  const port = await freePort();
  let err = '';
  const child = spawn(process.execPath, [cli, 'watch', '--listen', `127.0.0.1:${port}`, '--interval', '1', ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const how = await exited;
      clearTimeout(timer);
      return how;
    }
    return exited;
  };
  const proc: WatchProcess = { child, port, target: `127.0.0.1:${port}`, stderr: () => err, exited, stop };
  if (!ready) return proc;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`modelmon watch exited ${child.exitCode}: ${err}`);
    const status = await get(`http://127.0.0.1:${port}/metrics`, {}, 2000).then((r) => r.status, () => 0);
    if (status === 200) return proc;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`modelmon watch did not publish within 90 s: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A sample's value of a Prometheus text page: `name{a="b",...}` exactly as written, or undefined. */
export function pageValue(page: string, series: string): number | undefined {
  for (const line of page.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1).split(' ')[0]);
  }
  return undefined;
}
