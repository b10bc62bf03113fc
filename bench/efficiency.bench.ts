// The efficiency join at scale: a generated 1,000-run log directory (one tag, 500 steps of 0.05 s,
// a run every 86.4 s) against a day of 1 s samples of one GPU (86,400), as an nvidia-smi -l 1 CSV
// and as a modelmon gpu --record file. Each part timed alone: reading the runs, reading the GPU
// log, and the join itself (pace, utilisation, energy, findings for every run).
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeEfficiency } from '../src/core/efficiency/compute';
import { GpuHistory } from '../src/core/efficiency/history';
import { runTimeline } from '../src/core/efficiency/timeline';
import type { GpuSample } from '../src/core/efficiency/types';
import { readGpuLogFile } from '../src/io/efficiency/gpuLogFile';
import { measureLogdirEfficiency } from '../src/io/efficiency/logdirEfficiency';
import { GpuRecordFile } from '../src/io/efficiency/recordFile';
import { readLogdir } from '../src/io/tfevents/logdir';
import type { BenchFigure } from './harness';
import { generateRunDir } from './tfevents-gen';

const ENGINE = 'efficiency';
const RUNS = 1000;
const DAY = 86_400;
const START_S = 1.7e9;
const UUID = 'GPU-c8c15712-c8dc-d96a-c46e-698c8453498d';

/** A day of one GPU at 1 s: busy while a run's even steps are logged, idle between runs. */
function daySamples(): GpuSample[] {
  const out: GpuSample[] = [];
  for (let s = 0; s < DAY; s++) {
    const inRun = s % 86.4 < 25;
    // Even runs wait on their input (the GPU busy one second in three), odd ones keep it busy.
    const busy = inRun && (Math.floor(s / 86.4) % 2 === 1 || s % 3 === 0);
    out.push({ timeMs: (START_S + s) * 1000, gpu: UUID, index: 0, host: '', utilizationGpu: busy ? 97 : inRun ? 12 : 0, memoryUsedMiB: inRun ? 20_000 : 0, memoryTotalMiB: 81_559, powerW: busy ? 650 + (s % 7) : 120 + (s % 5) });
  }
  return out;
}

/** The same samples as nvidia-smi writes them (`timestamp` in UTC here, as on a UTC machine). */
function smiCsv(samples: readonly GpuSample[]): string {
  const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '').replace(/-/g, '/');
  const rows = samples.map((s) => `${stamp(s.timeMs)}, 0, ${UUID}, ${s.utilizationGpu} %, ${s.memoryTotalMiB} MiB, ${s.memoryUsedMiB} MiB, ${s.powerW!.toFixed(2)} W`);
  return 'timestamp, index, uuid, utilization.gpu [%], memory.total [MiB], memory.used [MiB], power.draw [W]\n' + rows.join('\n') + '\n';
}

const best = async (rounds: number, fn: () => Promise<unknown> | unknown): Promise<number> => {
  let min = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return min;
};

export async function bench(): Promise<BenchFigure[]> {
  const root = mkdtempSync(join(tmpdir(), 'modelmon-bench-efficiency-'));
  try {
    const logdir = join(root, 'runs');
    generateRunDir(logdir, { runs: RUNS, tags: 1, steps: 500, runSpacingSeconds: DAY / RUNS });
    const samples = daySamples();
    const csvPath = join(root, 'gpu.csv');
    writeFileSync(csvPath, smiCsv(samples));
    const recPath = join(root, 'gpu.rec');
    const rec = await GpuRecordFile.open(recPath);
    rec.append(samples);
    await rec.close();

    const { store } = await readLogdir(logdir);
    const timelines = store.runs.map((r) => runTimeline(r));
    const history = GpuHistory.of(samples, { maxSamplesPerGpu: DAY });
    const options = { pricePerKWh: 0.3, nowMs: (START_S + DAY) * 1000 };
    let result = computeEfficiency(timelines, history, options);
    const joinMs = await best(5, () => (result = computeEfficiency(timelines, history, options)));
    const inputBound = result.filter((e) => e.findings.some((f) => f.kind === 'input-bound')).length;
    const samplesJoined = result.reduce((n, e) => n + e.gpu.samples, 0);
    const historyMs = await best(5, () => GpuHistory.of(samples, { maxSamplesPerGpu: DAY }));
    const runsMs = await best(3, () => readLogdir(logdir));
    const csvMs = await best(3, () => readGpuLogFile(csvPath, { utcOffsetMinutes: 0 }));
    const recMs = await best(3, () => readGpuLogFile(recPath));
    const wholeMs = await best(3, () => measureLogdirEfficiency(logdir, { gpuLogs: [csvPath], gpuLogUtcOffsetMinutes: 0, computeApps: [], ...options }));
    const csvLog = await readGpuLogFile(csvPath, { utcOffsetMinutes: 0 });
    if (csvLog.samples !== DAY || csvLog.problemCount) throw new Error(`bench: the generated CSV read as ${csvLog.describe()}`);
    return [
      { engine: ENGINE, name: `join: ${RUNS} runs x ${DAY} samples`, value: joinMs, unit: 'ms', anchor: `${samplesJoined} samples in runs; ${inputBound} input-bound` },
      { engine: ENGINE, name: 'join: per run', value: (joinMs / RUNS) * 1000, unit: 'µs' },
      { engine: ENGINE, name: `GPU history of ${DAY} samples`, value: historyMs, unit: 'ms' },
      { engine: ENGINE, name: `read ${RUNS} runs (500k events)`, value: runsMs, unit: 'ms' },
      { engine: ENGINE, name: `read a day of nvidia-smi CSV (${(statSync(csvPath).size / 1e6).toFixed(1)} MB)`, value: csvMs, unit: 'ms' },
      { engine: ENGINE, name: `read the same as a record (${(statSync(recPath).size / 1e6).toFixed(1)} MB)`, value: recMs, unit: 'ms' },
      { engine: ENGINE, name: 'measureLogdirEfficiency end to end (CSV)', value: wholeMs, unit: 'ms' },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
