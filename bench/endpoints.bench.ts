// Endpoints: access-log throughput, probe timing accuracy against a server with a known added
// delay, and the probe's own CPU per request. The server is a child Node process on 127.0.0.1 so
// its timers never share an event loop with the probe being measured.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseCombinedLine } from '../src/core/endpoints/accessLog';
import { AccessLogReader } from '../src/io/endpoints/accessLogFile';
import { EndpointMonitor } from '../src/core/endpoints/monitor';
import { httpProbe } from '../src/io/endpoints/httpProbe';
import type { BenchFigure } from './harness';

const LINES = 1_000_000;

function accessLog(): string {
  const routes = ['/v2/models/iris/infer', '/v2/health/ready', '/metrics', '/v2/models/iris/ready'];
  const parts: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const s = i % 86400;
    const time = `02/Dec/2026:${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')} +0000`;
    parts.push(`10.0.${i % 256}.${i % 199} - - [${time}] "POST ${routes[i % 4]} HTTP/1.1" ${i % 97 === 0 ? 503 : 200} ${200 + (i % 300)} "-" "python-requests/2.31.0" 0.0${(i % 90) + 10}`);
  }
  return parts.join('\n') + '\n';
}

/** A server that answers after `x-delay-ms` and reports in its body the delay it really applied (µs, from its own clock). */
const SERVER = `
const http = require('http');
const s = http.createServer((req, res) => {
  const t0 = process.hrtime.bigint();
  const delay = Number(req.headers['x-delay-ms'] || 0);
  const answer = () => { const us = Number(process.hrtime.bigint() - t0) / 1000; res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ ready: true, applied_us: us })); };
  if (delay > 0) setTimeout(answer, delay); else answer();
});
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};


export async function bench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const text = accessLog();
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 1 << 20) chunks.push(text.slice(i, i + (1 << 20)));
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    const reader = new AccessLogReader('auto', 60);
    for (const c of chunks) reader.push(c);
    const report = reader.end();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (report.requests !== LINES) throw new Error(`read ${report.requests} of ${LINES} lines`);
    best = Math.min(best, ms);
  }
  figures.push({ engine: 'endpoints', name: 'access log (combined + $request_time), lines/s', value: LINES / (best / 1000), unit: 'lines/s', anchor: '>= 500,000' });
  const lines = text.split('\n', 200_000);
  let parseBest = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (const l of lines) parseCombinedLine(l);
    parseBest = Math.min(parseBest, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  figures.push({ engine: 'endpoints', name: 'combined line parser alone, lines/s', value: lines.length / (parseBest / 1000), unit: 'lines/s' });

  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [first] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(first.toString().trim());
    const url = `http://127.0.0.1:${port}/`;
    for (let i = 0; i < 20; i++) await httpProbe(url, { timeoutMs: 5000 }); // warm up both sides
    const DELAY = 50;
    const base: number[] = [];
    const delayed: { ttfb: number; applied: number }[] = [];
    for (let i = 0; i < 40; i++) {
      const b = await httpProbe(url, { timeoutMs: 5000, headers: { 'x-delay-ms': '0' } });
      base.push(b.timing.firstByteMs!);
      const d = await httpProbe(url, { timeoutMs: 5000, json: true, headers: { 'x-delay-ms': String(DELAY) } });
      delayed.push({ ttfb: d.timing.firstByteMs!, applied: (d.json as { applied_us: number }).applied_us / 1000 });
    }
    // The probe's error: its first-byte time with the delay, minus the median without, minus the delay the server really applied.
    const errors = delayed.map((d) => d.ttfb - median(base) - d.applied);
    figures.push({ engine: 'endpoints', name: `probe timing error at ${DELAY} ms added delay, median`, value: Math.abs(median(errors)), unit: 'ms', anchor: 'within 2 ms' });
    figures.push({ engine: 'endpoints', name: 'probe timing error, worst of 40', value: Math.max(...errors.map(Math.abs)), unit: 'ms' });

    const N = 500;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await httpProbe(url, { timeoutMs: 5000, json: true });
    const cpu = process.cpuUsage(cpu0);
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    figures.push({ engine: 'endpoints', name: 'probe CPU per request (user + system, fresh connection)', value: (cpu.user + cpu.system) / N, unit: 'µs' });
    figures.push({ engine: 'endpoints', name: 'probe wall time per request on loopback', value: wallMs / N, unit: 'ms' });

    // A day of one-second probes compressed: 20,000 probes through the editor's monitor; the heap after GC must level off.
    const gc = (globalThis as { gc?: () => void }).gc;
    const monitor = new EndpointMonitor({ p99Ms: 100 });
    const heapAt: number[] = [];
    for (let i = 1; i <= 20_000; i++) {
      monitor.update(await httpProbe(url, { timeoutMs: 5000 }));
      if (i === 5_000 || i === 20_000) {
        gc?.();
        heapAt.push(process.memoryUsage().heapUsed / 2 ** 20);
      }
    }
    figures.push({ engine: 'endpoints', name: 'heap growth from probe 5,000 to 20,000 (after GC)', value: heapAt[1]! - heapAt[0]!, unit: 'MiB', anchor: 'flat' });
  } finally {
    child.kill();
  }
  return figures;
}
