import { open, type FileHandle } from 'node:fs/promises';
import { dtypeSize, isNumericDType } from '../../core/integrity/dtype';
import type { TensorLayout } from '../../core/integrity/layout';
import { TensorDiffAccumulator, type TensorDifference } from '../../core/integrity/tensor-diff';
import { inspectCheckpoint } from './checkpoint-reader';

/** Tensor-by-tensor comparison of two checkpoints (of any formats). */
export interface CheckpointDiff {
  readonly tensors: readonly TensorDifference[];
  readonly onlyInA: readonly string[];
  readonly onlyInB: readonly string[];
  /** Tensors present in both that cannot be compared numerically, with why. */
  readonly incomparable: readonly { readonly name: string; readonly reason: string }[];
}

const BLOCK = 4 << 20;

/** Yields a tensor's bytes in element order, in blocks of exactly `block` bytes (the last may be shorter). */
async function* tensorBlocks(fh: FileHandle, t: TensorLayout, block: number): AsyncGenerator<Uint8Array> {
  const buf = Buffer.allocUnsafe(block);
  let filled = 0;
  for (const run of t.runs) {
    for (let done = 0; done < run.length; ) {
      const want = Math.min(block - filled, run.length - done);
      const { bytesRead } = await fh.read(buf, filled, want, run.offset + done);
      if (bytesRead === 0) throw new Error(`tensor '${t.name}' runs past the end of its file`);
      filled += bytesRead;
      done += bytesRead;
      if (filled === block) {
        yield buf;
        filled = 0;
      }
    }
  }
  if (filled) yield buf.subarray(0, filled);
}

/**
 * Compares every tensor two checkpoints share by name: max absolute and relative L2 differences,
 * streamed in blocks so memory stays bounded whatever the tensor sizes.
 */
export async function diffCheckpoints(pathA: string, pathB: string): Promise<CheckpointDiff> {
  const readable = (p: string) =>
    inspectCheckpoint(p).catch((e: NodeJS.ErrnoException) => {
      throw new Error(e.code === 'ENOENT' ? `no such file: ${p}` : e.code === 'EISDIR' ? `${p} is a folder` : `${p}: ${e.message}`);
    });
  const [a, b] = await Promise.all([readable(pathA), readable(pathB)]);
  for (const side of [a, b]) {
    if (side.verdict === 'malformed') throw new Error(`${side.path}: ${side.findings[0]?.message ?? 'malformed checkpoint'}`);
  }
  const byName = new Map(b.tensors.map((t) => [t.name, t]));
  const inA = new Set(a.tensors.map((t) => t.name));
  const tensors: TensorDifference[] = [];
  const incomparable: { name: string; reason: string }[] = [];
  const [fa, fb] = await Promise.all([open(pathA, 'r'), open(pathB, 'r')]);
  try {
    for (const ta of a.tensors) {
      const tb = byName.get(ta.name);
      if (!tb) continue;
      if (ta.dtype !== tb.dtype) incomparable.push({ name: ta.name, reason: `dtype ${ta.dtype} vs ${tb.dtype}` });
      else if (ta.shape.join(',') !== tb.shape.join(',')) incomparable.push({ name: ta.name, reason: `shape [${ta.shape}] vs [${tb.shape}]` });
      else if (!isNumericDType(ta.dtype)) incomparable.push({ name: ta.name, reason: `dtype ${ta.dtype} has no numeric decoding` });
      else if (ta.storageSpan || tb.storageSpan) incomparable.push({ name: ta.name, reason: 'a view that repeats storage elements (stride 0 or overlapping)' });
      else {
        const acc = new TensorDiffAccumulator(ta.name, ta.dtype, ta.shape, ta.bigEndian, tb.bigEndian);
        const block = BLOCK - (BLOCK % dtypeSize(ta.dtype));
        const itA = tensorBlocks(fa, ta, block);
        const itB = tensorBlocks(fb, tb, block);
        for (;;) {
          const [x, y] = await Promise.all([itA.next(), itB.next()]);
          if (x.done || y.done) break;
          acc.update(x.value, y.value);
        }
        tensors.push(acc.result());
      }
    }
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
  return {
    tensors,
    onlyInA: a.tensors.filter((t) => !byName.has(t.name)).map((t) => t.name),
    onlyInB: b.tensors.filter((t) => !inA.has(t.name)).map((t) => t.name),
    incomparable,
  };
}
