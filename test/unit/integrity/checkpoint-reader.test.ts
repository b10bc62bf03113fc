import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensorsHeader, safetensorsHeaderLength } from '../../../src/core/integrity/safetensors';
import { inspectCheckpoint } from '../../../src/io/integrity/checkpoint-reader';
import { digestCheckpoint, sha256File } from '../../../src/io/integrity/digest';
import { createHash } from 'node:crypto';
import { scanCheckpointFile } from '../../../src/io/integrity/checkpoint-scan';
import { viewRuns } from '../../../src/core/integrity/torch-tensors';
import { FIXTURES, binStr, bytes, callingPickle, safetensorsOf, zipOf } from './builders';
import { scratchDir } from '../helpers/scratch';

const DIGITS_TENSORS = [
  ['c1.bias', 'F32', [16]],
  ['c1.weight', 'F32', [16, 1, 3, 3]],
  ['c2.bias', 'F32', [32]],
  ['c2.weight', 'F32', [32, 16, 3, 3]],
  ['fc.bias', 'F32', [64]],
  ['fc.weight', 'F32', [64, 128]],
  ['out.bias', 'F32', [10]],
  ['out.weight', 'F32', [10, 64]],
];

const sorted = (ts: readonly { name: string; dtype: string; shape: readonly number[] }[]) =>
  ts.map((t) => [t.name, t.dtype, [...t.shape]]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));

function withTemp(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = scratchDir('integrity');
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('the fixture safetensors header lists its eight tensors with absolute ranges', async () => {
  const r = await inspectCheckpoint(join(FIXTURES, 'digits_cnn.safetensors'));
  assert.equal(r.format, 'safetensors');
  assert.equal(r.verdict, 'safe');
  assert.deepEqual(sorted(r.tensors), DIGITS_TENSORS);
  const bias = r.tensors.find((t) => t.name === 'out.bias')!;
  assert.deepEqual(bias.runs, [{ offset: 8 + 560 + 52224, length: 40 }]);
});

test('the fixture .pt is safe and its tensors match the safetensors file, digest for digest', async () => {
  const pt = await inspectCheckpoint(join(FIXTURES, 'digits_cnn.pt'));
  assert.equal(pt.format, 'torch-zip');
  assert.equal(pt.verdict, 'safe');
  assert.deepEqual(pt.findings, []);
  assert.deepEqual(sorted(pt.tensors), DIGITS_TENSORS);
  const a = await digestCheckpoint(join(FIXTURES, 'digits_cnn.pt'), 'digits_cnn.pt', pt);
  const b = await digestCheckpoint(join(FIXTURES, 'digits_cnn.safetensors'), 'digits_cnn.safetensors');
  assert.equal(a.sha256, '81d12aad5717443cd8cb55abe50602adbcc3c59504af0736503dcefea856c0c6');
  assert.equal(b.sha256, '5ec2b19d32f96ad68d049f93775dfa355aba18b1391a0b17489c596e6eb53636');
  const digests = (e: typeof a) => Object.fromEntries(e.tensors.map((t) => [t.name, t.sha256]));
  assert.deepEqual(digests(a), digests(b));
});

const header = (over: object = {}) => ({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] }, ...over });

test('safetensors headers that lie are rejected with a message naming the problem', () => {
  const cases: [object, number, string][] = [
    [header({ b: { dtype: 'F32', shape: [2], data_offsets: [8, 12] } }), 12, "tensor 'b': shape [2] of F32 needs 8 bytes but data_offsets span 4"],
    [header({ b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }), 12, "tensor 'b': bytes 4..8 overlap the previous tensor"],
    [header({ b: { dtype: 'F32', shape: [1], data_offsets: [12, 16] } }), 16, "tensor 'b': gap of 4 unaccounted bytes before it"],
    [header({ b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }), 20, 'tensors cover 12 bytes but the data region holds 20'],
    [header({ b: { dtype: 'F32', shape: [1], data_offsets: [12, 16] } }), 12, "tensor 'b': data_offsets end 16 is past the 12-byte data region"],
    [header({ b: { dtype: 'Q9', shape: [1], data_offsets: [8, 12] } }), 12, `tensor 'b': unknown dtype "Q9"`],
    [header({ b: { dtype: 'F32', shape: [-1], data_offsets: [8, 12] } }), 12, "tensor 'b': shape must be a list of non-negative integers"],
    [header({ __metadata__: { epoch: 3 } }), 12, "safetensors __metadata__ value for 'epoch' is not a string"],
    [[1, 2], 0, 'safetensors header is not a JSON object'],
  ];
  for (const [h, dataLength, message] of cases) {
    const file = safetensorsOf(h, new Uint8Array(dataLength));
    const n = safetensorsHeaderLength(file, file.length);
    assert.throws(() => parseSafetensorsHeader(file.subarray(8, 8 + n), file.length), { name: 'CheckpointFormatError', message });
  }
});

test('a safetensors header length past the end of the file is rejected', withTemp(async (dir) => {
  const file = safetensorsOf(header(), new Uint8Array(12), 10_000);
  writeFileSync(join(dir, 'lie.safetensors'), file);
  const r = await scanCheckpointFile(join(dir, 'lie.safetensors'), 'lie.safetensors');
  assert.deepEqual(r, {
    path: 'lie.safetensors',
    format: 'safetensors',
    verdict: 'malformed',
    findings: [{ severity: 'high', message: `safetensors header length 10000 runs past the end of the ${file.length}-byte file` }],
  });
  const huge = safetensorsOf(header(), new Uint8Array(12), 2 ** 40);
  assert.throws(() => safetensorsHeaderLength(huge, huge.length), { message: 'safetensors header length 1099511627776 exceeds the 100 MB limit' });
}));

test('a metadata block and zero-size tensors are accepted', () => {
  const file = safetensorsOf({ __metadata__: { format: 'pt' }, e: { dtype: 'I64', shape: [0, 3], data_offsets: [0, 0] }, x: { dtype: 'BF16', shape: [3], data_offsets: [0, 6] } }, new Uint8Array(6));
  const h = parseSafetensorsHeader(file.subarray(8, 8 + safetensorsHeaderLength(file, file.length)), file.length);
  assert.deepEqual(h.metadata, { format: 'pt' });
  assert.deepEqual(h.tensors.map((t) => [t.name, t.runs]), [['e', [{ offset: h.dataStart, length: 0 }]], ['x', [{ offset: h.dataStart, length: 6 }]]]);
});

/** A torch.save-like zip around `dataPkl`, with storage 0 holding `storage`. */
function torchZip(dataPkl: Uint8Array, storage = new Uint8Array(0), zip64 = false): Uint8Array {
  return zipOf(
    [
      { name: 'model/data.pkl', data: dataPkl },
      { name: 'model/byteorder', data: bytes('little') },
      { name: 'model/data/0', data: storage },
      { name: 'model/version', data: bytes('3\n') },
    ],
    zip64,
  );
}

/** data.pkl for {'t': tensor of `shape`/`stride` at `offset` in a FloatStorage of `numel` elements}. */
function tensorPickle(shape: number[], stride: number[], offset: number, numel: number, legacy = false): Uint8Array {
  const tuple = (xs: number[]) => bytes('(', ...xs.map((x) => bytes('K', x)), 't');
  return bytes(
    0x80, 2, '}', binStr('t'),
    'c', 'torch._utils\n_rebuild_tensor_v2\n',
    '(', '(', binStr('storage'), 'c', 'torch\nFloatStorage\n', binStr('0'), binStr('cpu'), 'K', numel, legacy ? 'N' : bytes(), 't', 'Q',
    'K', offset, tuple(shape), tuple(stride), 0x89, 'c', 'collections\nOrderedDict\n', ')', 'R', 't', 'R',
    's', '.',
  );
}

test('a torch zip whose data.pkl calls os.system is dangerous, in plain and ZIP64 zips', withTemp(async (dir) => {
  for (const zip64 of [false, true]) {
    const path = join(dir, `evil${zip64 ? '64' : ''}.pt`);
    writeFileSync(path, torchZip(callingPickle('STACK_GLOBAL', 'os', 'system'), undefined, zip64));
    const r = await scanCheckpointFile(path, 'evil.pt');
    assert.equal(r.format, 'torch-zip');
    assert.equal(r.verdict, 'dangerous');
    assert.equal(r.findings[0]!.message, 'dangerous global os.system (imported by STACK_GLOBAL and called by REDUCE) in model/data.pkl: runs shell commands');
  }
}));

test('tensors are recovered from a hand-built torch zip, including a strided view, in ZIP64 too', withTemp(async (dir) => {
  const storage = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);
  for (const zip64 of [false, true]) {
    const path = join(dir, `t${zip64}.pt`);
    // A transposed 2x3 -> 3x2 view: stride (1, 3).
    writeFileSync(path, torchZip(tensorPickle([3, 2], [1, 3], 0, 6), storage, zip64));
    const r = await inspectCheckpoint(path);
    assert.equal(r.verdict, 'safe');
    const t = r.tensors[0]!;
    assert.deepEqual([t.name, t.dtype, t.shape], ['t', 'F32', [3, 2]]);
    const data = readFileSync(path);
    const values = t.runs.flatMap((run) => [...new Float32Array(data.buffer.slice(data.byteOffset + run.offset, data.byteOffset + run.offset + run.length))]);
    assert.deepEqual(values, [0, 3, 1, 4, 2, 5]);
  }
}));

test('tied weights (one memoized tensor under two keys) are listed under both names', withTemp(async (dir) => {
  const single = tensorPickle([2], [1], 0, 2);
  // Memoize the rebuilt tensor right after its REDUCE, store it as 't', then again as 'u' via BINGET.
  const tied = bytes(single.subarray(0, single.length - 2), 'q', 9, 's', binStr('u'), 'h', 9, 's', '.');
  writeFileSync(join(dir, 'tied.pt'), torchZip(tied, new Uint8Array(new Float32Array([1, 2]).buffer)));
  const r = await inspectCheckpoint(join(dir, 'tied.pt'));
  assert.equal(r.verdict, 'safe');
  assert.deepEqual(r.tensors.map((t) => [t.name, t.runs]), [['t', r.tensors[0]!.runs], ['u', r.tensors[0]!.runs]]);
}));

test('a view reaching past its storage, or a missing storage, is malformed', withTemp(async (dir) => {
  writeFileSync(join(dir, 'past.pt'), torchZip(tensorPickle([4], [1], 3, 6), new Uint8Array(24)));
  const past = await inspectCheckpoint(join(dir, 'past.pt'));
  assert.equal(past.verdict, 'malformed');
  assert.deepEqual(past.findings, [{ severity: 'high', message: "tensor 't' reaches past its 6-element storage" }]);
  writeFileSync(join(dir, 'short.pt'), torchZip(tensorPickle([6], [1], 0, 6), new Uint8Array(8)));
  const short = await inspectCheckpoint(join(dir, 'short.pt'));
  assert.deepEqual(short.findings, [{ severity: 'high', message: "tensor 't': storage '0' holds 8 bytes but 24 are pickled" }]);
}));

test('truncated and garbage files are malformed, with a clear message', withTemp(async (dir) => {
  const pt = readFileSync(join(FIXTURES, 'digits_cnn.pt'));
  const cases: [string, Uint8Array, string, string][] = [
    ['truncated.pt', pt.subarray(0, 30_000), 'torch-zip', 'zip end-of-central-directory record not found (truncated or not a zip)'],
    ['garbage.bin', bytes('\x00\x01garbage garbage garbage'), 'unknown', 'not a recognised checkpoint: no safetensors header, zip or pickle signature'],
    ['empty.ckpt', bytes(), 'unknown', 'file is empty'],
    ['cut.pkl', callingPickle('GLOBAL', 'collections', 'OrderedDict').subarray(0, 12), 'pickle', 'malformed pickle: pickle data is truncated (unterminated text operand) (opcode at byte 2)'],
  ];
  const safet = readFileSync(join(FIXTURES, 'digits_cnn.safetensors'));
  cases.push(['cut.safetensors', safet.subarray(0, 400), 'safetensors', 'safetensors header length 560 runs past the end of the 400-byte file']);
  for (const [name, data, format, message] of cases) {
    writeFileSync(join(dir, name), data);
    const r = await scanCheckpointFile(join(dir, name), name);
    assert.deepEqual(r, { path: name, format, verdict: 'malformed', findings: [{ severity: 'high', message }] });
  }
  const missing = await scanCheckpointFile(join(dir, 'nope.pt'), 'nope.pt');
  assert.deepEqual(missing.findings, [{ severity: 'high', message: 'cannot read: no such file' }]);
}));

test('viewRuns merges adjacent elements into runs', () => {
  const ref = { name: 'v', dtype: 'F32' as const, shape: [2, 2], stride: [4, 1], storageOffset: 1, storageKey: '0', storageNumel: 8 };
  assert.deepEqual(viewRuns(ref), [{ offset: 4, length: 8 }, { offset: 20, length: 8 }]);
});

test('a legacy (pre-zip) torch.save file: five pickles then raw storages', withTemp(async (dir) => {
  const magic = bytes(0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.');
  const protocol = bytes(0x80, 2, 'M', 0xe9, 0x03, '.');
  const sysInfo = bytes(0x80, 2, '}', '.');
  const keys = bytes(0x80, 2, ']', binStr('0'), 'a', '.');
  const count = new Uint8Array(8);
  count[0] = 4;
  const data = new Uint8Array(new Float32Array([1.5, 2.5, 3.5, 4.5]).buffer);
  const path = join(dir, 'legacy.pth');
  writeFileSync(path, bytes(magic, protocol, sysInfo, tensorPickle([2], [2], 1, 4, true), keys, count, data));
  const r = await inspectCheckpoint(path);
  assert.equal(r.format, 'torch-legacy');
  assert.equal(r.verdict, 'safe');
  const t = r.tensors[0]!;
  const file = readFileSync(path);
  const values = t.runs.map((run) => file.readFloatLE(run.offset));
  assert.deepEqual([t.name, t.shape, values], ['t', [2], [2.5, 4.5]]);
}));

test('large files hash the whole file on a worker and tensors here, with the same digests', withTemp(async (dir) => {
  const size = 24 << 20;
  const data = new Uint8Array(3 * size);
  for (let i = 0; i < data.length; i += 4096) data[i] = (i >> 12) & 0xff;
  const h = { a: { dtype: 'U8', shape: [size], data_offsets: [0, size] }, b: { dtype: 'I16', shape: [size / 2], data_offsets: [size, 2 * size] }, c: { dtype: 'F64', shape: [size / 8], data_offsets: [2 * size, 3 * size] } };
  const file = safetensorsOf(h, data);
  const path = join(dir, 'big.safetensors');
  writeFileSync(path, file);
  const entry = await digestCheckpoint(path, 'big.safetensors');
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const dataStart = file.length - data.length;
  assert.equal(entry.sha256, sha(file));
  assert.equal(await sha256File(path), sha(file));
  assert.deepEqual(
    entry.tensors.map((t) => [t.name, t.sha256]),
    ['a', 'b', 'c'].map((n, i) => [n, sha(file.subarray(dataStart + i * size, dataStart + (i + 1) * size))]),
  );
}));

test('a TorchScript archive (code/ entries) is suspicious', withTemp(async (dir) => {
  const path = join(dir, 'scripted.pt');
  writeFileSync(path, zipOf([{ name: 'm/data.pkl', data: bytes(0x80, 2, '}', '.') }, { name: 'm/code/__torch__.py', data: bytes('def forward(self): ...') }]));
  const r = await scanCheckpointFile(path, 'scripted.pt');
  assert.deepEqual([r.verdict, r.findings], ['suspicious', [{ severity: 'medium', message: 'TorchScript archive: its code/ entries run when it is loaded with torch.jit.load' }]]);
}));

test('mutated and cut fixtures never throw: every result has a verdict', withTemp(async (dir) => {
  const sources = [readFileSync(join(FIXTURES, 'digits_cnn.pt')), readFileSync(join(FIXTURES, 'digits_cnn.safetensors'))];
  let seed = 11;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const verdicts = new Set<string>();
  for (let i = 0; i < 120; i++) {
    const src = Buffer.from(sources[i % 2]!);
    // Flip bytes in the metadata (the first 1200 bytes hold the zip's data.pkl / the safetensors header) or cut the file.
    if (i % 3 !== 2) for (let k = 0; k < 1 + rand(4); k++) src[rand(1200)] = rand(256);
    const data = i % 3 === 2 ? src.subarray(0, rand(src.length)) : src;
    const path = join(dir, `m${i}`);
    writeFileSync(path, data);
    const r = await inspectCheckpoint(path);
    verdicts.add(r.verdict);
    await digestCheckpoint(path, 'm', r);
  }
  assert.ok(verdicts.has('malformed'));
}));

test('a sparse 5 GB ZIP64 torch zip: a storage past 4 GiB is located from 64-bit fields', withTemp(async (dir) => {
  // Only metadata is read, so the 5 GB hole costs neither disk nor time.
  const pkl = tensorPickle([2], [1], 0, 2);
  const far = 5 * 2 ** 30;
  const storage = new Uint8Array(new Float32Array([7, 8]).buffer);
  const entries = [
    { name: 'model/data.pkl', data: pkl, at: 0 },
    { name: 'model/data/0', data: storage, at: far },
  ];
  const path = join(dir, 'sparse.pt');
  const fd = openSync(path, 'w');
  const central: Uint8Array[] = [];
  let end = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint32(18, 0xffffffff, true);
    lv.setUint32(22, 0xffffffff, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    writeSync(fd, local, 0, local.length, e.at);
    writeSync(fd, e.data, 0, e.data.length, e.at + local.length);
    end = e.at + local.length + e.data.length;
    const cd = new Uint8Array(46 + name.length + 28);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint32(20, 0xffffffff, true);
    cv.setUint32(24, 0xffffffff, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, 28, true);
    cv.setUint32(42, 0xffffffff, true);
    cd.set(name, 46);
    cv.setUint16(46 + name.length, 1, true);
    cv.setUint16(48 + name.length, 24, true);
    cv.setBigUint64(50 + name.length, BigInt(e.data.length), true);
    cv.setBigUint64(58 + name.length, BigInt(e.data.length), true);
    cv.setBigUint64(66 + name.length, BigInt(e.at), true);
    central.push(cd);
  }
  const cdBytes = bytes(...central);
  const tail = new Uint8Array(56 + 20 + 22);
  const tv = new DataView(tail.buffer);
  tv.setUint32(0, 0x06064b50, true);
  tv.setBigUint64(32, 2n, true);
  tv.setBigUint64(40, BigInt(cdBytes.length), true);
  tv.setBigUint64(48, BigInt(end), true);
  tv.setUint32(56, 0x07064b50, true);
  tv.setBigUint64(64, BigInt(end + cdBytes.length), true);
  tv.setUint32(76, 0x06054b50, true);
  tv.setUint16(86, 0xffff, true);
  tv.setUint32(88, 0xffffffff, true);
  tv.setUint32(92, 0xffffffff, true);
  writeSync(fd, cdBytes, 0, cdBytes.length, end);
  writeSync(fd, tail, 0, tail.length, end + cdBytes.length);
  closeSync(fd);
  const r = await inspectCheckpoint(path);
  assert.equal(r.verdict, 'safe');
  assert.deepEqual(r.tensors[0]!.runs, [{ offset: far + 30 + 'model/data/0'.length, length: 8 }]);
  const probe = openSync(path, 'r');
  const got = Buffer.alloc(8);
  readSync(probe, got, 0, 8, far + 42);
  closeSync(probe);
  assert.deepEqual([got.readFloatLE(0), got.readFloatLE(4)], [7, 8]);
}));
