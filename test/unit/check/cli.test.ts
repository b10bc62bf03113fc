import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { main } from '../../../src/cli/main';
import { findAll, parseXml } from './xml';
import { captureIO } from '../helpers/cli';
import { makeWorkspace } from './workspace';

const workspaces: string[] = [];
const workspace = (...args: Parameters<typeof makeWorkspace>) => {
  const ws = makeWorkspace(...args);
  workspaces.push(ws);
  return ws;
};
test.after(() => workspaces.forEach((w) => rmSync(w, { recursive: true, force: true })));

async function check(ws: string, ...args: string[]) {
  const io = captureIO({ cwd: ws });
  const code = await main(['check', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

test('the healthy copy of the example workspace passes: exit 0, JUnit with no failures', async () => {
  const ws = workspace();
  const r = await check(ws, '--junit', 'reports/junit.xml', '--markdown', 'summary.md');
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^passed: 0 errors/m);
  const root = parseXml(readFileSync(join(ws, 'reports', 'junit.xml'), 'utf8'));
  const cases = findAll(root, 'testcase');
  assert.deepEqual(cases.map((c) => `${c.attrs.classname} ${c.attrs.name}`), [
    'modelmon.training lightning_digits',
    'modelmon.training tf2_style',
    'modelmon.predictions tabular',
    'modelmon.integrity checkpoints',
  ]);
  assert.equal(findAll(root, 'failure').length, 0);
  assert.equal(root.attrs.failures, '0');
  assert.match(readFileSync(join(ws, 'summary.md'), 'utf8'), /^## Model Monitor check ✅ passed/);
});

test('the drifted copy fails: exit 1, the drifted features named in Markdown, a JUnit failure for the log', async () => {
  const ws = workspace({ drifted: true });
  const r = await check(ws, '--junit', 'junit.xml', '--markdown', 'summary.md');
  assert.equal(r.code, 1, r.out + r.err);
  const md = readFileSync(join(ws, 'summary.md'), 'utf8');
  assert.match(md, /^## Model Monitor check ❌ failed/);
  const drifted = /^Drifted features: (.*)$/m.exec(md)?.[1] ?? '';
  for (const feature of ['mean_radius', 'mean_texture', 'worst_area']) assert.ok(drifted.includes(`**${feature}**`), `${feature} in: ${drifted}`);
  const root = parseXml(readFileSync(join(ws, 'junit.xml'), 'utf8'));
  const failing = findAll(root, 'testcase').filter((c) => findAll(c, 'failure').length);
  assert.deepEqual(failing.map((c) => c.attrs.name), ['tabular']);
  assert.equal(root.attrs.failures, '1');
});

test('a tampered checkpoint fails the integrity monitor and names the tensor', async () => {
  const ws = workspace({ tampered: true });
  const r = await check(ws, '--json');
  assert.equal(r.code, 1);
  const result = JSON.parse(r.out) as { monitors: { name: string; failed: boolean; findings: { kind: string; message: string }[] }[] };
  const integrity = result.monitors.find((m) => m.name === 'checkpoints')!;
  assert.equal(integrity.failed, true);
  assert.equal(integrity.findings[0]!.kind, 'modified');
  assert.match(integrity.findings[0]!.message, /digits_cnn\.safetensors changed since the manifest.*tensors changed: out\.weight/);
  assert.deepEqual(result.monitors.filter((m) => m.failed).map((m) => m.name), ['checkpoints']);
});

test('--fail-on and acknowledgements decide what fails', async () => {
  const ws = workspace({
    tampered: true,
    extra: { acknowledged: [{ monitor: 'checkpoints', kind: 'modified', subject: 'checkpoints/digits_cnn.safetensors', reason: 'fine-tuned on purpose' }] },
  });
  const r = await check(ws);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /\[acknowledged: fine-tuned on purpose\]/);
  const empty = workspace({ extra: { training: [{ logdir: 'checkpoints' }], predictions: [], integrity: [] } });
  assert.equal((await check(empty)).code, 0, 'a log dir without runs is only a warning');
  assert.equal((await check(empty, '--fail-on', 'warning')).code, 1);
});

test('config errors exit 2 with the file, line and key', async () => {
  const ws = workspace();
  writeFileSync(
    join(ws, 'modelmon.json'),
    ['{', '  "predictions": [', '    {', '      "log": "predictions.csv",', '      "reference": { "rows": 1000 },', '      "alertPValue": 0.01,', '      "windw": 250', '    }', '  ]', '}', ''].join('\n'),
  );
  const r = await check(ws);
  assert.equal(r.code, 2);
  assert.equal(r.err, 'modelmon.json:7: unknown key "windw" in predictions[0] (did you mean "window"?)\n');

  writeFileSync(join(ws, 'modelmon.json'), '{\n  "training": [\n    { "logdir": "runs/nope" }\n  ]\n}\n');
  const missing = await check(ws);
  assert.equal(missing.code, 2);
  assert.equal(missing.err, 'modelmon.json:3: training[0].logdir: no such directory "runs/nope" (paths are relative to the config\'s directory)\n');

  writeFileSync(join(ws, 'modelmon.json'), '{\n  // comments are fine\n  "predictions": [{\n    "log": "predictions.csv",\n    "reference": "old/ref.csv"\n  }]\n}\n');
  const reference = await check(ws);
  assert.equal(reference.code, 2);
  assert.equal(reference.err, 'modelmon.json:5: predictions[0].reference: no such file "old/ref.csv" (paths are relative to the config\'s directory)\n');

  const usage = await check(ws, '--fail-on', 'fatal');
  assert.equal(usage.code, 2);
  assert.match(usage.err, /--fail-on must be "warning" or "error", not "fatal"/);
  const absent = await check(ws, '--config', 'nope.json');
  assert.equal(absent.code, 2);
  assert.match(absent.err, /^nope\.json:1: cannot read the config: no such file/);
});

test('one GPU sample, through the recorded nvidia-smi stand-in', async () => {
  const ws = workspace({ extra: { training: [], predictions: [], integrity: [], gpu: { enabled: true, maxTemperatureC: 40 } } });
  const io = captureIO({ cwd: ws });
  const fakeSmi = join(process.cwd(), 'test', 'fixtures', 'nvidia-smi', 'bin');
  // The stand-in is a node script: node must stay on PATH.
  Object.assign(io.env, { PATH: [fakeSmi, dirname(process.execPath)].join(delimiter) });
  const hot = await main(['check', '--json'], io);
  const result = JSON.parse(io.stdout()) as { monitors: { name: string; findings: { kind: string; message: string }[]; tables: { rows: string[][] }[] }[] };
  assert.equal(hot, 1);
  assert.equal(result.monitors[0]!.name, 'gpu');
  assert.deepEqual(result.monitors[0]!.findings.map((f) => f.kind), ['temperature']);
  assert.match(result.monitors[0]!.tables[0]!.rows[0]![1]!, /H100/);

  const none = captureIO({ cwd: ws });
  Object.assign(none.env, { PATH: join(ws, 'no-such-dir') });
  assert.equal(await main(['check'], none), 0, 'no GPU on a CI machine is a warning, not a failure');
  assert.match(none.stdout(), /warning no-gpu gpu: no GPU tool found: nvidia-smi on PATH, amd-smi on PATH, rocm-smi on PATH/);

  const amd = captureIO({ cwd: ws });
  Object.assign(amd.env, { PATH: [join(process.cwd(), 'test', 'fixtures', 'amd-smi', 'bin'), dirname(process.execPath)].join(delimiter) });
  assert.equal(await main(['check', '--json'], amd), 1);
  const amdResult = JSON.parse(amd.stdout()) as typeof result;
  assert.deepEqual(amdResult.monitors[0]!.findings.map((f) => f.message), ['GPU 0 at 41°C, threshold 40°C']);
  assert.match(amdResult.monitors[0]!.tables[0]!.rows[0]![1]!, /MI300X/);
});

test('a separate reference log, named relative to the config', async () => {
  const ws = workspace({ drifted: true });
  const lines = readFileSync(join(ws, 'predictions.csv'), 'utf8').split('\n');
  mkdirSync(join(ws, 'ref'));
  writeFileSync(join(ws, 'ref', 'reference.csv'), lines.slice(0, 1001).join('\n') + '\n');
  writeFileSync(join(ws, 'clean.csv'), [lines[0], ...lines.slice(1001, 2001)].join('\n') + '\n');
  const config = (log: string) => ({ predictions: [{ name: 'tabular', log, reference: 'ref/reference.csv', window: 500, severity: { data_drift: 'error' } }] });
  writeFileSync(join(ws, 'modelmon.json'), JSON.stringify(config('clean.csv')));
  const clean = await check(ws, '--markdown', '-');
  assert.equal(clean.code, 0, clean.out);
  writeFileSync(join(ws, 'modelmon.json'), JSON.stringify(config('predictions.csv')));
  const drifted = await check(ws, '--markdown', '-');
  assert.equal(drifted.code, 1, drifted.out);
  assert.match(drifted.out, /Drifted features: \*\*mean_radius\*\*, \*\*mean_texture\*\*, \*\*worst_area\*\*/);
});
