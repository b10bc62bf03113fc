import { mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { compareWithManifest, parseManifestText, ManifestError, type Manifest, type ManifestEntry, type VerifyReport } from '../../core/integrity/manifest';
import { findCheckpoints } from './checkpoint-files';
import { digestCheckpoint, sha256File } from './digest';

function toManifestPath(manifestDir: string, file: string): string {
  return relative(manifestDir, file).split(sep).join('/') || '.';
}

/** A manifest path as a file path: relative ones from the manifest's folder, absolute ones as written. */
export function fromManifestPath(manifestDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(manifestDir, ...path.split('/'));
}

/** Whether `file`, symlinks followed, lies under `root` (whose own symlinks are followed too). */
export async function liesWithin(root: string, file: string): Promise<boolean> {
  const real = async (p: string) => realpath(p).catch(() => resolve(p));
  const rel = relative(await real(root), await real(file));
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/** Options of {@link verifyManifest}. */
export interface VerifyOptions {
  /** Paths outside this folder are neither read nor hashed: they come back in `outside`. */
  readonly within?: string;
}

/**
 * Records every checkpoint under `paths` (files or folders, resolved against `cwd`) in a manifest
 * written to `manifestFile`; paths inside it are relative to the manifest's folder.
 */
export async function writeSnapshot(paths: readonly string[], manifestFile: string, cwd: string, signal?: AbortSignal): Promise<Manifest> {
  const manifestPath = resolve(cwd, manifestFile);
  const manifestDir = dirname(manifestPath);
  const absolute = paths.map((p) => resolve(cwd, p));
  const files = (await findCheckpoints(absolute)).filter((f) => f !== manifestPath);
  const entries: ManifestEntry[] = [];
  for (const f of files) entries.push(await digestCheckpoint(f, toManifestPath(manifestDir, f), undefined, signal));
  const manifest: Manifest = {
    version: 1,
    createdAt: new Date().toISOString(),
    roots: absolute.map((p) => toManifestPath(manifestDir, p)),
    files: entries,
  };
  // Write then rename, so a crash never leaves half a manifest.
  const temp = `${manifestPath}.${process.pid}.tmp`;
  try {
    await mkdir(manifestDir, { recursive: true });
    await writeFile(temp, JSON.stringify(manifest, null, 2) + '\n');
    await rename(temp, manifestPath);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    throw new ManifestError(`cannot write manifest ${manifestFile}: ${code === 'EISDIR' ? 'it is a folder' : code === 'EEXIST' || code === 'ENOTDIR' ? 'a file stands where a folder should' : (code ?? (error as Error).message)}`);
  }
  return manifest;
}

/** Reads and validates a manifest (JSON, or a `sha256sum` list such as SHA256SUMS); a missing or bad file throws with a clear message. */
export async function readManifest(manifestFile: string): Promise<Manifest> {
  let text: string;
  try {
    // Opening a FIFO would wait for a writer forever: regular files only.
    if (!(await stat(manifestFile)).isFile()) throw new Error('not a regular file');
    text = await readFile(manifestFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ManifestError(`cannot read manifest ${manifestFile}${code === 'ENOENT' ? '' : `: ${code ?? (error as Error).message}`}`);
  }
  return parseManifestText(text);
}

/**
 * Checks the files a manifest names: a whole-file hash first, and per-tensor digests only for files
 * whose hash changed (to name the tensors). Files now under the manifest's roots but not in it are `added`.
 */
export async function verifyManifest(manifestFile: string, cwd: string, signal?: AbortSignal, options: VerifyOptions = {}): Promise<VerifyReport> {
  const manifestPath = resolve(cwd, manifestFile);
  const manifestDir = dirname(manifestPath);
  const manifest = await readManifest(manifestPath);
  const current = new Map<string, ManifestEntry>();
  const outside: string[] = [];
  const allowed = async (file: string, path: string) => {
    if (options.within === undefined || (await liesWithin(options.within, file))) return true;
    outside.push(path);
    return false;
  };
  for (const before of manifest.files) {
    const file = fromManifestPath(manifestDir, before.path);
    if (!(await allowed(file, before.path))) continue;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    const sha256 = await sha256File(file, signal);
    if (sha256 === before.sha256 && (before.checksumOnly || info.size === before.size)) current.set(before.path, before);
    else current.set(before.path, await digestCheckpoint(file, before.path, undefined, signal));
  }
  const existing: string[] = [];
  for (const r of manifest.roots) {
    const root = fromManifestPath(manifestDir, r);
    if ((await allowed(root, r)) && (await stat(root).catch(() => undefined))) existing.push(root);
  }
  const found: string[] = [];
  for (const f of await findCheckpoints(existing)) {
    // A symlink under a root can still point elsewhere.
    if (f !== manifestPath && (await allowed(f, toManifestPath(manifestDir, f)))) found.push(toManifestPath(manifestDir, f));
  }
  const report = compareWithManifest(manifest, current, found);
  if (!outside.length) return report;
  const skipped = new Set(outside);
  return { ...report, missing: report.missing.filter((p) => !skipped.has(p)), outside: [...skipped] };
}
