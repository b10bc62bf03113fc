import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { HealthMonitor } from '../../../src/core/tfevents/health';
import { summarizeRun } from '../../../src/core/tfevents/summary';
import { EventFileTail } from '../../../src/io/tfevents/event-file-tail';
import { LogdirWatcher, readLogdir, type LogdirOptions } from '../../../src/io/tfevents/logdir';
import { THREAD_MIN_RUNS } from '../../../src/io/tfevents/read-threads';
import { main } from '../../../src/cli/main';
import { captureIO } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { concat, record, scalarEvent, scalarFile } from './helpers';

// A first read of many runs on worker threads (src/io/tfevents/read-threads.ts) must give exactly
// what one thread gives: the runs, their findings and corruptions, and the read positions that the
// polls after it continue from.

const dir = scratchDir('read-threads');

async function workerScript(): Promise<string> {
  const out = join(dir, 'dist');
  await build({ bundle: true, platform: 'node', format: 'cjs', target: 'es2022', charset: 'ascii', outdir: out, logLevel: 'error', entryPoints: { 'tfevents-worker': 'src/io/tfevents/read-worker.ts' } });
  return join(out, 'tfevents-worker.js');
}

/** 70 generated runs, the real fixtures (histograms, images, restarts, NaN), a damaged file and a record cut short. */
function logdir(): string {
  const root = join(dir, 'logs');
  for (let r = 0; r < 70; r++) {
    const run = join(root, `sweep/run_${String(r).padStart(3, '0')}`);
    mkdirSync(run, { recursive: true });
    const points: [string, number, number][] = [];
    for (let step = 0; step < 40; step++) for (const tag of ['loss', 'acc', 'lr']) points.push([tag, step, tag === 'loss' ? 2 / (1 + step + r) : tag === 'acc' ? step / 40 : 0.1]);
    writeFileSync(join(run, 'events.out.tfevents.1700000000.host'), scalarFile(points));
  }
  cpSync('test/fixtures/tensorboard', join(root, 'fixtures'), { recursive: true });
  // A payload byte flipped (data CRC) in one run; a record cut short at the end of another.
  const damaged = join(root, 'sweep/run_003/events.out.tfevents.1700000000.host');
  const bytes = scalarFile([['loss', 1, 0.5], ['loss', 2, 0.4]]);
  bytes[20] = bytes[20]! ^ 0xff;
  writeFileSync(damaged, bytes);
  appendFileSync(join(root, 'sweep/run_004/events.out.tfevents.1700000000.host'), record(scalarEvent('loss', 99, 0.1)).subarray(0, 20));
  return root;
}

function picture(store: LogdirWatcher['store'], corruptions: unknown[]) {
  return { runs: store.runs.map(summarizeRun), findings: new HealthMonitor().update(store).findings, corruptions };
}

test('a first read on threads gives what one thread gives: runs, findings, corruptions, cut-off records', async () => {
  const root = logdir();
  const script = await workerScript();
  const runs = readdirSync(join(root, 'sweep')).length + readdirSync(join(root, 'fixtures')).length;
  assert.ok(runs >= THREAD_MIN_RUNS, `${runs} runs`);
  // A wrapper that counts the worker threads started, then runs the real worker.
  const marker = join(dir, 'workers-started');
  const counted = join(dir, 'counted-worker.js');
  writeFileSync(counted, `require('node:fs').appendFileSync(${JSON.stringify(marker)}, 'x');\nrequire(${JSON.stringify(script)});\n`);
  const one = await readLogdir(root, { threads: 0 });
  const two = await readLogdir(root, { threads: 2, workerScript: counted });
  assert.equal(readFileSync(marker, 'utf8'), 'x', 'two threads: the calling one and one worker');
  const three = await readLogdir(root, { threads: 3, workerScript: counted });
  assert.equal(readFileSync(marker, 'utf8'), 'xxx');
  const expected = picture(one.store, one.corruptions);
  assert.ok(expected.corruptions.length >= 2, JSON.stringify(expected.corruptions));
  assert.ok(expected.runs.some((r) => r.tags.some((t) => t.kind === 'histogram')));
  assert.deepEqual(picture(two.store, two.corruptions), expected);
  assert.deepEqual(picture(three.store, three.corruptions), expected);
  // The same series, point for point.
  for (const run of one.store.runs) {
    const other = two.store.get(run.name)!;
    for (const series of run.tagList()) assert.deepEqual(other.tags.get(series.tag)!.points(), series.points(), `${run.name} ${series.tag}`);
  }
});

test('polls after a threaded first read continue each file where the threads stopped: nothing lost or read twice', async () => {
  const root = join(dir, 'follow');
  cpSync(logdir(), root, { recursive: true });
  const script = await workerScript();
  const watch = async (options: LogdirOptions) => {
    const w = new LogdirWatcher(root, { ...options, useFsWatch: false });
    await w.poll();
    return w;
  };
  const threaded = await watch({ threads: 2, workerScript: script });
  const single = await watch({ threads: 0 });
  const file = join(root, 'sweep/run_010/events.out.tfevents.1700000000.host');
  appendFileSync(file, concat([40, 41, 42].map((step) => record(scalarEvent('loss', step, 0.01)))));
  // The record cut short in run_004 is completed by the bytes that follow it.
  appendFileSync(join(root, 'sweep/run_004/events.out.tfevents.1700000000.host'), record(scalarEvent('loss', 99, 0.1)).subarray(20));
  const [a, b] = [await threaded.poll(), await single.poll()];
  assert.deepEqual(a, b);
  assert.deepEqual(a.runsChanged, ['sweep/run_004', 'sweep/run_010']);
  assert.deepEqual(picture(threaded.store, threaded.corruptions), picture(single.store, single.corruptions));
  assert.equal(threaded.store.get('sweep/run_010')!.tags.get('loss')!.totalPoints, 43);
  threaded.dispose();
  single.dispose();
});

/** Reads `root` on this thread and one worker running `workerScript`; the picture must be a one-thread read's. */
async function assertReadAsOneThread(root: string, workerScript: string): Promise<void> {
  const one = await readLogdir(root, { threads: 0 });
  const two = await readLogdir(root, { threads: 2, workerScript });
  assert.deepEqual(picture(two.store, two.corruptions), picture(one.store, one.corruptions));
}

/** A stand-in worker script with `source` as its code. */
function workerStandIn(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

test('a worker that cannot start or fails leaves its runs to the calling thread', async () => {
  const root = logdir();
  await assertReadAsOneThread(root, workerStandIn('broken-worker.js', "throw new Error('no worker today');\n"));
  // No script where it is looked for (a source checkout): one thread, silently.
  await assertReadAsOneThread(root, join(dir, 'nowhere.js'));
});

test('modelmon tb --threads takes 0 to 64 and names a bad value', async () => {
  for (const bad of ['-1', '65', '1.5', 'two']) {
    const io = captureIO();
    // `--threads=-1`: a separate "-1" would read as an option, which parseArgs refuses on its own.
    assert.equal(await main(['tb', 'test/fixtures/tensorboard/nan_divergence', `--threads=${bad}`], io), 2);
    assert.match(io.stderr(), new RegExp(`--threads must be an integer from 0 to 64, got '${bad.replace('.', '\\.')}'`));
  }
  const io = captureIO();
  assert.equal(await main(['tb', 'test/fixtures/tensorboard/nan_divergence', '--threads', '0', '--json'], io), 0);
  assert.equal((JSON.parse(io.stdout()) as { runs: unknown[] }).runs.length, 1);
});

test('runs a worker took from the shared counter and never sent are read by the calling thread', async () => {
  // Claims five runs, as a worker that dies mid-read leaves them, and ends without sending any.
  const dying = workerStandIn('dying-worker.js', "const { workerData } = require('node:worker_threads');\nfor (let i = 0; i < 5; i++) Atomics.add(workerData.claim, 0, 1);\nprocess.exit(1);\n");
  await assertReadAsOneThread(logdir(), dying);
});

test('a tail reading with blocking calls (as workers read) sees what an asynchronous one sees: growth, a cut record, a rewrite, a removal', async () => {
  const root = join(dir, 'blocking');
  mkdirSync(root, { recursive: true });
  const file = join(root, 'events.out.tfevents.1700000000.host');
  writeFileSync(file, scalarFile([['loss', 1, 0.5], ['loss', 2, 0.4]]));
  const tails = [new EventFileTail(file, { blockingReads: true }), new EventFileTail(file)];
  const seen: string[][] = [[], []];
  const poll = () =>
    Promise.all(tails.map((t, i) => t.poll((p, offset) => seen[i]!.push(`${offset}:${p.length}`), (c) => seen[i]!.push(`corrupt ${c.offset}`))));
  assert.deepEqual(await poll(), ['grew', 'grew']);
  appendFileSync(file, record(scalarEvent('loss', 3, 0.3)).subarray(0, 10));
  assert.deepEqual(await poll(), ['grew', 'grew']);
  appendFileSync(file, record(scalarEvent('loss', 3, 0.3)).subarray(10));
  assert.deepEqual(await poll(), ['grew', 'grew']);
  assert.deepEqual(await poll(), ['unchanged', 'unchanged']);
  writeFileSync(file, scalarFile([['acc', 1, 0.9]]));
  assert.deepEqual(await poll(), ['replaced', 'replaced']);
  rmSync(file);
  assert.deepEqual(await poll(), ['gone', 'gone']);
  assert.deepEqual(seen[0], seen[1]);
  assert.equal(seen[0]!.length, 4); // the file version record, then three points
});
