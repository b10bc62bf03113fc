import { dtypeSize } from './dtype';
import { CheckpointFormatError, type TensorLayout } from './layout';
import { contiguousRun, repeatedSpan, viewRuns, type TorchTensorRef } from './torch-tensors';
import type { ZipEntry } from './zip';

/** The parts of a torch.save zip: `<prefix>/data.pkl`, `<prefix>/data/<key>` storages, `byteorder`. */
export interface TorchArchive {
  /** The archive's top folder (torch names it after the file). */
  readonly prefix: string;
  readonly dataPickle: ZipEntry;
  /** Every `.pkl` entry, data.pkl included: all of them are unpickled by some loader. */
  readonly pickles: readonly ZipEntry[];
  readonly storages: ReadonlyMap<string, ZipEntry>;
  readonly byteorder: ZipEntry | undefined;
  readonly version: ZipEntry | undefined;
}

/**
 * Finds the torch.save layout among zip entries; throws if there is no `data.pkl`. Names match
 * case-insensitively, as PyTorch's zip reader (miniz) finds them: `archive/DATA.PKL` is data.pkl.
 */
export function torchArchiveOf(entries: readonly ZipEntry[]): TorchArchive {
  const lower = (e: ZipEntry) => e.name.toLowerCase();
  const dataPickle = entries.find((e) => /^([^/]+\/)?data\.pkl$/.test(lower(e))) ?? entries.find((e) => lower(e).endsWith('/data.pkl'));
  if (!dataPickle) throw new CheckpointFormatError('zip holds no data.pkl: not a torch.save checkpoint');
  const prefix = lower(dataPickle).slice(0, -'data.pkl'.length);
  const storages = new Map<string, ZipEntry>();
  for (const e of entries) if (lower(e).startsWith(prefix + 'data/')) storages.set(e.name.slice(prefix.length + 5), e);
  return {
    prefix: dataPickle.name.slice(0, prefix.length),
    dataPickle,
    pickles: entries.filter((e) => lower(e).endsWith('.pkl')),
    storages,
    byteorder: entries.find((e) => lower(e) === prefix + 'byteorder'),
    version: entries.find((e) => lower(e) === prefix + 'version'),
  };
}

/** Where a storage's bytes start in the file (from its local header) and how long they are. */
export interface StoragePlacement {
  readonly offset: number;
  readonly size: number;
  readonly stored: boolean;
}

/**
 * Turns recovered tensor refs into file layouts. Problems (a missing or compressed storage, a view
 * past its storage) are returned as messages and the tensor is left out.
 */
export function torchTensorLayouts(
  refs: readonly TorchTensorRef[],
  placementOf: (storageKey: string) => StoragePlacement | undefined,
  bigEndian: boolean,
): { tensors: TensorLayout[]; problems: string[] } {
  const tensors: TensorLayout[] = [];
  const problems: string[] = [];
  for (const ref of refs) {
    const placement = placementOf(ref.storageKey);
    if (!placement) {
      problems.push(`tensor '${ref.name}': storage '${ref.storageKey}' is missing from the archive`);
      continue;
    }
    if (!placement.stored) {
      problems.push(`tensor '${ref.name}': storage '${ref.storageKey}' is compressed (torch.save stores storages uncompressed)`);
      continue;
    }
    const needed = ref.storageNumel * dtypeSize(ref.dtype);
    if (placement.size < needed) {
      problems.push(`tensor '${ref.name}': storage '${ref.storageKey}' holds ${placement.size} bytes but ${needed} are pickled`);
      continue;
    }
    try {
      const one = contiguousRun(ref);
      const span = one ? undefined : repeatedSpan(ref);
      const runs = (one ? [one] : span ? [span] : viewRuns(ref)).map((r) => ({ offset: placement.offset + r.offset, length: r.length }));
      tensors.push({ name: ref.name, dtype: ref.dtype, shape: ref.shape, runs, bigEndian, ...(span ? { storageSpan: true } : {}) });
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  return { tensors, problems };
}
