import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure } from './harness';
import { generateRunDir } from './tfevents-gen';

// The CLI as users run it: whole processes of dist/cli.js, start-up beside `node -e 0`, with V8's
// code cache (src/cli/launcher.ts) and without it. Medians and bests of 20 runs each.
const CLI = 'dist/cli.js';
const RUNS = 20;

/** Median and best wall time of `runs` processes: the best is the run a shared machine disturbed least. */
function timesMs(argv: string[], env: NodeJS.ProcessEnv, runs = RUNS): { median: number; best: number } {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, argv, { env, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`node ${argv.join(' ')} exited ${r.status}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[runs >> 1]!, best: times[0]! };
}

export async function bench(): Promise<BenchFigure[]> {
  const cache = mkdtempSync(join(tmpdir(), 'modelmon-bench-cli-'));
  try {
    const env = { ...process.env, XDG_CACHE_HOME: cache };
    const off = { ...env, MODELMON_NO_COMPILE_CACHE: '1' };
    const log = 'test/fixtures/tensorboard/nan_divergence';
    timesMs([CLI, '--version'], env); // leaves the cache
    const node = timesMs(['-e', '0'], env);
    const figures: BenchFigure[] = [
      { engine: 'cli', name: '`node -e 0` (the floor), median', value: node.median, unit: 'ms' },
      { engine: 'cli', name: '`node -e 0`, best', value: node.best, unit: 'ms' },
    ];
    for (const [name, argv] of [
      ['modelmon --version', [CLI, '--version']],
      ['modelmon tb on a 300-step run (nan_divergence, 3 tags)', [CLI, 'tb', log]],
    ] as const) {
      const cached = timesMs([...argv], env);
      const cold = timesMs([...argv], off);
      figures.push({ engine: 'cli', name: `${name}: beyond node, with the code cache (medians)`, value: cached.median - node.median, unit: 'ms', anchor: '<= 20 ms' });
      figures.push({ engine: 'cli', name: `${name}: beyond node, with the code cache (bests)`, value: cached.best - node.best, unit: 'ms', anchor: '<= 20 ms' });
      figures.push({ engine: 'cli', name: `${name}: beyond node, compiled afresh (medians)`, value: cold.median - node.median, unit: 'ms' });
    }
    // The end-to-end case: 500,000 PyTorch-shaped scalar events (20 tags x 25,000 steps) in one file.
    const run = join(cache, 'logs');
    const { bytes, events } = generateRunDir(run, { runs: 1, tags: 20, steps: 25_000 });
    const label = `modelmon tb on one file of ${(events / 1000).toFixed(0)}k events (${(bytes / 1e6).toFixed(1)} MB), whole process, of 7`;
    timesMs([CLI, 'tb', run], env, 1);
    const tb = timesMs([CLI, 'tb', run], env, 7);
    figures.push({ engine: 'cli', name: `${label}, with the code cache: median`, value: tb.median, unit: 'ms', anchor: '<= 250 ms (410 ms before)' });
    figures.push({ engine: 'cli', name: `${label}, with the code cache: best`, value: tb.best, unit: 'ms', anchor: '<= 250 ms (410 ms before)' });
    figures.push({ engine: 'cli', name: `${label}, compiled afresh: median`, value: timesMs([CLI, 'tb', run], off, 7).median, unit: 'ms' });
    return figures;
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}
