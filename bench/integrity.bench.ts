import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure } from './harness';
import { inspectCheckpoint } from '../src/io/integrity/checkpoint-reader';
import { digestCheckpoint, sha256File } from '../src/io/integrity/digest';

const TENSORS = 16;
const TENSOR_BYTES = 64 << 20; // 16 x 64 MiB = 1 GiB of float32 data per checkpoint
const WRITE_CHUNK = 4 << 20;

function le32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** Writes `bytes` of pseudo-random data (a repeated 4 MiB block) to an open file. */
async function writeData(fh: import('node:fs/promises').FileHandle, block: Buffer, bytes: number): Promise<void> {
  for (let done = 0; done < bytes; done += WRITE_CHUNK) await fh.write(block, 0, Math.min(WRITE_CHUNK, bytes - done));
}

async function writeSafetensors(path: string, block: Buffer): Promise<void> {
  const header: Record<string, unknown> = {};
  for (let i = 0; i < TENSORS; i++) header[`layer${i}.weight`] = { dtype: 'F32', shape: [TENSOR_BYTES / 4], data_offsets: [i * TENSOR_BYTES, (i + 1) * TENSOR_BYTES] };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const fh = await open(path, 'w');
  try {
    await fh.write(Buffer.concat([length, json]));
    await writeData(fh, block, TENSORS * TENSOR_BYTES);
  } finally {
    await fh.close();
  }
}

/** data.pkl of a state dict of TENSORS float32 vectors, as torch.save writes it (protocol 2). */
function stateDictPickle(): Buffer {
  const str = (s: string) => Buffer.concat([Buffer.from([0x58]), le32(s.length), Buffer.from(s)]);
  const parts: Buffer[] = [Buffer.from([0x80, 2, 0x7d, 0x28])];
  for (let i = 0; i < TENSORS; i++) {
    const numel = TENSOR_BYTES / 4;
    parts.push(
      str(`layer${i}.weight`),
      Buffer.from('ctorch._utils\n_rebuild_tensor_v2\n((', 'latin1'),
      str('storage'),
      Buffer.from('ctorch\nFloatStorage\n', 'latin1'),
      str(String(i)),
      str('cpu'),
      Buffer.from([0x4a]),
      le32(numel),
      Buffer.from('tQK\x00(J', 'latin1'),
      le32(numel),
      Buffer.from('t(K\x01t\x89ccollections\nOrderedDict\n)RtR', 'latin1'),
    );
  }
  parts.push(Buffer.from('u.', 'latin1'));
  return Buffer.concat(parts);
}

/** A torch.save-like zip: stored entries, storages aligned to 64 bytes through the local extra field. */
async function writeTorchZip(path: string, block: Buffer): Promise<void> {
  const fh = await open(path, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  const entry = async (name: string, size: number, data: Buffer | undefined) => {
    const nameBytes = Buffer.from(name);
    const pad = (64 - ((offset + 30 + nameBytes.length + 4) % 64)) % 64;
    const local = Buffer.alloc(30 + nameBytes.length + 4 + pad);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(size, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(4 + pad, 28);
    nameBytes.copy(local, 30);
    local.writeUInt16LE(0xcafe, 30 + nameBytes.length);
    local.writeUInt16LE(pad, 32 + nameBytes.length);
    await fh.write(local);
    if (data) await fh.write(data);
    else await writeData(fh, block, size);
    const cd = Buffer.alloc(46 + nameBytes.length);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt32LE(size, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(nameBytes.length, 28);
    cd.writeUInt32LE(offset, 42);
    nameBytes.copy(cd, 46);
    central.push(cd);
    offset += local.length + size;
  };
  try {
    const pkl = stateDictPickle();
    await entry('bench/data.pkl', pkl.length, pkl);
    await entry('bench/byteorder', 6, Buffer.from('little'));
    for (let i = 0; i < TENSORS; i++) await entry(`bench/data/${i}`, TENSOR_BYTES, undefined);
    await entry('bench/version', 2, Buffer.from('3\n'));
    const cd = Buffer.concat(central);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(central.length, 8);
    eocd.writeUInt16LE(central.length, 10);
    eocd.writeUInt32LE(cd.length, 12);
    eocd.writeUInt32LE(offset, 16);
    await fh.write(Buffer.concat([cd, eocd]));
  } finally {
    await fh.close();
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - t0) / 1e6];
}

export async function bench(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'modelmon-integrity-bench-'));
  const figures: BenchFigure[] = [];
  const add = (name: string, value: number, unit: string, anchor?: string) => figures.push({ engine: 'integrity', name, value, unit, ...(anchor ? { anchor } : {}) });
  try {
    const block = Buffer.alloc(WRITE_CHUNK);
    let x = 12345;
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((x = (x * 1664525 + 1013904223) >>> 0), i);
    const st = join(dir, 'model.safetensors');
    const pt = join(dir, 'model.pt');
    await writeSafetensors(st, block);
    await writeTorchZip(pt, block);
    const mb = (TENSORS * TENSOR_BYTES) / 1e6;

    // Scans first, so the peak RSS below covers generation (4 MiB buffers) and scanning only.
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss;
    const [stInfo, stScan] = await timed(() => inspectCheckpoint(st));
    const [ptInfo, ptScan] = await timed(() => inspectCheckpoint(pt));
    const rssAfter = process.memoryUsage().rss;
    if (stInfo.tensors.length !== TENSORS || ptInfo.tensors.length !== TENSORS || ptInfo.verdict !== 'safe') throw new Error('bench checkpoints were not read back correctly');
    add('scan 1 GB safetensors (header only)', stScan, 'ms');
    add('scan 1 GB torch zip (directory + data.pkl)', ptScan, 'ms');
    add('peak RSS of the bench process through both scans', process.resourceUsage().maxRSS / 1024, 'MiB', 'tensor data never read');
    add('RSS growth across both scans', Math.max(0, rssAfter - rssBefore) / (1 << 20), 'MiB');

    const [, hashMs] = await timed(() => sha256File(st));
    add('sha256 whole file, 1 GB safetensors (page cache warm)', mb / (hashMs / 1000), 'MB/s', 'disk: ~1-2 GB/s uncached');
    const [entry, digestMs] = await timed(() => digestCheckpoint(st, 'model.safetensors', stInfo));
    add('snapshot digest (file + 16 tensors), safetensors', mb / (digestMs / 1000), 'MB/s');
    const [ptEntry, ptDigestMs] = await timed(() => digestCheckpoint(pt, 'model.pt', ptInfo));
    add('snapshot digest (file + 16 tensors), torch zip', mb / (ptDigestMs / 1000), 'MB/s');
    // The same bytes in both files: per-tensor digests must agree across formats.
    if (entry.tensors.some((t, i) => t.sha256 !== ptEntry.tensors[i]?.sha256)) throw new Error('tensor digests differ between formats');
    add('peak RSS of the bench process at the end', process.resourceUsage().maxRSS / 1024, 'MiB');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
