import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { TfRecordFramer } from '../../../src/core/tfevents/record-framer';
import { inputRandom } from '../../../bench/fuzz/random';
import { TARGETS } from '../../../bench/fuzz/targets';
import { frameRecords, recordPayloads } from '../../../bench/fuzz/targets/tfevents';
import { scratchDir } from '../helpers/scratch';

const ITERATIONS = 20;
const SEED = 1;

let bundle: Promise<string> | undefined;
/** The fuzz bundle as scripts/build.mjs makes dist/fuzz.js, in a private folder (its workers load the same file). */
function fuzzBundle(): Promise<string> {
  bundle ??= (async () => {
    const file = join(scratchDir('fuzz-bundle'), 'fuzz.js');
    await build({ entryPoints: ['bench/fuzz/main.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'es2022', sourcemap: 'linked', outfile: file, logLevel: 'error' });
    return file;
  })();
  return bundle;
}

function fuzz(file: string, args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--enable-source-maps', file, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Outcome {
  target: string;
  iterations: number;
  failures: number;
  distinct: { kind: string; message: string; path: string; reproduce: string }[];
}

test('input i of a seed is the same bytes every time, and another seed gives other inputs', async () => {
  const scratch = scratchDir('fuzz-determinism');
  for (const [name, make] of Object.entries(TARGETS)) {
    const a = make();
    const b = make();
    await a.prepare({ root: process.cwd(), scratch });
    await b.prepare({ root: process.cwd(), scratch });
    for (const i of [0, 1, 7]) assert.deepEqual(b.generate(inputRandom(SEED, i)), a.generate(inputRandom(SEED, i)), `${name} #${i}`);
    const differ = [0, 1, 2, 3].filter((i) => Buffer.compare(a.generate(inputRandom(SEED, i)), a.generate(inputRandom(SEED + 1, i))) !== 0);
    assert.ok(differ.length >= 3, `${name}: seeds 1 and 2 gave the same inputs at ${4 - differ.length} of 4 indices`);
  }
});

test('structure-aware tfevents inputs carry both CRCs, so every record reaches the decoder', () => {
  const file = new Uint8Array(readFileSync('test/fixtures/tensorboard/nan_divergence/events.out.tfevents.1795407813.vm.397.0'));
  const payloads = recordPayloads(file);
  assert.equal(payloads.length, 901);
  const mutated = payloads.map((p, i) => (i % 2 ? p.slice(1) : p));
  const framed: number[] = [];
  const corruptions: string[] = [];
  new TfRecordFramer().push(frameRecords(mutated), (p) => framed.push(p.length), (c) => corruptions.push(c.message));
  assert.deepEqual(corruptions, []);
  assert.deepEqual(framed, mutated.map((p) => p.length));
  assert.deepEqual(frameRecords(payloads), file);
});

test(`every target runs ${ITERATIONS} seeded inputs with no exception, hang, slow input or memory blow-up`, async () => {
  const out = scratchDir('fuzz-out');
  const r = fuzz(await fuzzBundle(), ['--iterations', String(ITERATIONS), '--seed', String(SEED), '--out', out, '--json']);
  const report = JSON.parse(r.out.trim().split('\n').at(-1)!) as { seed: number; outcomes: Outcome[] };
  assert.deepEqual(
    report.outcomes.map((o) => [o.target, o.iterations, o.failures, o.distinct.map((d) => `${d.kind}: ${d.message} (${d.reproduce})`)]),
    Object.keys(TARGETS).map((t) => [t, ITERATIONS, 0, []]),
  );
  assert.equal(r.code, 0, r.err);
});

test('a failing input is saved under its hash with a one-line reproduction, and replays to the same failure', async () => {
  const file = await fuzzBundle();
  const out = scratchDir('fuzz-fail');
  const input = join(out, 'seed.bin');
  writeFileSync(input, readFileSync('test/fixtures/tensorboard/nan_divergence/events.out.tfevents.1795407813.vm.397.0'));
  // A zero CPU-time bound makes any input fail as slow.
  const r = fuzz(file, ['tfevents', '--replay', input, '--slow-ms', '0', '--out', out, '--json']);
  assert.equal(r.code, 1, r.err);
  const [failure] = (JSON.parse(r.out.trim().split('\n').at(-1)!) as { outcomes: Outcome[] }).outcomes[0]!.distinct;
  assert.equal(failure!.kind, 'slow');
  assert.match(failure!.path, /tfevents-[0-9a-f]{12}\.bin$/);
  assert.deepEqual(readFileSync(failure!.path), readFileSync(input));
  assert.equal(failure!.reproduce, `npm run fuzz -- tfevents --replay ${failure!.path}`);
  assert.ok(r.out.includes(`FAIL tfevents #0 slow: `) && r.out.includes(`\n  reproduce: ${failure!.reproduce}\n`), r.out);
  // The same input within its bounds replays clean.
  const again = fuzz(file, ['tfevents', '--replay', failure!.path, '--out', out]);
  assert.equal(again.code, 0, again.out + again.err);
  assert.match(again.out, /^tfevents: replay of .*: ok \(\d+\.\d ms, heap [+-]\d+\.\d MiB\)\n$/);
});

test('an input that outruns the watchdog is killed, reported as a hang and saved', async () => {
  const out = scratchDir('fuzz-hang');
  const input = join(out, 'big.csv');
  // 3,000 rows with 20-row windows take seconds; a 0 ms hang bound kills at the watchdog's first look.
  writeFileSync(input, readFileSync('test/fixtures/predictions/tabular_dev.csv', 'utf8').split('\n').slice(0, 3001).join('\n'));
  const r = fuzz(await fuzzBundle(), ['csv', '--replay', input, '--hang-ms', '0', '--out', out, '--json']);
  assert.equal(r.code, 1, r.err);
  const [failure] = (JSON.parse(r.out.trim().split('\n').at(-1)!) as { outcomes: Outcome[] }).outcomes[0]!.distinct;
  assert.equal(failure!.kind, 'hang');
  assert.equal(failure!.message, 'still running after 0 ms; killed by the watchdog');
  assert.deepEqual(readFileSync(failure!.path), readFileSync(input));
});

test('bad arguments exit 2 with a message naming them', async () => {
  const file = await fuzzBundle();
  const unknown = fuzz(file, ['pickel']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.err, `unknown fuzz target 'pickel' (known: ${Object.keys(TARGETS).join(', ')})\n`);
  const seconds = fuzz(file, ['--seconds', 'soon']);
  assert.equal(seconds.code, 2);
  assert.equal(seconds.err, "--seconds needs a non-negative number, got 'soon'\n");
  const replay = fuzz(file, ['--replay', 'x.bin']);
  assert.equal(replay.code, 2);
  assert.match(replay.err, /^--replay needs exactly one target/);
});
