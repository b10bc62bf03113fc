// TensorBoard engine benchmarks: framing + CRC and full decode throughput on a generated
// PyTorch-shaped file and on the real fixtures, peak RSS over a 1 GB file, and the latency from
// appending an event to a watched file until its finding is reported.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, appendFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealthMonitor } from '../src/core/tfevents/health';
import { TfRecordFramer } from '../src/core/tfevents/record-framer';
import { LogdirWatcher, readLogdir } from '../src/io/tfevents/logdir';
import type { BenchFigure } from './harness';
import { writeScalarFile, writeScalarRecord } from './tfevents-gen';

const ENGINE = 'tfevents';
const TAGS = Array.from({ length: 20 }, (_, i) => new TextEncoder().encode(`train/metric_${String(i).padStart(2, '0')}`));

/** Writes `steps` steps of all 20 tags to `file`, about 1 MB at a time; returns [bytes, events]. */
function generate(file: string, steps: number): [number, number] {
  const point = (_t: number, step: number) => ({ wallTime: 1.7e9 + step * 0.05, value: Math.exp(-step / 5000) + Math.sin(step) * 0.01 });
  const { bytes, events } = writeScalarFile(file, TAGS, steps, point, new Uint8Array(2 * 1024 * 1024), 4096);
  return [bytes, events];
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function frameOnly(bytes: Uint8Array): number {
  let n = 0;
  const framer = new TfRecordFramer();
  for (let i = 0; i < bytes.length; i += 1 << 20) framer.pushRanges(bytes.subarray(i, i + (1 << 20)), () => n++, () => undefined);
  return n;
}

async function best<T>(rounds: number, fn: () => Promise<T> | T): Promise<number> {
  let ms = Infinity;
  for (let r = 0; r < rounds; r++) {
    gc();
    const t0 = process.hrtime.bigint();
    await fn();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return ms;
}

function eventFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...eventFiles(p));
    else if (e.name.includes('tfevents')) out.push(p);
  }
  return out;
}

export async function bench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const fig = (name: string, value: number, unit: string, anchor?: string) =>
    figures.push(anchor === undefined ? { engine: ENGINE, name, value, unit } : { engine: ENGINE, name, value, unit, anchor });
  const dir = mkdtempSync(join(tmpdir(), 'modelmon-bench-tb-'));
  try {
    // 1 GB first, while the process is still small: its peak RSS is the reader's.
    const big = join(dir, 'big', 'events.out.tfevents.1700000000.bench');
    mkdirSync(join(dir, 'big'));
    const [bigBytes, bigEvents] = generate(big, Math.ceil(1e9 / 20 / 54));
    gc();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t0 = process.hrtime.bigint();
    const { store: bigStore } = await readLogdir(join(dir, 'big'));
    const bigMs = Number(process.hrtime.bigint() - t0) / 1e6;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const bigPoints = bigStore.runs[0]!.tagList().reduce((n, s) => n + s.totalPoints, 0);
    if (bigPoints !== bigEvents) throw new Error(`1 GB read lost points: ${bigPoints} of ${bigEvents}`);
    fig(`1 GB file (${(bigBytes / 1e9).toFixed(2)} GB, ${(bigEvents / 1e6).toFixed(1)} M events): peak RSS while reading`, peak / 2 ** 20, 'MiB', '< 300 MB');
    fig('1 GB file: process maxRSS so far (generation included)', process.resourceUsage().maxRSS / 1024, 'MiB', '< 300 MB');
    fig('1 GB file: read + decode + store, CRC on', bigBytes / 1e6 / (bigMs / 1000), 'MB/s', '>= 150 MB/s');
    rmSync(big);
    gc();

    // 500,000 PyTorch-shaped scalar events: 20 tags x 25,000 steps.
    const file = join(dir, 'gen', 'events.out.tfevents.1700000001.bench');
    mkdirSync(join(dir, 'gen'));
    const [bytes, events] = generate(file, 25_000);
    const data = readFileSync(file);
    const frameMs = await best(5, () => frameOnly(data));
    fig(`500k events (${(bytes / 1e6).toFixed(1)} MB): framing + CRC, in memory`, bytes / 1e6 / (frameMs / 1000), 'MB/s', 'TensorBoard 2.21 Python: 6.2 s (~4 MB/s)');
    fig('500k events: framing + CRC, in memory', events / 1e6 / (frameMs / 1000), 'M events/s', 'Python: 0.08 M/s');
    const readMs = await best(5, () => readLogdir(join(dir, 'gen')));
    fig('500k events: read file + frame + CRC + decode + store', bytes / 1e6 / (readMs / 1000), 'MB/s', '>= 150 MB/s');
    fig('500k events: read file + frame + CRC + decode + store', events / 1e6 / (readMs / 1000), 'M events/s', '>= 2 M/s; Python decode 29 s (0.017 M/s)');
    fig('500k events: wall time, full read', readMs, 'ms', 'Python EventFileLoader 29-33 s');
    const noCrcMs = await best(5, () => readLogdir(join(dir, 'gen'), { verifyDataCrc: false }));
    fig('500k events: full read with --no-data-crc', events / 1e6 / (noCrcMs / 1000), 'M events/s');

    // The real fixtures (PyTorch, Lightning, TF2 summaries; histograms and images included).
    const root = 'test/fixtures/tensorboard';
    const files = eventFiles(root);
    const fixtureBytes = files.reduce((n, f) => n + statSync(f).size, 0);
    const fixtureRecords = files.reduce((n, f) => n + frameOnly(readFileSync(f)), 0);
    const fixtureMs = await best(5, () => readLogdir(root));
    fig(`real fixtures (${files.length} files, ${(fixtureBytes / 1e6).toFixed(1)} MB): full read`, fixtureBytes / 1e6 / (fixtureMs / 1000), 'MB/s');
    fig(`real fixtures (${fixtureRecords} records): full read`, fixtureRecords / 1e6 / (fixtureMs / 1000), 'M events/s');

    // Latency: append one NaN event to a watched file until its finding is reported.
    const live = join(dir, 'live');
    mkdirSync(live);
    const liveFile = join(live, 'events.out.tfevents.1700000002.bench');
    appendFileSync(liveFile, new Uint8Array(0));
    const monitor = new HealthMonitor();
    let waiting: { tag: string; resolve: () => void } | undefined;
    const watcher = new LogdirWatcher(live, { pollIntervalMs: 1000 }, () => {
      const { added } = monitor.update(watcher.store);
      if (waiting && added.some((f) => f.tag === waiting!.tag && f.kind === 'non-finite')) waiting.resolve();
    });
    await watcher.start();
    const latencies: number[] = [];
    const one = new Uint8Array(256);
    for (let i = 0; i < 20; i++) {
      const tag = new TextEncoder().encode(`probe_${String(i).padStart(2, '0')}/loss`);
      const end = writeScalarRecord(one, 0, tag, 1, 1.7e9, NaN);
      const reached = new Promise<void>((resolve) => (waiting = { tag: new TextDecoder().decode(tag), resolve }));
      const start = process.hrtime.bigint();
      appendFileSync(liveFile, one.subarray(0, end));
      await reached;
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      await new Promise((r) => setTimeout(r, 30));
    }
    watcher.dispose();
    latencies.sort((a, b) => a - b);
    fig('append -> finding latency, median of 20 (fs.watch)', latencies[10]!, 'ms', 'well under 1 s');
    fig('append -> finding latency, max of 20 (fs.watch)', latencies[19]!, 'ms', 'well under 1 s');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
