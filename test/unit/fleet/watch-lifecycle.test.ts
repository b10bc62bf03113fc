// modelmon watch as a long-running process: it follows its files, reloads its config (keeping the
// last good one when an edit is invalid), stops on SIGTERM/SIGINT with its children, and bad
// arguments are one clear line each.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { scratchDir } from '../helpers/scratch';
import { readGpuLogFile } from '../../../src/io/efficiency/gpuLogFile';
import { cliBundle, get, pageValue, startWatch, type WatchProcess } from './watchProcess';

const FAKE_SMI = resolve('test/fixtures/nvidia-smi/bin');

/** A run, a prediction log and a checkpoint manifest from the example workspace. */
function workspace(label: string, extra: Record<string, unknown> = {}): string {
  const dir = scratchDir(label);
  mkdirSync(join(dir, 'runs'));
  cpSync('examples/runs/nan_divergence', join(dir, 'runs/nan_divergence'), { recursive: true });
  cpSync('examples/predictions/tabular_dev.csv', join(dir, 'tabular.csv'));
  cpSync('examples/checkpoints', join(dir, 'checkpoints'), { recursive: true });
  writeFileSync(join(dir, 'modelmon.json'), JSON.stringify(config(extra), null, 2));
  return dir;
}

function config(extra: Record<string, unknown> = {}) {
  return {
    training: [{ name: 'nan', logdir: 'runs/nan_divergence' }],
    predictions: [{ name: 'tabular', log: 'tabular.csv', reference: { rows: 1000 }, window: 500 }],
    integrity: [{ name: 'checkpoints', manifest: 'checkpoints/manifest.json' }],
    ...extra,
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const page = async (w: WatchProcess) => (await get(`http://${w.target}/metrics`)).body;
const valueOf = async (w: WatchProcess, series: string) => pageValue(await page(w), series);

test('appended rows and a modified checkpoint are published within seconds', async () => {
  const dir = workspace('fleet-follow');
  const watch = await startWatch(dir);
  try {
    assert.equal(await valueOf(watch, 'modelmon_prediction_rows_total{monitor="tabular"}'), 4000);
    assert.equal(await valueOf(watch, 'modelmon_checkpoint_verified{monitor="checkpoints"}'), 1);
    assert.equal(await valueOf(watch, 'modelmon_training_last_step{monitor="nan",run="nan"}'), 300);
    const rows = readFileSync(join(dir, 'tabular.csv'), 'utf8').split('\n').slice(1, 101).join('\n') + '\n';
    appendFileSync(join(dir, 'tabular.csv'), rows);
    appendFileSync(join(dir, 'checkpoints/digits_cnn.safetensors'), Buffer.from([0]));
    await until('the appended rows', async () => ((await valueOf(watch, 'modelmon_prediction_rows_total{monitor="tabular"}')) === 4100 ? true : undefined));
    await until('the modified checkpoint', async () => ((await valueOf(watch, 'modelmon_checkpoint_verified{monitor="checkpoints"}')) === 0 ? true : undefined));
    const text = await page(watch);
    assert.equal(pageValue(text, 'modelmon_findings{monitor="checkpoints",kind="modified",severity="error"}'), 1);
    assert.equal(pageValue(text, 'modelmon_alerts_active{monitor="checkpoints",kind="modified"}'), 1);
    assert.equal(pageValue(text, 'modelmon_monitor_failed{monitor="checkpoints",type="integrity"}'), 1);
  } finally {
    assert.equal(await watch.stop(), 0);
  }
});

test('an invalid config edit keeps the last good config and says why; a valid one is reloaded', async () => {
  const dir = workspace('fleet-reload');
  const watch = await startWatch(dir);
  try {
    writeFileSync(join(dir, 'modelmon.json'), '{\n  "training": [ { "name": "nan", "logdir": "runs/nan_divergence" } ],\n  "predictions": 7\n}\n');
    await until('the rejection on stderr', async () => (/keeping the last good config/.test(watch.stderr()) ? true : undefined));
    assert.match(watch.stderr(), /modelmon watch: modelmon\.json changed but cannot be used; keeping the last good config:\nmodelmon\.json:3: predictions must be an array, not an integer\n/);
    assert.doesNotMatch(watch.stderr(), /at .*\.js:\d+/);
    // Still the last good config's monitors, still served.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await valueOf(watch, 'modelmon_checkpoint_verified{monitor="checkpoints"}'), 1);
    assert.equal(await valueOf(watch, 'modelmon_prediction_rows_total{monitor="tabular"}'), 4000);

    // A valid edit: the integrity monitor goes, the log is renamed, and warnings now fail.
    writeFileSync(join(dir, 'modelmon.json'), JSON.stringify({ ...config(), integrity: [], failOn: 'warning', predictions: [{ ...config().predictions[0], name: 'renamed' }] }));
    await until('the reload', async () => ((await valueOf(watch, 'modelmon_prediction_rows_total{monitor="renamed"}')) === 4000 ? true : undefined));
    const text = await page(watch);
    assert.equal(pageValue(text, 'modelmon_checkpoint_verified{monitor="checkpoints"}'), undefined);
    assert.equal(pageValue(text, 'modelmon_prediction_rows_total{monitor="tabular"}'), undefined);
    // failOn warning: the run's lr-step-change warning is now an alert.
    assert.equal(pageValue(text, 'modelmon_alerts_active{monitor="nan",kind="lr-step-change"}'), 1);
    assert.match(watch.stderr(), /modelmon watch: reloaded modelmon\.json \(2 monitors\)/);
  } finally {
    assert.equal(await watch.stop(), 0);
  }
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} stops modelmon watch at once, with a hung nvidia-smi that ignores SIGTERM`, async () => {
    const dir = workspace(`fleet-${signal}`, { gpu: { enabled: true } });
    const log = join(dir, 'smi.log');
    const watch = await startWatch(dir, ['--gpu-interval', '1'], {
      PATH: `${FAKE_SMI}${delimiter}${process.env.PATH}`,
      MODELMON_FAKE_SMI_MODE: 'hang',
      MODELMON_FAKE_SMI_IGNORE_TERM: '1',
      MODELMON_FAKE_SMI_LOG: log,
    }, false);
    try {
      const pid = await until('nvidia-smi to start', async () => (existsSync(log) ? Number(readFileSync(log, 'utf8').split(' ')[0]) : undefined));
      assert.ok(alive(pid));
      const t0 = Date.now();
      assert.equal(await watch.stop(signal), 0, watch.stderr());
      assert.ok(Date.now() - t0 < 3000, `stopped in ${Date.now() - t0} ms`);
      await until('nvidia-smi to be gone', async () => (alive(pid) ? undefined : true), 3000);
      // The port is free again.
      await new Promise<void>((done, fail) => {
        const s = net.createServer().once('error', fail).listen(watch.port, '127.0.0.1', () => s.close(() => done()));
      });
    } finally {
      await watch.stop('SIGKILL');
    }
  });
}

async function runWatch(args: string[], cwd: string): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [await cliBundle(), 'watch', ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { code, err };
}

test('bad arguments and an unusable config: exit 2 with one clear message, no stack trace', async () => {
  const dir = workspace('fleet-usage');
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const busyPort = (busy.address() as net.AddressInfo).port;
  try {
    const cases: [string[], RegExp][] = [
      [['--listen', 'localhost'], /^modelmon watch: --listen must be HOST:PORT \(for example 127\.0\.0\.1:9464\), not "localhost"\n/],
      [['--listen', `127.0.0.1:${busyPort}`], new RegExp(`^modelmon watch: cannot listen on 127\\.0\\.0\\.1:${busyPort}: the address is in use\\n`)],
      [['--textfile', 'nowhere'], /^modelmon watch: --textfile nowhere: no such folder\n/],
      [['--no-listen'], /^modelmon watch: --no-listen needs --textfile DIR: otherwise nothing is published\n/],
      [['--gpu-record', 'no/such/folder/gpu.rec'], /^modelmon watch: --gpu-record no\/such\/folder\/gpu\.rec: ENOENT\n/],
      [['--interval', '0'], /^modelmon watch: --interval must be a number of seconds from 0\.1 to 86400, got '0'\n/],
      [['--config', 'missing.json', '--no-listen', '--textfile', '.'], /^missing\.json:1: cannot read the config: no such file\n$/],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await runWatch(args, dir);
      assert.equal(code, 2, `${args.join(' ')}: ${err}`);
      assert.match(err, message, args.join(' '));
      assert.doesNotMatch(err, /\n\s+at /);
    }
  } finally {
    busy.close();
  }
});

test('--gpu-record keeps every GPU sample in the history modelmon efficiency reads', async () => {
  const dir = workspace('fleet-gpu-record', { gpu: { enabled: true } });
  const record = join(dir, 'gpu.rec');
  const watch = await startWatch(dir, ['--gpu-interval', '1', '--gpu-record', 'gpu.rec'], { PATH: `${FAKE_SMI}${delimiter}${process.env.PATH}` });
  try {
    await until('three recorded samples', async () => {
      const log = existsSync(record) ? await readGpuLogFile(record) : undefined;
      return log && log.history.size >= 3 ? true : undefined;
    });
  } finally {
    assert.equal(await watch.stop('SIGTERM'), 0, watch.stderr());
  }
  const log = await readGpuLogFile(record);
  assert.equal(readFileSync(record, 'utf8').split('\n')[0], '#modelmon-gpu-history v1');
  assert.deepEqual(log.problems, []);
  // The stand-in's GPUs, each sample with the memory total nvidia-smi reported.
  const samples = [...log.history.samples()];
  assert.ok(samples.length >= 3);
  assert.ok(samples.every((s) => s.memoryTotalMiB !== null && s.memoryTotalMiB > 0 && s.utilizationGpu !== null), JSON.stringify(samples[0]));
});
