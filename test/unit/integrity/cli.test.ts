import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { integrityCommand } from '../../../src/cli/commands/integrity';
import { main } from '../../../src/cli/main';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from '../../../src/cli/io';
import { captureIO } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { FIXTURES, callingPickle } from './builders';

async function run(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({ cwd });
  const code = await integrityCommand.run(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

function workspace(): string {
  const dir = scratchDir('cli');
  mkdirSync(join(dir, 'ckpt'));
  copyFileSync(join(FIXTURES, 'digits_cnn.safetensors'), join(dir, 'ckpt', 'model.safetensors'));
  copyFileSync(join(FIXTURES, 'digits_cnn.pt'), join(dir, 'ckpt', 'model.pt'));
  return dir;
}

test('snapshot then verify: unchanged files exit 0', async () => {
  const dir = workspace();
  try {
    const snap = await run(dir, 'snapshot', 'ckpt', '--manifest', 'manifest.json');
    assert.equal(snap.code, EXIT_OK);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.roots, ['ckpt']);
    assert.deepEqual(
      manifest.files.map((f: { path: string; format: string; size: number; tensors: unknown[] }) => [f.path, f.format, f.size, f.tensors.length]),
      [['ckpt/model.pt', 'torch-zip', 58231, 8], ['ckpt/model.safetensors', 'safetensors', 55392, 8]],
    );
    assert.equal(manifest.files[1].sha256, '5ec2b19d32f96ad68d049f93775dfa355aba18b1391a0b17489c596e6eb53636');
    const v = await run(dir, 'verify', '--manifest', 'manifest.json', '--json');
    assert.equal(v.code, EXIT_OK);
    assert.deepEqual(JSON.parse(v.out), { unchanged: ['ckpt/model.pt', 'ckpt/model.safetensors'], changed: [], missing: [], added: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the tampered safetensors is reported changed, naming out.bias; missing and added files too', async () => {
  const dir = workspace();
  try {
    await run(dir, 'snapshot', 'ckpt', '--manifest', 'manifest.json');
    copyFileSync(join(FIXTURES, 'digits_cnn_tampered.safetensors'), join(dir, 'ckpt', 'model.safetensors'));
    unlinkSync(join(dir, 'ckpt', 'model.pt'));
    writeFileSync(join(dir, 'ckpt', 'new.pkl'), callingPickle('GLOBAL', 'collections', 'OrderedDict'));
    const v = await run(dir, 'verify', '--manifest', 'manifest.json', '--json');
    assert.equal(v.code, EXIT_FINDINGS);
    assert.deepEqual(JSON.parse(v.out), {
      unchanged: [],
      changed: [
        {
          path: 'ckpt/model.safetensors',
          tensors: ['out.bias'],
          addedTensors: [],
          removedTensors: [],
          sha256Before: '5ec2b19d32f96ad68d049f93775dfa355aba18b1391a0b17489c596e6eb53636',
          sha256After: 'c7920f20016ef809b0d8736d2f7f87c76b2ed194a45ea3b2a960062ecfe7fc50',
        },
      ],
      missing: ['ckpt/model.pt'],
      added: ['ckpt/new.pkl'],
    });
    const text = await run(dir, 'verify', '--manifest', 'manifest.json');
    assert.equal(
      text.out,
      'CHANGED    ckpt/model.safetensors (tensors changed: out.bias)\nMISSING    ckpt/model.pt\nadded      ckpt/new.pkl\n0 unchanged, 1 changed, 1 missing, 0 added\n'.replace('0 added', '1 added'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a manifest in another folder stores paths relative to itself', async () => {
  const dir = workspace();
  try {
    mkdirSync(join(dir, 'meta'));
    await run(dir, 'snapshot', 'ckpt/model.safetensors', '--manifest', 'meta/m.json');
    const manifest = JSON.parse(readFileSync(join(dir, 'meta', 'm.json'), 'utf8'));
    assert.deepEqual(manifest.files.map((f: { path: string }) => f.path), ['../ckpt/model.safetensors']);
    assert.equal((await run(join(dir, 'meta'), 'verify', '--manifest', 'm.json')).code, EXIT_OK);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('diff of original vs tampered: out.bias max abs diff is exactly 0.5, others 0', async () => {
  const r = await run(FIXTURES, 'diff', 'digits_cnn.safetensors', 'digits_cnn_tampered.safetensors', '--json');
  assert.equal(r.code, EXIT_OK);
  const d = JSON.parse(r.out);
  const byName = Object.fromEntries(d.tensors.map((t: { name: string; maxAbs: number; relL2: number }) => [t.name, t]));
  assert.equal(byName['out.bias'].maxAbs, 0.5);
  // Relative L2 from the float64 difference of the float32 values: 0.4999999850988388 / ||out.bias||.
  const data = readFileSync(join(FIXTURES, 'digits_cnn.safetensors'));
  const bias = new Float32Array(data.buffer.slice(data.byteOffset + 8 + 560 + 52224, data.byteOffset + 8 + 560 + 52264));
  const norm = Math.sqrt(bias.reduce((s, x) => s + x * x, 0));
  assert.equal(byName['out.bias'].relL2, (Math.fround(bias[3]! + 0.5) - bias[3]!) / norm);
  for (const t of d.tensors) if (t.name !== 'out.bias') assert.deepEqual([t.name, t.maxAbs, t.relL2], [t.name, 0, 0]);
  assert.deepEqual([d.onlyInA, d.onlyInB, d.incomparable], [[], [], []]);
});

test('diff across formats (.pt vs safetensors) matches tensor by tensor', async () => {
  const r = await run(FIXTURES, 'diff', 'digits_cnn.pt', 'digits_cnn_tampered.safetensors');
  assert.equal(r.code, EXIT_OK);
  assert.match(r.out, /^out\.bias +F32 +0\.500000 +\d\.\d+$/m);
  assert.match(r.out, /^c1\.weight +F32 +0 +0$/m);
});

test('scan --json prints files with verdicts and exits 1 unless every file is safe', async () => {
  const dir = workspace();
  try {
    const safe = await run(dir, 'scan', 'ckpt', '--json');
    assert.equal(safe.code, EXIT_OK);
    assert.deepEqual(JSON.parse(safe.out), {
      files: [
        { path: join('ckpt', 'model.pt'), format: 'torch-zip', verdict: 'safe', findings: [] },
        { path: join('ckpt', 'model.safetensors'), format: 'safetensors', verdict: 'safe', findings: [] },
      ],
    });
    writeFileSync(join(dir, 'evil.pkl'), callingPickle('INST', 'subprocess', 'Popen'));
    const evil = await run(dir, 'scan', 'evil.pkl', 'ckpt/model.pt', '--json');
    assert.equal(evil.code, EXIT_FINDINGS);
    const files = JSON.parse(evil.out).files;
    assert.deepEqual(files.map((f: { verdict: string }) => f.verdict), ['dangerous', 'safe']);
    assert.deepEqual(files[0].findings, [
      { severity: 'critical', message: 'dangerous global subprocess.Popen (imported by INST and called by INST): runs shell commands' },
    ]);
    writeFileSync(join(dir, 'junk.pt'), 'junk');
    assert.equal((await run(dir, 'scan', 'junk.pt')).code, EXIT_FINDINGS);
    assert.equal((await run(dir, 'scan', 'junk.pt')).out, 'MALFORMED  junk.pt (unknown)\n  [high] not a recognised checkpoint: no safetensors header, zip or pickle signature\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad arguments are usage errors (exit 2 through the dispatcher)', async () => {
  const cases: [string[], RegExp][] = [
    [[], /missing subcommand/],
    [['frobnicate'], /unknown subcommand 'frobnicate'/],
    [['scan'], /scan needs at least one file/],
    [['snapshot', 'x'], /snapshot needs --manifest FILE/],
    [['verify'], /verify needs --manifest FILE/],
    [['diff', 'a'], /diff needs exactly two checkpoints/],
    [['scan', '--bogus', 'x'], /Unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) await assert.rejects(run(FIXTURES, ...args), (e: Error) => e instanceof UsageError && message.test(e.message));
  const dir = scratchDir('cli');
  try {
    writeFileSync(join(dir, 'm.json'), '{"not": "a manifest"}');
    await assert.rejects(run(dir, 'verify', '--manifest', 'm.json'), { name: 'UsageError', message: 'not a modelmon integrity manifest (expected version 1 with files and roots)' });
    await assert.rejects(run(dir, 'verify', '--manifest', 'absent.json'), { name: 'UsageError', message: `cannot read manifest ${join(dir, 'absent.json')}` });
    await assert.rejects(run(dir, 'snapshot', 'nothing-here', '--manifest', 'm2.json'), { message: 'no such file or folder: ' + join(dir, 'nothing-here') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a SHA256SUMS list verifies like a manifest (checksums only)', async () => {
  const dir = workspace();
  try {
    copyFileSync(join(FIXTURES, 'SHA256SUMS'), join(dir, 'SHA256SUMS'));
    copyFileSync(join(FIXTURES, 'digits_cnn_tampered.safetensors'), join(dir, 'digits_cnn_tampered.safetensors'));
    copyFileSync(join(FIXTURES, 'digits_cnn_tampered.safetensors'), join(dir, 'digits_cnn.safetensors'));
    copyFileSync(join(FIXTURES, 'digits_cnn.pt'), join(dir, 'digits_cnn.pt'));
    const v = await run(dir, 'verify', '--manifest', 'SHA256SUMS');
    assert.equal(v.code, EXIT_FINDINGS);
    assert.equal(v.out, 'unchanged  digits_cnn.pt\nunchanged  digits_cnn_tampered.safetensors\nCHANGED    digits_cnn.safetensors\n2 unchanged, 1 changed, 0 missing, 0 added\n');
    writeFileSync(join(dir, 'BAD'), 'not a checksum\n');
    await assert.rejects(run(dir, 'verify', '--manifest', 'BAD'), { name: 'UsageError', message: "line 1 of the checksum list is not '<sha256>  <path>'" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('through the dispatcher: usage errors exit 2, dangerous scans 1, clean scans 0', async () => {
  const dir = workspace();
  try {
    writeFileSync(join(dir, 'evil.pkl'), callingPickle('STACK_GLOBAL', 'builtins', 'eval'));
    const scan = async (...args: string[]) => {
      const io = captureIO({ cwd: dir });
      return { code: await main(['integrity', ...args], io), out: io.stdout(), err: io.stderr() };
    };
    const usage = await scan('scan');
    assert.equal(usage.code, 2);
    assert.match(usage.err, /^modelmon integrity: scan needs at least one file or folder\nusage: modelmon integrity/);
    assert.equal((await scan('scan', 'evil.pkl')).code, 1);
    assert.equal((await scan('scan', 'ckpt')).code, 0);
    assert.deepEqual(await scan('scan', 'absent.pt'), { code: 2, out: '', err: `modelmon integrity: no such file or folder: ${join(dir, 'absent.pt')}\n` });
    assert.deepEqual(await scan('diff', 'evil.pkl', 'nope.pt'), { code: 2, out: '', err: `modelmon integrity: no such file: ${join(dir, 'nope.pt')}\n` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file whose bytes changed but whose tensors did not is reported as a metadata change', async () => {
  const dir = workspace();
  try {
    await run(dir, 'snapshot', 'ckpt/model.safetensors', '--manifest', 'm.json');
    const file = readFileSync(join(dir, 'ckpt', 'model.safetensors'));
    assert.equal(file[8 + 559], 0x20); // the header is padded with spaces
    file[8 + 559] = 0x0a;
    writeFileSync(join(dir, 'ckpt', 'model.safetensors'), file);
    const v = await run(dir, 'verify', '--manifest', 'm.json');
    assert.equal(v.code, EXIT_FINDINGS);
    assert.equal(v.out, 'CHANGED    ckpt/model.safetensors (every tensor identical: only metadata or layout changed)\n0 unchanged, 1 changed, 0 missing, 0 added\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
