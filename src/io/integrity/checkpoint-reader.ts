import { open, stat, type FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import type { Finding, Verdict } from '../../core/integrity/findings';
import { CheckpointFormatError, type CheckpointFormat, type TensorLayout } from '../../core/integrity/layout';
import { analyzePickle, looksLikePickle, type PickleAnalysis, type PickleValue } from '../../core/integrity/pickle';
import { classifyGlobal } from '../../core/integrity/pickle-policy';
import { PickleScanner } from '../../core/integrity/pickle-scanner';
import { looksLikeSafetensors, parseSafetensorsHeader, safetensorsHeaderLength } from '../../core/integrity/safetensors';
import { torchTensorsOf } from '../../core/integrity/torch-tensors';
import { torchArchiveOf, torchTensorLayouts, type StoragePlacement } from '../../core/integrity/torch-zip';
import { dtypeSize } from '../../core/integrity/dtype';
import {
  entryDataOffset,
  locateCentralDirectory,
  looksLikeZip,
  parseCentralDirectory,
  LOCAL_HEADER_LENGTH,
  ZIP_TAIL_LENGTH,
  type ZipEntry,
} from '../../core/integrity/zip';

/** The most bytes of pickle (a .pkl file, a data.pkl entry) read into memory for a scan. */
export const PICKLE_SCAN_LIMIT = 64 << 20;
const CENTRAL_DIRECTORY_LIMIT = 256 << 20;
/** torch.save's legacy (pre-1.6) files open with this number, pickled. */
const LEGACY_MAGIC = Number(0x1950a86a20f9469cfc6cn);

/** What a checkpoint holds and whether it is safe to load, learned from its metadata only. */
export interface CheckpointInspection {
  readonly path: string;
  readonly size: number;
  readonly format: CheckpointFormat;
  readonly verdict: Verdict;
  readonly findings: readonly Finding[];
  /** Tensors and where their bytes lie; empty when the layout could not be recovered. */
  readonly tensors: readonly TensorLayout[];
}

/** Reads exactly `length` bytes at `offset` (fewer only at end of file). */
export async function readAt(fh: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/**
 * Inspects a checkpoint without reading its tensor data: the safetensors header, or a zip's
 * directory and pickles, or a plain/legacy pickle (up to {@link PICKLE_SCAN_LIMIT}). Whatever else
 * a file is, it is also read as a pickle from byte 0, as `pickle.load` and a legacy `torch.load`
 * would: a polyglot that is valid safetensors and a valid pickle is scanned as both. Never throws
 * for bad content: that comes back as a `malformed` verdict, with every finding made before it.
 */
export async function inspectCheckpoint(path: string): Promise<CheckpointInspection> {
  // Checked before opening: opening a FIFO would wait for a writer forever.
  const info = await stat(path);
  if (info.isDirectory()) throw Object.assign(new Error(`${path} is a folder`), { code: 'EISDIR' });
  if (!info.isFile()) throw new Error('not a regular file (a FIFO, socket or device)');
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const prefix = await readAt(fh, 0, 16);
    const scanner = new PickleScanner();
    let format: CheckpointFormat = 'unknown';
    let tensors: TensorLayout[] = [];
    try {
      if (size === 0) throw new CheckpointFormatError('file is empty');
      const probe = await probePickle(fh, size, looksLikePickle(prefix));
      if (looksLikeZip(prefix)) {
        format = 'torch-zip';
        recordPolyglot(probe, size, scanner);
        tensors = await inspectTorchZip(fh, size, scanner);
      } else if (claimsSafetensors(prefix) || looksLikeSafetensors(prefix, size)) {
        format = 'safetensors';
        recordPolyglot(probe, size, scanner);
        const headerLength = safetensorsHeaderLength(prefix, size);
        tensors = [...parseSafetensorsHeader(await readAt(fh, 8, headerLength), size).tensors];
      } else if (looksLikePickle(prefix) || runsAsPickle(probe.analysis)) {
        const legacy = await inspectPickleFile(fh, size, probe, scanner);
        format = legacy.legacy ? 'torch-legacy' : 'pickle';
        tensors = legacy.tensors;
      } else {
        throw new CheckpointFormatError('not a recognised checkpoint: no safetensors header, zip or pickle signature');
      }
    } catch (e) {
      // Whatever stopped the scan, what it found before stays: a dangerous call is never lost.
      if (e instanceof CheckpointFormatError) scanner.add('malformed', 'high', e.message);
      else scanner.add('malformed', 'high', `not fully scanned: ${e instanceof Error ? e.message : String(e)}`);
    }
    const result = scanner.result();
    return { path, size, format, verdict: result.verdict, findings: result.findings, tensors };
  } finally {
    await fh.close();
  }
}

/** The file's first bytes read as a pickle, and the window they were read from. */
interface PickleProbe {
  readonly window: Uint8Array;
  readonly analysis: PickleAnalysis;
}

/**
 * Reads the file as a pickle from byte 0. A file that does not open like one is tried on a small
 * window first, grown while the pickle still needs more bytes (up to {@link PICKLE_SCAN_LIMIT}),
 * so a safetensors file costs a few bytes, while a pickle hidden behind string hops is followed.
 */
async function probePickle(fh: FileHandle, size: number, likelyPickle: boolean): Promise<PickleProbe> {
  const limit = Math.min(size, PICKLE_SCAN_LIMIT);
  let length = likelyPickle ? limit : Math.min(limit, 64 << 10);
  for (;;) {
    const window = await readAt(fh, 0, length);
    const analysis = analyzePickle(window, 0);
    if (analysis.error?.kind !== 'truncated' || length >= limit) return { window, analysis };
    length = Math.min(limit, length * 4);
  }
}

/** Whether `pickle.load` would reach STOP, or call a global that is not safe before failing. */
function runsAsPickle(a: PickleAnalysis): boolean {
  if (!a.error) return a.imports.length > 0 || a.calls.length > 0;
  if (a.error.kind === 'budget') return true;
  return a.calls.length > 0 && a.imports.some((i) => classifyGlobal(i.module, i.name).safety !== 'safe');
}

/** A zip or safetensors file that is also a pickle from byte 0 is scanned as that pickle too. */
function recordPolyglot(probe: PickleProbe, size: number, scanner: PickleScanner): void {
  const { analysis, window } = probe;
  const cutByWindow = analysis.error?.kind === 'truncated' && window.byteLength < size;
  if (!runsAsPickle(analysis) && !cutByWindow) return;
  scanner.add('suspicious', 'medium', 'the file is also a pickle from byte 0: pickle.load and torch.load(weights_only=False) would run it');
  scanner.record(analysis, 'the pickle at byte 0');
  if (cutByWindow) scanner.add('malformed', 'high', `not fully scanned: the pickle at byte 0 continues past the ${PICKLE_SCAN_LIMIT >> 20} MB scan window`);
}

/** A JSON object after a u64 length under 4 GB: a safetensors file, even if its length lies. */
function claimsSafetensors(prefix: Uint8Array): boolean {
  return prefix.byteLength > 8 && prefix[8] === 0x7b && prefix[4] === 0 && prefix[5] === 0 && prefix[6] === 0 && prefix[7] === 0;
}

async function entryBytes(fh: FileHandle, size: number, entry: ZipEntry, scanner?: PickleScanner): Promise<Uint8Array> {
  const header = await readAt(fh, entry.localHeaderOffset, LOCAL_HEADER_LENGTH);
  const at = entryDataOffset(header, entry, size);
  const overLimit = `not fully scanned: zip entry '${entry.name}' is over the ${PICKLE_SCAN_LIMIT >> 20} MB pickle scan limit`;
  if (scanner && entry.method === 0 && entry.compressedSize > PICKLE_SCAN_LIMIT) {
    // The first 64 MB are still scanned: a payload there is reported, not hidden by the size.
    scanner.add('malformed', 'high', overLimit);
    return readAt(fh, at, PICKLE_SCAN_LIMIT);
  }
  if (entry.size > PICKLE_SCAN_LIMIT || entry.compressedSize > PICKLE_SCAN_LIMIT) throw new CheckpointFormatError(overLimit);
  const raw = await readAt(fh, at, entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method !== 8) throw new CheckpointFormatError(`zip entry '${entry.name}' uses unsupported compression method ${entry.method}`);
  try {
    return inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
  } catch {
    throw new CheckpointFormatError(`zip entry '${entry.name}' does not inflate to its recorded ${entry.size} bytes`);
  }
}

async function inspectTorchZip(fh: FileHandle, size: number, scanner: PickleScanner): Promise<TensorLayout[]> {
  const tailLength = Math.min(size, ZIP_TAIL_LENGTH);
  const tail = await readAt(fh, size - tailLength, tailLength);
  const where = locateCentralDirectory(tail, size - tailLength, size);
  if (where.size > CENTRAL_DIRECTORY_LIMIT) throw new CheckpointFormatError(`zip central directory of ${where.size} bytes is too large`);
  const entries = parseCentralDirectory(await readAt(fh, where.offset, where.size), where.entryCount, size);
  const archive = torchArchiveOf(entries);
  if (entries.some((e) => e.name.startsWith(archive.prefix + 'code/')))
    scanner.add('suspicious', 'medium', 'TorchScript archive: its code/ entries run when it is loaded with torch.jit.load');
  let root: PickleValue | undefined;
  for (const entry of archive.pickles) {
    let bytes: Uint8Array;
    try {
      bytes = await entryBytes(fh, size, entry, scanner);
    } catch (e) {
      // One unreadable pickle must not hide what the others hold.
      if (!(e instanceof CheckpointFormatError)) throw e;
      scanner.add('malformed', 'high', e.message);
      continue;
    }
    const analysis = scanner.scan(bytes, 0, entry.name);
    if (entry === archive.dataPickle) root = analysis.result;
  }
  if (!root) return [];
  let bigEndian = false;
  if (archive.byteorder) {
    const text = new TextDecoder().decode(await entryBytes(fh, size, archive.byteorder)).trim();
    if (text !== 'little' && text !== 'big') throw new CheckpointFormatError(`byteorder entry says '${text.slice(0, 20)}'`);
    bigEndian = text === 'big';
  }
  const refs = torchTensorsOf(root);
  const placements = new Map<string, StoragePlacement>();
  // Local headers are read together: a large model has thousands of storages.
  await Promise.all(
    [...new Set(refs.map((r) => r.storageKey))].map(async (key) => {
      const entry = archive.storages.get(key);
      if (!entry) return;
      const offset = entryDataOffset(await readAt(fh, entry.localHeaderOffset, LOCAL_HEADER_LENGTH), entry, size);
      placements.set(key, { offset, size: entry.size, stored: entry.method === 0 });
    }),
  );
  const { tensors, problems } = torchTensorLayouts(refs, (k) => placements.get(k), bigEndian);
  for (const p of problems) scanner.add('malformed', 'high', p);
  return tensors;
}

/** Plain pickles, and torch's legacy format: five pickles (magic, protocol, sys info, data, storage keys) then raw storages. */
async function inspectPickleFile(fh: FileHandle, size: number, probe: PickleProbe, scanner: PickleScanner): Promise<{ legacy: boolean; tensors: TensorLayout[] }> {
  const { window } = probe;
  const first = scanner.record(probe.analysis);
  // A pickle cut by the window is not known to be safe: what follows could run code.
  const cutByWindow = (a: PickleAnalysis) => {
    if (a.error?.kind !== 'truncated' || window.byteLength >= size) return false;
    scanner.add('malformed', 'high', `not fully scanned: the pickle continues past the ${PICKLE_SCAN_LIMIT >> 20} MB scan window`);
    return true;
  };
  if (first.error) {
    cutByWindow(first);
    return { legacy: false, tensors: [] };
  }
  if (first.result?.kind !== 'int' || first.result.value !== LEGACY_MAGIC) return { legacy: false, tensors: [] };
  let at = first.end;
  let data: PickleValue | undefined;
  let keys: PickleValue | undefined;
  for (let i = 0; i < 4; i++) {
    const next = scanner.scan(window, at, i === 2 ? 'data pickle' : `legacy header pickle ${i + 2}`);
    if (next.error) {
      cutByWindow(next);
      return { legacy: true, tensors: [] };
    }
    if (i === 2) data = next.result;
    if (i === 3) keys = next.result;
    at = next.end;
  }
  if (!data || keys?.kind !== 'list') return { legacy: true, tensors: [] };
  // Storages follow the keys pickle in key order, each as an 8-byte element count then its bytes.
  const refs = torchTensorsOf(data);
  const itemSize = new Map(refs.map((r) => [r.storageKey, dtypeSize(r.dtype)]));
  const placements = new Map<string, StoragePlacement>();
  // Counts are read through one buffer: 200,000 small storages would otherwise take 200,000 reads.
  let chunk: Uint8Array = new Uint8Array(0);
  let chunkAt = 0;
  for (const key of keys.items) {
    if (key.kind !== 'str') throw new CheckpointFormatError('legacy storage key list holds a non-string');
    const item = itemSize.get(key.value);
    if (at < chunkAt || at + 8 > chunkAt + chunk.byteLength) {
      chunk = await readAt(fh, at, Math.min(1 << 20, Math.max(0, size - at)));
      chunkAt = at;
    }
    if (at + 8 > chunkAt + chunk.byteLength) throw new CheckpointFormatError(`legacy storage '${key.value}' is truncated`);
    const numel = Number(new DataView(chunk.buffer, chunk.byteOffset + at - chunkAt, 8).getBigUint64(0, true));
    if (item === undefined) throw new CheckpointFormatError(`legacy storage '${key.value}' is not used by any tensor`);
    const bytes = numel * item;
    if (at + 8 + bytes > size) throw new CheckpointFormatError(`legacy storage '${key.value}' runs past the end of the file`);
    placements.set(key.value, { offset: at + 8, size: bytes, stored: true });
    at += 8 + bytes;
  }
  const { tensors, problems } = torchTensorLayouts(refs, (k) => placements.get(k), false);
  for (const p of problems) scanner.add('malformed', 'high', p);
  return { legacy: true, tensors };
}
