import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyGlobal } from '../../../src/core/integrity/pickle-policy';
import { MAX_OPCODES } from '../../../src/core/integrity/pickle';
import { viewRuns, type TorchTensorRef } from '../../../src/core/integrity/torch-tensors';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { binStr, bytes, callingPickle, polyglotOf, zipOf } from './builders';

interface Scanned {
  code: number;
  ms: number;
  file: { path: string; format: string; verdict: string; findings: { severity: string; message: string }[] };
}

/** Writes `data` as `name` in a fresh folder and runs `modelmon integrity scan NAME --json` on it. */
async function scan(name: string, data: Uint8Array): Promise<Scanned> {
  const dir = scratchDir('hardening');
  try {
    writeFileSync(join(dir, name), data);
    const started = performance.now();
    const r = await runCli(['integrity', 'scan', name, '--json'], '', dir);
    const ms = performance.now() - started;
    assert.equal(r.err, '');
    return { code: r.code, ms, file: JSON.parse(r.out).files[0] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SYSTEM = 'dangerous global os.system (imported by GLOBAL and called by REDUCE)';
/** `os.system('id')` as protocol 0-2 opcodes, without PROTO or STOP. */
const systemCall = bytes('c', 'os\nsystem\n', binStr('id'), 0x85, 'R');

/** A torch.save zip around the given entries (names under `archive/`). */
const torchZip = (dataName: string, dataPkl: Uint8Array) =>
  zipOf([{ name: `archive/${dataName}`, data: dataPkl }, { name: 'archive/byteorder', data: bytes('little') }, { name: 'archive/version', data: bytes('3\n') }]);

test('a file that is valid safetensors and a valid pickle is scanned as the pickle too: dangerous, exit 1', async (t) => {
  const r = await scan('model.safetensors', polyglotOf(bytes(systemCall, '.')));
  t.diagnostic(`scan took ${r.ms.toFixed(1)} ms`);
  assert.equal(r.code, 1);
  assert.deepEqual([r.file.format, r.file.verdict], ['safetensors', 'dangerous']);
  assert.deepEqual(r.file.findings, [
    { severity: 'critical', message: `${SYSTEM} in the pickle at byte 0: runs shell commands` },
    { severity: 'medium', message: 'the file is also a pickle from byte 0: pickle.load and torch.load(weights_only=False) would run it' },
  ]);
  assert.ok(r.ms < 1000);
});

test('findings survive when naming tensors would fail: 600 levels keyed by a 1 MiB string stay dangerous, exit 1', async (t) => {
  for (const depth of [100, 600]) {
    const key = Buffer.alloc(1 << 20, 'k');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(key.length);
    // Root dict, 'a' -> os.system('id'), then the key memoised and `depth` dicts nested under it.
    const pkl = Buffer.concat([
      Buffer.from(bytes(0x80, 2, '}', binStr('a'), systemCall, 's', 'X')),
      length,
      key,
      Buffer.from([0x71, 0, 0x30, 0x7d]),
      Buffer.from(Array.from({ length: depth }, () => [0x68, 0, 0x7d]).flat()),
      Buffer.alloc(depth, 0x73),
      Buffer.from([0x2e]),
    ]);
    const r = await scan('deep.pt', torchZip('data.pkl', pkl));
    t.diagnostic(`${depth} levels: scan took ${r.ms.toFixed(1)} ms`);
    assert.equal(r.code, 1, `${depth} levels`);
    assert.deepEqual([r.file.format, r.file.verdict], ['torch-zip', 'dangerous']);
    assert.deepEqual(r.file.findings, [{ severity: 'critical', message: `${SYSTEM} in archive/data.pkl: runs shell commands` }]);
  }
});

test('a pickle opening with an opcode the signature check did not expect is still scanned: dangerous, exit 1', async () => {
  const r = await scan('model.pkl', bytes('K', 1, '0', systemCall, '.'));
  assert.equal(r.code, 1);
  assert.deepEqual([r.file.format, r.file.verdict, r.file.findings[0]!.message], ['pickle', 'dangerous', `${SYSTEM}: runs shell commands`]);
});

/** PROTO 2, `pairs` NONE+POP pairs, then os.system('id'). */
function padded(pairs: number): Uint8Array {
  const out = new Uint8Array(2 + pairs * 2 + systemCall.length + 1);
  out.set([0x80, 2]);
  for (let i = 0; i < pairs; i++) out.set([0x4e, 0x30], 2 + i * 2);
  out.set(systemCall, 2 + pairs * 2);
  out[out.length - 1] = 0x2e;
  return out;
}

test('1,000,001 N0 pairs before the payload are within the budget: dangerous, exit 1', async (t) => {
  const r = await scan('padded.pkl', padded(1_000_001));
  t.diagnostic(`2,000,002 opcodes: scan took ${r.ms.toFixed(0)} ms`);
  assert.equal(r.code, 1);
  assert.deepEqual([r.file.verdict, r.file.findings], ['dangerous', [{ severity: 'critical', message: `${SYSTEM}: runs shell commands` }]]);
});

test('a pickle past the opcode budget is not fully scanned: malformed, exit 1', async (t) => {
  const pairs = MAX_OPCODES / 2 + 1;
  const r = await scan('padded.pkl', padded(pairs));
  t.diagnostic(`${MAX_OPCODES + 2} opcodes: scan took ${r.ms.toFixed(0)} ms`);
  assert.equal(r.code, 1);
  assert.deepEqual([r.file.verdict, r.file.findings], [
    'malformed',
    [{ severity: 'high', message: `not fully scanned: pickle too large to analyse (over ${MAX_OPCODES} opcodes) (opcode at byte ${1 + MAX_OPCODES}); what follows could run code` }],
  ]);
});

test('a data.pkl over 64 MB is not fully scanned, and its first 64 MB still are: exit 1', async (t) => {
  const pkl = new Uint8Array((64 << 20) + 1);
  const call = bytes(0x80, 2, systemCall, '0');
  pkl.set(call);
  // Then a BINBYTES whose bytes run on past the 64 MB window.
  pkl[call.length] = 0x42;
  new DataView(pkl.buffer).setUint32(call.length + 1, pkl.length, true);
  const r = await scan('big.pt', torchZip('data.pkl', pkl));
  t.diagnostic(`64 MB + 1 data.pkl: scan took ${r.ms.toFixed(0)} ms`);
  assert.equal(r.code, 1);
  assert.equal(r.file.verdict, 'dangerous');
  assert.deepEqual(r.file.findings.map((f) => f.message), [
    `${SYSTEM} in archive/data.pkl: runs shell commands`,
    "not fully scanned: zip entry 'archive/data.pkl' is over the 64 MB pickle scan limit",
    `archive/data.pkl: malformed pickle: pickle data is truncated (opcode at byte ${systemCall.length + 3})`,
  ]);
});

test('archive/DATA.PKL is data.pkl, as PyTorch matches zip names case-insensitively: dangerous, exit 1', async () => {
  const r = await scan('upper.pt', torchZip('DATA.PKL', callingPickle('GLOBAL', 'os', 'system')));
  assert.equal(r.code, 1);
  assert.deepEqual([r.file.verdict, r.file.findings[0]!.message], ['dangerous', `${SYSTEM} in archive/DATA.PKL: runs shell commands`]);
});

test('pydoc.pipepager and _posixsubprocess.fork_exec are dangerous, exit 1', async () => {
  for (const [module, name] of [['pydoc', 'pipepager'], ['_posixsubprocess', 'fork_exec']] as const) {
    const r = await scan('p.pkl', callingPickle('GLOBAL', module, name));
    assert.equal(r.code, 1);
    assert.equal(r.file.verdict, 'dangerous', `${module}.${name}`);
  }
});

test('suspicious and malformed files fail the scan too (exit 1)', async () => {
  const unknown = await scan('u.pkl', callingPickle('GLOBAL', 'mypackage.models', 'Net'));
  assert.deepEqual([unknown.code, unknown.file.verdict], [1, 'suspicious']);
  const cut = await scan('cut.pkl', callingPickle('GLOBAL', 'collections', 'OrderedDict').subarray(0, 12));
  assert.deepEqual([cut.code, cut.file.verdict], [1, 'malformed']);
});

test('the policy rates every callable that runs a command or code as dangerous', () => {
  const dangerous: [string, string][] = [
    ['os', 'system'], ['os', 'execv'], ['posix', 'posix_spawn'], ['nt', 'startfile'], ['subprocess', 'check_output'], ['pty', 'spawn'],
    ['commands', 'getoutput'], ['pydoc', 'pipepager'], ['pydoc', 'tempfilepager'], ['pydoc', 'pager'], ['pydoc', 'locate'],
    ['_posixsubprocess', 'fork_exec'], ['_winapi', 'CreateProcess'], ['platform', 'popen'], ['builtins', 'eval'], ['builtins', 'exec'],
    ['builtins', 'compile'], ['builtins', '__import__'], ['builtins', 'getattr'], ['builtins', 'open'], ['__builtin__', 'execfile'],
    ['importlib', 'import_module'], ['importlib.util', 'spec_from_file_location'], ['runpy', 'run_path'], ['code', 'InteractiveInterpreter'],
    ['ctypes', 'CDLL'], ['multiprocessing.util', 'spawnv_passfds'], ['webbrowser', 'open'], ['shutil', 'rmtree'], ['sys', 'modules'],
    ['_operator', 'attrgetter'], ['operator', 'methodcaller'], ['functools', 'partial'], ['uuid', '_get_command_stdout'],
    ['torch', 'load'], ['torch.fx.graph_module', 'reduce_graph_module'], ['numpy', 'load'], ['yaml', 'unsafe_load'], ['site', 'addsitedir'],
    ['logging.config', 'listen'], ['asyncio.subprocess', 'create_subprocess_shell'], ['IPython.utils.process', 'system'],
    // Protocol 4 resolves dotted names attribute by attribute: torch imports os.
    ['torch', 'os.system'], ['collections', 'OrderedDict.__init__.__globals__'], ['numpy', 'testing._private.utils.runstring'],
  ];
  for (const [module, name] of dangerous) assert.equal(classifyGlobal(module, name).safety, 'dangerous', `${module}.${name}`);
  for (const [module, name] of [['torch._utils', '_rebuild_tensor_v2'], ['collections', 'OrderedDict'], ['torch', 'FloatStorage'], ['numpy.core.multiarray', '_reconstruct']])
    assert.equal(classifyGlobal(module!, name!).safety, 'safe', `${module}.${name}`);
  assert.equal(classifyGlobal('collections', 'OrderedDict.fromkeys').safety, 'suspicious');
});

/** A legacy torch.save file of `n` float tensors of shape [2, 2], as torch writes its opcodes and memo. */
function legacyCheckpoint(n: number): Buffer {
  const u32 = (x: number) => String.fromCharCode(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, x >>> 24);
  const str = (s: string) => 'X' + u32(s.length) + s;
  let memo = 5;
  const put = () => 'r' + u32(memo++);
  const parts: string[] = [
    '\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.',
    '\x80\x02M\xe9\x03.',
    '\x80\x02}.',
    '\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01(',
  ];
  for (let i = 0; i < n; i++) {
    const rebuild = i === 0 ? 'ctorch._utils\n_rebuild_tensor_v2\nq\x02' : 'h\x02';
    const storage = i === 0 ? 'ctorch\nFloatStorage\nq\x03' : 'h\x03';
    const hooks = i === 0 ? 'ccollections\nOrderedDict\nq\x04' : 'h\x04';
    parts.push(
      `${str(`layer${i}.weight`)}${put()}${rebuild}((${str('storage')}${put()}${storage}${str(String(i))}${put()}${str('cpu')}${put()}K\x04Nt${put()}Q` +
        `K\x00K\x02K\x02\x86${put()}K\x02K\x01\x86${put()}\x89${hooks})R${put()}t${put()}R${put()}`,
    );
  }
  parts.push('u.', '\x80\x02]q\x00(');
  for (let i = 0; i < n; i++) parts.push(str(String(i)));
  parts.push('e.');
  const storages = Buffer.alloc(n * 24);
  for (let i = 0; i < n; i++) storages.writeUInt32LE(4, i * 24);
  return Buffer.concat([Buffer.from(parts.join(''), 'latin1'), storages]);
}

test('a real-sized legacy checkpoint (200,000 tensors) scans completely within the budget: safe, exit 0', async (t) => {
  const file = legacyCheckpoint(200_000);
  const dir = scratchDir('hardening');
  try {
    writeFileSync(join(dir, 'big.pth'), file);
    const started = performance.now();
    const r = await runCli(['integrity', 'scan', 'big.pth', '--json'], '', dir);
    t.diagnostic(`${(file.length / 2 ** 20).toFixed(1)} MiB, 200,000 tensors: scan took ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out).files, [{ path: 'big.pth', format: 'torch-legacy', verdict: 'safe', findings: [] }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** data.pkl for {'t': a F32 view of `shape`/`stride` on a `numel`-element storage}, with 4-byte ints. */
function viewPickle(shape: number[], stride: number[], numel: number): Uint8Array {
  const int = (x: number) => {
    const b = new Uint8Array(5);
    b[0] = 0x4a;
    new DataView(b.buffer).setInt32(1, x, true);
    return b;
  };
  const tuple = (xs: number[]) => bytes('(', ...xs.map(int), 't');
  return bytes(
    0x80, 2, '}', binStr('t'), 'c', 'torch._utils\n_rebuild_tensor_v2\n',
    '(', '(', binStr('storage'), 'c', 'torch\nFloatStorage\n', binStr('0'), binStr('cpu'), int(numel), 't', 'Q',
    int(0), tuple(shape), tuple(stride), 0x89, 'c', 'collections\nOrderedDict\n', ')', 'R', 't', 'R', 's', '.',
  );
}

test('a 17 KB checkpoint viewing [1e6, 4096] with stride [0, 1] scans and digests in bounded time', async (t) => {
  const storage = new Uint8Array(new Float32Array(4096).map((_, i) => i).buffer);
  const pt = zipOf([
    { name: 'archive/data.pkl', data: viewPickle([1_000_000, 4096], [0, 1], 4096) },
    { name: 'archive/byteorder', data: bytes('little') },
    { name: 'archive/data/0', data: storage },
  ]);
  assert.ok(pt.length < 17_500, `${pt.length} bytes`);
  const r = await scan('view.pt', pt);
  t.diagnostic(`scan took ${r.ms.toFixed(1)} ms`);
  assert.deepEqual([r.code, r.file.verdict], [0, 'safe']);
  assert.ok(r.ms < 1000, `${r.ms} ms`);
  const dir = scratchDir('hardening');
  try {
    writeFileSync(join(dir, 'view.pt'), pt);
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const snap = await runCli(['integrity', 'snapshot', 'view.pt', '--manifest', 'm.json'], '', dir);
    const ms = performance.now() - started;
    t.diagnostic(`snapshot took ${ms.toFixed(1)} ms, RSS grew ${((process.memoryUsage().rss - before) / 2 ** 20).toFixed(1)} MiB`);
    assert.equal(snap.code, 0, snap.err);
    assert.ok(ms < 1000, `${ms} ms`);
    const manifest = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
    // The view repeats its storage, so it is digested by the 16 KB it reads.
    const sha = (await import('node:crypto')).createHash('sha256').update(storage).digest('hex');
    assert.deepEqual(manifest.files[0].tensors, [{ name: 't', dtype: 'F32', shape: [1_000_000, 4096], sha256: sha }]);
    assert.equal(statSync(join(dir, 'view.pt')).size, pt.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('viewRuns walks by run and matches an element-by-element walk', () => {
  let seed = 5;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let k = 0; k < 400; k++) {
    const dims = 1 + rand(3);
    const shape = Array.from({ length: dims }, () => 1 + rand(4));
    const stride = Array.from({ length: dims }, () => rand(7));
    const offset = rand(3);
    let last = offset;
    shape.forEach((s, d) => (last += (s - 1) * stride[d]!));
    const ref: TorchTensorRef = { name: 'v', dtype: 'F32', shape, stride, storageOffset: offset, storageKey: '0', storageNumel: last + 1 };
    const naive: { offset: number; length: number }[] = [];
    const index = shape.map(() => 0);
    const n = shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++) {
      const e = offset + index.reduce((acc, x, d) => acc + x * stride[d]!, 0);
      const prev = naive[naive.length - 1];
      if (prev && prev.offset + prev.length === e * 4) prev.length += 4;
      else naive.push({ offset: e * 4, length: 4 });
      for (let d = dims - 1; d >= 0 && ++index[d]! === shape[d]!; d--) index[d] = 0;
    }
    assert.deepEqual(viewRuns(ref), naive, `shape [${shape}] stride [${stride}] offset ${offset}`);
  }
});
