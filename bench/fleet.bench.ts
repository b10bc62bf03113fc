// modelmon watch: the /metrics page with 10,000 series (samples applied, then rendered in both
// formats), and the watcher's CPU at idle on the example workspace (process CPU time over 30 s
// from /proc, with a scrape every 15 s as Prometheus would).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { join, resolve } from 'node:path';
import { decide, judgeMonitor } from '../src/core/check';
import { samplesOf, type FleetSnapshot } from '../src/core/fleet/families';
import type { MonitorView } from '../src/core/report/types';
import type { FeatureDriftView } from '../src/protocol';
import { MetricsExposition } from '../src/io/fleet/exposition';
import type { BenchFigure } from './harness';

const MONITORS = 50;
const FEATURES = 100;

/** 50 prediction monitors of 100 features: drifted and score for each, 10,000 series, plus the per-monitor few. */
function bigSnapshot(): FleetSnapshot {
  const monitors = [];
  const views: MonitorView[] = [];
  for (let m = 0; m < MONITORS; m++) {
    monitors.push(judgeMonitor({ name: `model_${m}`, type: 'predictions', target: `log_${m}.jsonl`, severity: {} }, { findings: [{ kind: 'data_drift', severity: 'warning', message: 'drift' }], summary: '', tables: [] }, [], 'error', 0));
    const features: FeatureDriftView[] = [];
    for (let f = 0; f < FEATURES; f++) features.push({ feature: `feature_${f}`, kind: 'numeric', statistic: 'psi', value: (m * FEATURES + f) / 1e4, test: null, pValue: null, drifted: f % 7 === 0 });
    views.push({ type: 'predictions', view: { log: `log_${m}.jsonl`, rows: 1e6 + m, windows: [{ start: 0, end: 999, metrics: { accuracy: 0.9, estimatedAccuracy: 0.91 } }], features, alerts: [], segments: [], suspicious: [] } });
  }
  return { version: 'bench', result: decide('modelmon.json', 'error', monitors, '', 0), views };
}

async function renderFigures(): Promise<BenchFigure[]> {
  const snapshot = bigSnapshot();
  const samples = samplesOf(snapshot);
  const featureSeries = samples.filter((s) => s.family.name.startsWith('modelmon_feature_')).length;
  if (featureSeries !== MONITORS * FEATURES * 2) throw new Error(`expected ${MONITORS * FEATURES * 2} feature series, got ${featureSeries}`);
  const exposition = new MetricsExposition();
  let apply = Infinity;
  let text = Infinity;
  let open = Infinity;
  let bytes = 0;
  for (let r = 0; r < 6; r++) {
    let t0 = process.hrtime.bigint();
    exposition.apply(samplesOf(snapshot));
    apply = Math.min(apply, Number(process.hrtime.bigint() - t0) / 1e6);
    t0 = process.hrtime.bigint();
    bytes = (await exposition.render('prometheus')).body.length;
    text = Math.min(text, Number(process.hrtime.bigint() - t0) / 1e6);
    t0 = process.hrtime.bigint();
    await exposition.render('openmetrics');
    open = Math.min(open, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  // A scrape between two changes is served from the rendered page.
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 1000; i++) await exposition.render('prometheus');
  const cached = Number(process.hrtime.bigint() - t0) / 1e6 / 1000;
  return [
    { engine: 'fleet', name: `/metrics series (${MONITORS} monitors x ${FEATURES} features x 2)`, value: samples.length, unit: 'series' },
    { engine: 'fleet', name: 'apply a snapshot of 10,000 series, ms', value: apply, unit: 'ms' },
    { engine: 'fleet', name: 'render 10,000 series, Prometheus text, ms', value: text, unit: 'ms', anchor: 'once per change' },
    { engine: 'fleet', name: 'render 10,000 series, OpenMetrics, ms', value: open, unit: 'ms' },
    { engine: 'fleet', name: 'page size, 10,000 series', value: bytes / 1024, unit: 'KiB' },
    { engine: 'fleet', name: 'scrape between changes (shared page), ms', value: cached, unit: 'ms' },
  ];
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = net.createServer().once('error', fail).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => done(port));
    });
  });
}

function status(url: string): Promise<number> {
  return new Promise((done) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('error', () => done(0));
    req.setTimeout(5000, () => req.destroy());
  });
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number, ticks: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

async function idleFigures(): Promise<BenchFigure[]> {
  const cli = resolve(__dirname, 'cli.js');
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'watch', '--config', join('examples', 'modelmon.json'), '--listen', `127.0.0.1:${port}`], { stdio: 'ignore' });
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const url = `http://127.0.0.1:${port}/metrics`;
  try {
    const started = Date.now();
    while ((await status(url)) !== 200) {
      if (child.exitCode !== null || Date.now() - started > 180_000) throw new Error('modelmon watch did not publish within 180 s');
      await new Promise((r) => setTimeout(r, 250));
    }
    const firstCheck = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 3000));
    const windowS = 30;
    const cpu0 = cpuSeconds(child.pid!, ticks);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < windowS / 15; i++) {
      await status(url);
      await new Promise((r) => setTimeout(r, 15_000));
    }
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = cpuSeconds(child.pid!, ticks) - cpu0;
    const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
    return [
      { engine: 'fleet', name: 'watch on examples/: first check until /metrics, s', value: firstCheck, unit: 's' },
      { engine: 'fleet', name: `watch at idle on examples/: CPU over ${windowS} s, % of a core`, value: (cpu / wall) * 100, unit: '%', anchor: '< 1%' },
      { engine: 'fleet', name: 'watch at idle on examples/: RSS, MiB', value: rss, unit: 'MiB' },
    ];
  } finally {
    child.kill('SIGTERM');
  }
}

export async function bench(): Promise<BenchFigure[]> {
  return [...(await renderFigures()), ...(await idleFigures())];
}
