import type { CheckpointFormat } from './layout';

/** One tensor's record in a manifest. */
export interface TensorDigest {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** SHA-256 (hex) of the tensor's elements in row-major order; absent when they could not be read. */
  readonly sha256?: string;
}

/** One checkpoint's record: `path` is relative to the manifest's folder, with `/` separators. */
export interface ManifestEntry {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly format: CheckpointFormat;
  readonly tensors: readonly TensorDigest[];
  /** From a `sha256sum` list: size, format and tensors were not recorded, only the hash. */
  readonly checksumOnly?: boolean;
}

/** What `modelmon integrity snapshot` writes. `roots` (relative) are re-walked by verify to find added files. */
export interface Manifest {
  readonly version: 1;
  readonly createdAt: string;
  readonly roots: readonly string[];
  readonly files: readonly ManifestEntry[];
}

/** A file whose bytes differ from the manifest, with the tensors responsible where known. */
export interface ChangedFile {
  readonly path: string;
  readonly before: ManifestEntry;
  readonly after: ManifestEntry;
  /** Tensors present in both with different digests, dtype or shape. */
  readonly changedTensors: readonly string[];
  readonly addedTensors: readonly string[];
  readonly removedTensors: readonly string[];
}

/** The result of checking files against a manifest. */
export interface VerifyReport {
  readonly unchanged: readonly string[];
  readonly changed: readonly ChangedFile[];
  readonly missing: readonly string[];
  readonly added: readonly string[];
  /** Paths (and roots) outside the folder verification was confined to: neither read nor hashed. */
  readonly outside?: readonly string[];
}

/** Thrown for a manifest file that is not one; the message is for the user. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/**
 * Compares a manifest with freshly computed entries. `current` maps each manifest path that still
 * exists to its new entry; `found` lists every checkpoint path now under the manifest's roots.
 */
export function compareWithManifest(manifest: Manifest, current: ReadonlyMap<string, ManifestEntry>, found: readonly string[]): VerifyReport {
  const unchanged: string[] = [];
  const changed: ChangedFile[] = [];
  const missing: string[] = [];
  const known = new Set(manifest.files.map((f) => f.path));
  for (const before of manifest.files) {
    const after = current.get(before.path);
    if (!after) missing.push(before.path);
    else if (after.sha256 === before.sha256 && (before.checksumOnly || after.size === before.size)) unchanged.push(before.path);
    else if (before.checksumOnly) changed.push({ path: before.path, before, after, changedTensors: [], addedTensors: [], removedTensors: [] });
    else changed.push({ path: before.path, before, after, ...tensorChanges(before.tensors, after.tensors) });
  }
  const added = [...new Set(found)].filter((p) => !known.has(p)).sort();
  return { unchanged, changed, missing, added };
}

function sameTensor(a: TensorDigest, b: TensorDigest): boolean {
  return a.sha256 === b.sha256 && a.dtype === b.dtype && a.shape.join(',') === b.shape.join(',');
}

/** Names the tensors that differ between two digest lists. */
export function tensorChanges(before: readonly TensorDigest[], after: readonly TensorDigest[]) {
  const old = new Map(before.map((t) => [t.name, t]));
  const now = new Map(after.map((t) => [t.name, t]));
  return {
    changedTensors: before.filter((t) => now.has(t.name) && !sameTensor(t, now.get(t.name)!)).map((t) => t.name),
    addedTensors: after.filter((t) => !old.has(t.name)).map((t) => t.name),
    removedTensors: before.filter((t) => !now.has(t.name)).map((t) => t.name),
  };
}

const FORMATS = new Set(['safetensors', 'torch-zip', 'torch-legacy', 'pickle', 'unknown']);

/** Parses and validates manifest JSON text. Throws {@link ManifestError} with a clear message. */
export function parseManifest(text: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ManifestError('manifest is not valid JSON');
  }
  const m = json as Partial<Manifest> | null;
  if (!m || typeof m !== 'object' || m.version !== 1 || !Array.isArray(m.files) || !Array.isArray(m.roots))
    throw new ManifestError('not a modelmon integrity manifest (expected version 1 with files and roots)');
  m.files.forEach((f, i) => {
    const ok =
      f && typeof f.path === 'string' && typeof f.sha256 === 'string' && typeof f.size === 'number' && FORMATS.has(f.format) && Array.isArray(f.tensors);
    if (!ok) throw new ManifestError(`manifest entry ${i} is incomplete (path, size, sha256, format, tensors)`);
  });
  return m as Manifest;
}

/**
 * Parses `sha256sum` output (`<64 hex>  <path>` or `<64 hex> *<path>` a line) as a manifest
 * with no roots and checksum-only entries, so a SHA256SUMS file can be verified like a manifest.
 */
export function parseChecksumList(text: string): Manifest {
  const files: ManifestEntry[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new ManifestError(`line ${i + 1} of the checksum list is not '<sha256>  <path>'`);
    files.push({ path: m[2]!, size: -1, sha256: m[1]!.toLowerCase(), format: 'unknown', tensors: [], checksumOnly: true });
  });
  return { version: 1, createdAt: '', roots: [], files };
}

/** Parses either a JSON manifest or a `sha256sum` checksum list, by its first character. */
export function parseManifestText(text: string): Manifest {
  return text.trimStart().startsWith('{') ? parseManifest(text) : parseChecksumList(text);
}
