import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PredictionMonitor } from '../src/core/predictions';
import { analyzePredictionLog } from '../src/io/predictions';
import { timeBest, type BenchFigure } from './harness';
import { MultivariateDriftMonitor, ReconstructionModel, domainClassifierAuc } from '../src/core/multivariate';

const FIXTURES = 'test/fixtures/predictions';
const ROWS = Number(process.env.MODELMON_BENCH_PRED_ROWS ?? 200_000);

/** Writes the fixture's data rows again and again (header once for CSV) until `rows` rows. */
export function bigLog(dir: string, name: string, rows: number): string {
  const text = readFileSync(join(FIXTURES, name), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = name.endsWith('.csv') ? lines.shift()! : undefined;
  const block = lines.join('\n') + '\n';
  const path = join(dir, name);
  writeFileSync(path, header ? header + '\n' : '');
  for (let written = 0; written < rows; written += lines.length) appendFileSync(path, block);
  return path;
}

async function measure(path: string): Promise<{ rows: number; seconds: number; cpuSeconds: number; retainedMb: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const report = await analyzePredictionLog(path);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  // What the report and monitor keep after the run (with --expose-gc): bounded windows, lists, caps.
  gc?.();
  const retainedMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
  return { rows: report.rows, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, retainedMb };
}

/** `modelmon predictions FILE --json` as a whole process (issue 22's end-to-end figure): rows and seconds. */
function wholeProcess(path: string): { rows: number; seconds: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['dist/cli.js', 'predictions', path, '--json'], { maxBuffer: 1 << 30, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`modelmon predictions ${path} exited ${r.status}: ${r.stderr.slice(0, 300)}`);
  return { rows: (JSON.parse(r.stdout) as { rows: number }).rows, seconds };
}

export async function bench(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'modelmon-pred-bench-'));
  const figures: BenchFigure[] = [];
  try {
    for (const name of ['tabular_dev.jsonl', 'tabular_dev.csv', 'digits_dev.jsonl']) {
      const rows = name.startsWith('digits') ? ROWS / 4 : ROWS;
      const path = bigLog(dir, name, rows);
      const mb = statSync(path).size / 1e6;
      const m = await measure(path);
      figures.push({ engine: 'predictions', name: `${name} x${Math.round(m.rows / 1000)}k rows: throughput`, value: m.rows / m.seconds, unit: 'rows/s', anchor: name.startsWith('tabular') ? '>= 100000 rows/s' : undefined } as BenchFigure);
      // On a shared machine wall time overstates the cost; CPU time (all threads, GC included) does not.
      figures.push({ engine: 'predictions', name: `${name}: throughput per CPU second`, value: m.rows / m.cpuSeconds, unit: 'rows/cpu-s', anchor: name.startsWith('tabular') ? '>= 100000 rows/s' : undefined } as BenchFigure);
      figures.push({ engine: 'predictions', name: `${name}: bytes`, value: mb / m.seconds, unit: 'MB/s' });
      figures.push({ engine: 'predictions', name: `${name} (${mb.toFixed(0)} MB): heap retained after the run`, value: m.retainedMb, unit: 'MB', anchor: 'bounded, not growing with the file' });
      if (name.startsWith('tabular')) {
        const w = wholeProcess(path);
        figures.push({ engine: 'predictions', name: `${name}: modelmon predictions --json as a whole process`, value: w.rows / w.seconds, unit: 'rows/s', anchor: name.endsWith('.csv') ? '>= 300,000 rows/s (issue 22)' : '>= 250,000 rows/s (issue 22)' });
      }
      rmSync(path);
    }
    // The core alone, text already in memory, warm (best of 3): the engine without file I/O.
    const text = readFileSync(join(FIXTURES, 'tabular_dev.jsonl'), 'utf8');
    const ten = text.repeat(10);
    let rows = 0;
    const ms = timeBest(() => {
      const monitor = new PredictionMonitor();
      monitor.pushText(ten);
      monitor.end();
      rows = monitor.rows;
    }, 3);
    figures.push({ engine: 'predictions', name: `core PredictionMonitor.pushText (tabular, ${rows / 1000}k rows, warm)`, value: rows / (ms / 1000), unit: 'rows/s', anchor: '>= 100000 rows/s' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

/**
 * Multivariate drift's cost: the reconstruction model's fit, its error over one window, one
 * domain-classifier run (as the monitor runs it when an episode opens, and with the API's
 * defaults), and the whole monitor on the tabular log with and without the multivariate methods.
 */
export async function benchMultivariate(): Promise<BenchFigure[]> {
  const rows = readFileSync(join(FIXTURES, 'tabular_dev.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const names = Object.keys(rows[0]!).filter((k) => typeof rows[0]![k] === 'number' && !['id', 'score', 'prediction', 'label'].includes(k));
  const matrix = rows.map((r) => names.map((n) => r[n] as number));
  const reference = matrix.slice(0, 1000);
  const window = matrix.slice(1000, 1200);
  const figures: BenchFigure[] = [];
  let model = ReconstructionModel.fit(reference, names);
  const fitMs = timeBest(() => void (model = ReconstructionModel.fit(reference, names)), 5);
  figures.push({ engine: 'multivariate', name: `reconstruction: fit on 1000 x ${names.length} (${model.components} components)`, value: fitMs, unit: 'ms' });
  let sink = 0;
  const errorMs = timeBest(() => {
    for (const r of window) sink += model.error(r);
  }, 20);
  figures.push({ engine: 'multivariate', name: 'reconstruction: error of a 200-row window', value: errorMs * 1000, unit: 'us', anchor: sink > 0 ? 'each row once, as it enters' : undefined });
  const monitor = MultivariateDriftMonitor.create(reference, names)!;
  const numeric = window.map((values, i) => ({ index: 1000 + i, values }));
  const explainMs = timeBest(() => void monitor.explain(numeric), 3);
  figures.push({ engine: 'multivariate', name: 'domain classifier: explain a window (500 ref x 200, 3 folds, 16 pairs)', value: explainMs, unit: 'ms', anchor: 'at most twice an episode' });
  const fullMs = timeBest(() => void domainClassifierAuc(reference, window, { featureNames: names }), 3);
  figures.push({ engine: 'multivariate', name: 'domain classifier: API defaults (1000 x 200, 5 folds, 32 pairs)', value: fullMs, unit: 'ms' });
  const text = readFileSync(join(FIXTURES, 'tabular_dev.jsonl'), 'utf8');
  for (const enabled of [false, true]) {
    let n = 0;
    const ms = timeBest(() => {
      const m = new PredictionMonitor({ multivariate: { enabled } });
      m.pushText(text);
      m.end();
      n = m.rows;
    }, 3);
    figures.push({ engine: 'multivariate', name: `monitor, tabular ${n / 1000}k rows, multivariate ${enabled ? 'on' : 'off'}`, value: n / (ms / 1000), unit: 'rows/s' });
  }
  return figures;
}
