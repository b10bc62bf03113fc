// TensorBoard at sweep scale: a generated 1,000-run log directory (20 tags x 1,000 steps, about
// 1 GB). `modelmon tb` end to end and the first scan the editor runs (a LogdirWatcher, as in
// `tb --follow`), each in a fresh process for an honest peak RSS; bytes a stored point; the cost
// of a poll when nothing changed; and the same bytes in one file, to compare rates per byte.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogdirWatcher, readLogdir } from '../src/io/tfevents/logdir';
import type { BenchFigure } from './harness';
import { generateRunDir } from './tfevents-gen';

const ENGINE = 'tfevents-scale';
const CLI = 'dist/cli.js';
const TIME = '/usr/bin/time';

interface ProcessRun {
  wallMs: number;
  cpuMs: number;
  peakMiB: number;
}

/** Runs the CLI to its end (output discarded): wall time, CPU time and peak RSS from GNU time, else /proc. */
function runCli(args: string[]): Promise<ProcessRun> {
  const timed = existsSync(TIME);
  const [command, argv] = timed ? [TIME, ['-f', '%U %S %M', process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let peak = 0;
    const sampler = timed ? undefined : setInterval(() => (peak = Math.max(peak, vmHwmKiB(child.pid))), 20);
    child.on('error', reject);
    child.on('close', (code) => {
      if (sampler) clearInterval(sampler);
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`modelmon ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
      if (!timed) return resolve({ wallMs, cpuMs: NaN, peakMiB: peak / 1024 });
      const [user, sys, maxKiB] = stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
      resolve({ wallMs, cpuMs: (user! + sys!) * 1000, peakMiB: maxKiB! / 1024 });
    });
  });
}

/** Starts `tb --follow --json` (a LogdirWatcher with its watch, as the editor runs it) and stops it once the first scan is printed. */
function firstScan(dir: string): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, 'tb', '--follow', '--json', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, vmHwmKiB(child.pid))), 20);
    let done = false;
    child.stdout.on('data', (d: Buffer) => {
      if (done || !d.includes(10)) return;
      done = true;
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      peak = Math.max(peak, vmHwmKiB(child.pid));
      const cpuMs = processCpuMs(child.pid);
      clearInterval(sampler);
      child.kill('SIGTERM');
      resolve({ wallMs, cpuMs, peakMiB: peak / 1024 });
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      if (!done) reject(new Error(`tb --follow ended (${code}) before its first scan`));
    });
  });
}

function vmHwmKiB(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** utime + stime of a live process, from /proc (clock ticks of 10 ms). */
function processCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const range = (xs: number[], digits = 0) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `${sorted[0]!.toFixed(digits)}-${sorted.at(-1)!.toFixed(digits)}`;
};

export async function bench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const fig = (name: string, value: number, unit: string, anchor?: string) =>
    figures.push(anchor === undefined ? { engine: ENGINE, name, value, unit } : { engine: ENGINE, name, value, unit, anchor });
  const dir = mkdtempSync(join(tmpdir(), 'modelmon-bench-scale-'));
  try {
    const many = join(dir, 'sweep');
    const { bytes, events } = generateRunDir(many, { runs: 1000, tags: 20, steps: 1000 });
    const gb = (bytes / 1e9).toFixed(2);
    process.stdout.write(`  (1,000 runs x 20 tags x 1,000 steps: ${gb} GB, ${events / 1e6} M events; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})\n`);

    const tb: ProcessRun[] = [];
    for (let i = 0; i < 3; i++) tb.push(await runCli(['tb', many]));
    const best = Math.min(...tb.map((r) => r.wallMs));
    fig(`modelmon tb, 1,000 runs (${gb} GB): end to end, best of 3`, best / 1000, 's', '< 6 s (was 9.0 s for 500 runs)');
    fig(`modelmon tb, 1,000 runs: end to end, range of 3 (s): ${range(tb.map((r) => r.wallMs / 1000), 2)}`, best / 1000, 's');
    fig('modelmon tb, 1,000 runs: CPU time (user + sys), best of 3', Math.min(...tb.map((r) => r.cpuMs)) / 1000, 's');
    fig('modelmon tb, 1,000 runs: peak RSS, worst of 3', Math.max(...tb.map((r) => r.peakMiB)), 'MiB', '< 400 MB (was 447 MB for 500 runs)');
    fig('modelmon tb, 1,000 runs: throughput, best of 3', bytes / 1e6 / (best / 1000), 'MB/s');

    const scans: ProcessRun[] = [];
    for (let i = 0; i < 3; i++) scans.push(await firstScan(many));
    const bestScan = Math.min(...scans.map((r) => r.wallMs));
    fig(`editor's first scan (LogdirWatcher, tb --follow), 1,000 runs: best of 3; range ${range(scans.map((r) => r.wallMs / 1000), 2)} s`, bestScan / 1000, 's', '< 6 s');
    fig("editor's first scan, 1,000 runs: peak RSS, worst of 3", Math.max(...scans.map((r) => r.peakMiB)), 'MiB', '< 400 MB');

    gc();
    const before = process.memoryUsage();
    const { store } = await readLogdir(many);
    gc();
    const after = process.memoryUsage();
    let points = 0;
    let arrayBytes = 0;
    for (const run of store.runs) {
      for (const series of run.tags.values()) {
        points += series.size;
        arrayBytes += series.storageBytes;
      }
    }
    const held = after.heapUsed + after.external - before.heapUsed - before.external;
    fig(`bytes a stored point, all in (heap + external after gc / ${points / 1e6} M points)`, held / points, 'B', '<= 16 B (was about 45)');
    fig('bytes a stored point in the series arrays alone', arrayBytes / points, 'B');

    const watcher = new LogdirWatcher(many, { useFsWatch: false });
    await watcher.poll();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 10; i++) await watcher.poll();
    const pollMs = Number(process.hrtime.bigint() - t0) / 1e6 / 10;
    const cpu = process.cpuUsage(c0);
    watcher.dispose();
    fig('polling fallback, 1,000 unchanged runs: wall time a poll (mean of 10)', pollMs, 'ms');
    fig('polling fallback, 1,000 unchanged runs: CPU a poll (mean of 10)', (cpu.user + cpu.system) / 1000 / 10, 'ms', 'at the 1 s default: that share of one core');
    rmSync(many, { recursive: true, force: true });

    // The same bytes in one file: a per-byte rate across 1,000 files should match it.
    const one = join(dir, 'one');
    const single = generateRunDir(one, { runs: 1, tags: 20, steps: 1_000_000 });
    const oneRuns: ProcessRun[] = [];
    for (let i = 0; i < 3; i++) oneRuns.push(await runCli(['tb', one]));
    const bestOne = Math.min(...oneRuns.map((r) => r.wallMs));
    fig(`one file of ${(single.bytes / 1e9).toFixed(2)} GB (20 tags x 1 M steps): modelmon tb, best of 3`, single.bytes / 1e6 / (bestOne / 1000), 'MB/s', '1,000 files should match it per byte');
    fig('one file: CPU time (user + sys), best of 3', Math.min(...oneRuns.map((r) => r.cpuMs)) / 1000, 's');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
