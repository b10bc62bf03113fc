import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DEFAULT_LIMITS, type FailureKind, type FailureReport, type Limits, type WorkerJob, type WorkerMessage, type WorkerStats } from './protocol';
import { inputRandom } from './random';
import { TARGETS } from './targets';

export interface FuzzOptions {
  readonly targets: readonly string[];
  readonly seconds: number;
  /** When set, each target runs exactly this many inputs (the time budget is ignored). */
  readonly iterations: number | undefined;
  readonly seed: number;
  readonly replay: string | undefined;
  readonly out: string;
  readonly json: boolean;
  readonly limits: Limits;
}

/** One distinct failure of a target: the first input that showed it, saved, and how often it recurred. */
export interface SavedFailure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly index: number;
  readonly bytes: number;
  readonly path: string;
  readonly reproduce: string;
  count: number;
}

export interface TargetOutcome {
  readonly target: string;
  readonly iterations: number;
  readonly seconds: number;
  readonly inputsPerSecond: number;
  readonly slowestMs: number;
  readonly largestGrowthMiB: number;
  readonly largestGrowthRatio: number;
  readonly failures: number;
  readonly distinct: SavedFailure[];
}

const USAGE = `usage: npm run fuzz -- [target ...] [--seconds N] [--iterations N] [--seed N] [--replay FILE] [--out DIR] [--json]
targets: ${Object.keys(TARGETS).join(', ')} (default: all)
  --seconds N      time budget per target (default 20)
  --iterations N   run exactly N inputs per target instead (reproducible counts)
  --seed N         seed of the input generators (default 1); input i of seed N is always the same bytes
  --replay FILE    run one saved input through the target (one target must be named)
  --out DIR        where failing inputs are saved (default .test-output/fuzz)
  --slow-ms N      per-input time bound (default 1000); --hang-ms N: the watchdog's kill (default 10000)
  --memory-factor N, --memory-floor-mib N: per-input heap growth bound N x input + M MiB (default 16 x + 32 MiB)`;

export class UsageError extends Error {}

function positive(flag: string, text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} needs a non-negative number, got '${text ?? ''}'`);
  return n;
}

export function parseArgs(argv: readonly string[]): FuzzOptions {
  const targets: string[] = [];
  let seconds = 20;
  let iterations: number | undefined;
  let seed = 1;
  let replay: string | undefined;
  let out = '.test-output/fuzz';
  let json = false;
  let limits: Limits = DEFAULT_LIMITS;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => argv[++i];
    if (a === '--seconds') seconds = positive(a, value());
    else if (a === '--iterations') iterations = Math.floor(positive(a, value()));
    else if (a === '--seed') seed = Math.floor(positive(a, value())) >>> 0;
    else if (a === '--replay') replay = value();
    else if (a === '--out') out = value() ?? out;
    else if (a === '--json') json = true;
    else if (a === '--slow-ms') limits = { ...limits, slowMs: positive(a, value()) };
    else if (a === '--hang-ms') limits = { ...limits, hangMs: positive(a, value()) };
    else if (a === '--memory-factor') limits = { ...limits, memoryFactor: positive(a, value()) };
    else if (a === '--memory-floor-mib') limits = { ...limits, memoryFloorBytes: positive(a, value()) * 2 ** 20 };
    else if (a === '--help' || a === '-h') throw new UsageError(USAGE);
    else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'\n${USAGE}`);
    else if (!TARGETS[a]) throw new UsageError(`unknown fuzz target '${a}' (known: ${Object.keys(TARGETS).join(', ')})`);
    else targets.push(a);
  }
  if (replay !== undefined && targets.length !== 1) throw new UsageError('--replay needs exactly one target, e.g. npm run fuzz -- pickle --replay FILE');
  return { targets: targets.length ? targets : Object.keys(TARGETS), seconds, iterations, seed, replay, out, json, limits };
}

interface WorkerRun {
  stats: WorkerStats | undefined;
  /** A worker that died on an input: a hang the watchdog killed, or a crash (out of memory). */
  died: { kind: FailureKind; index: number; message: string } | undefined;
}

/** Runs one job in a worker thread under a watchdog that kills it when an input runs past hangMs. */
function runWorker(entry: string, job: WorkerJob, onFailure: (f: FailureReport) => void): Promise<WorkerRun> {
  const index = new Int32Array(job.progress, 0, 2);
  const startedAt = new Float64Array(job.progress, 8, 1);
  return new Promise((resolve) => {
    const result: WorkerRun = { stats: undefined, died: undefined };
    const worker = new Worker(entry, {
      workerData: job,
      // The product's main thread has about 1 MB of stack; the heap cap turns a runaway allocation into a report.
      resourceLimits: { maxOldGenerationSizeMb: job.limits.heapCapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 1 },
    });
    const watchdog = setInterval(() => {
      if (Atomics.load(index, 1) === 1 && Date.now() - startedAt[0]! > job.limits.hangMs) {
        result.died = { kind: 'hang', index: index[0]!, message: `still running after ${job.limits.hangMs} ms; killed by the watchdog` };
        void worker.terminate();
      }
    }, 50);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'failure') onFailure(m.failure);
      else result.stats = m.stats;
    });
    worker.on('error', (e: Error & { code?: string }) => {
      const running = Atomics.load(index, 1) === 1;
      const message = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `ran out of the worker's ${job.limits.heapCapMb} MiB heap` : `worker died: ${e.message}`;
      result.died ??= { kind: e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash', index: running ? index[0]! : -1, message };
    });
    worker.on('exit', () => {
      clearInterval(watchdog);
      resolve(result);
    });
  });
}

/** A failure key that ignores the numbers in a message, so one bug is saved once however often it recurs. */
function signature(kind: FailureKind, message: string): string {
  return `${kind}:${message.replace(/\d+(\.\d+)?/g, '#').slice(0, 200)}`;
}

export class FailureLog {
  readonly distinct = new Map<string, SavedFailure>();
  total = 0;

  constructor(
    private readonly target: string,
    private readonly out: string,
    private readonly print: (line: string) => void,
  ) {}

  add(kind: FailureKind, index: number, message: string, input: Uint8Array): void {
    this.total++;
    const key = signature(kind, message);
    const seen = this.distinct.get(key);
    if (seen) {
      seen.count++;
      return;
    }
    mkdirSync(this.out, { recursive: true });
    const hash = createHash('sha256').update(input).digest('hex').slice(0, 12);
    const path = join(this.out, `${this.target}-${hash}.bin`);
    writeFileSync(path, input);
    const shown = relative(process.cwd(), path) || path;
    const reproduce = `npm run fuzz -- ${this.target} --replay ${shown}`;
    this.distinct.set(key, { kind, message, index, bytes: input.length, path: shown, reproduce, count: 1 });
    this.print(`FAIL ${this.target} #${index} ${kind}: ${message} (${input.length} bytes) -> ${shown}\n  reproduce: ${reproduce}`);
  }
}

/** Runs one target for its budget (or iteration count), restarting its worker after a hang or crash. */
async function fuzzTarget(entry: string, name: string, options: FuzzOptions, scratch: string, print: (line: string) => void): Promise<TargetOutcome> {
  const log = new FailureLog(name, options.out, print);
  const replay = options.replay !== undefined ? new Uint8Array(readFileSync(options.replay)) : undefined;
  const started = Date.now();
  const deadline = options.iterations === undefined && !replay ? started + options.seconds * 1000 : Infinity;
  const until = replay ? 1 : options.iterations ?? Number.MAX_SAFE_INTEGER;
  let from = 0;
  let iterations = 0;
  let busyMs = 0;
  let slowestMs = 0;
  let growth = 0;
  let ratio = 0;
  let replayNote = '';
  let generator: ReturnType<NonNullable<(typeof TARGETS)[string]>> | undefined;
  while (from < until && Date.now() < deadline) {
    const job: WorkerJob = { target: name, seed: options.seed, from, until, deadline, root: process.cwd(), scratch, limits: options.limits, progress: new SharedArrayBuffer(16), ...(replay ? { replay } : {}) };
    const run = await runWorker(entry, job, (f) => log.add(f.kind, f.index, f.message, f.input));
    if (run.stats) {
      iterations += run.stats.iterations;
      busyMs += run.stats.busyMs;
      slowestMs = Math.max(slowestMs, run.stats.slowestMs);
      growth = Math.max(growth, run.stats.largestGrowthBytes);
      ratio = Math.max(ratio, run.stats.largestGrowthRatio);
      if (run.stats.replayMs !== undefined) replayNote = `${run.stats.replayMs.toFixed(1)} ms, heap +${((run.stats.replayGrowthBytes ?? 0) / 2 ** 20).toFixed(1)} MiB`;
    }
    if (!run.died) break;
    const at = run.died.index;
    if (at < 0) {
      log.add(run.died.kind, from, run.died.message, new Uint8Array(0));
      break;
    }
    // The dead worker's input is regenerated here from the seed and its index.
    let input: Uint8Array | undefined = replay;
    if (!input) {
      if (!generator) {
        generator = TARGETS[name]!();
        await generator.prepare({ root: process.cwd(), scratch });
      }
      input = generator.generate(inputRandom(options.seed, at));
    }
    log.add(run.died.kind, at, run.died.message, input);
    // A killed worker sends no stats: it ran every input from `from` through the one that died.
    if (!run.stats) iterations += at + 1 - from;
    from = at + 1;
  }
  await generator?.dispose?.();
  const seconds = (Date.now() - started) / 1000;
  if (replay) print(`${name}: replay of ${options.replay}: ${log.total ? `${log.total} failure(s)` : 'ok'}${replayNote ? ` (${replayNote})` : ''}`);
  return {
    target: name,
    iterations,
    seconds,
    inputsPerSecond: iterations / Math.max(seconds, 1e-3),
    slowestMs,
    largestGrowthMiB: growth / 2 ** 20,
    largestGrowthRatio: ratio,
    failures: log.total,
    distinct: [...log.distinct.values()],
  };
}

/** `npm run fuzz`: every named target in turn; exit 1 when any input failed, 2 for bad arguments. */
export async function runFuzzCli(entry: string, argv: readonly string[], print: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  let options: FuzzOptions;
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(e.message + '\n');
    return 2;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'modelmon-fuzz-'));
  const outcomes: TargetOutcome[] = [];
  try {
    for (const name of options.targets) {
      const o = await fuzzTarget(entry, name, options, scratch, print);
      outcomes.push(o);
      if (!options.replay) {
        print(
          `${name.padEnd(12)} ${String(o.iterations).padStart(7)} inputs in ${o.seconds.toFixed(1)} s (${o.inputsPerSecond.toFixed(0)}/s), ` +
            `failures ${o.failures} (${o.distinct.length} distinct), slowest ${o.slowestMs.toFixed(0)} ms, ` +
            `most heap ${o.largestGrowthMiB.toFixed(1)} MiB (${o.largestGrowthRatio.toFixed(1)} x input)`,
        );
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (options.json) print(JSON.stringify({ seed: options.seed, outcomes }));
  return outcomes.some((o) => o.failures > 0) ? 1 : 0;
}
