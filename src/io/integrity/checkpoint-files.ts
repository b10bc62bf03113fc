import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** File extensions treated as checkpoints when a folder is walked. */
export const CHECKPOINT_EXTENSIONS = ['.pt', '.pth', '.bin', '.ckpt', '.pkl', '.safetensors'] as const;

/** True if the file name has a checkpoint extension. */
export function isCheckpointName(name: string): boolean {
  const lower = name.toLowerCase();
  return CHECKPOINT_EXTENSIONS.some((e) => lower.endsWith(e));
}

/**
 * Expands paths into checkpoint files: a file is taken as is, a folder is walked (without
 * following symlinked folders, skipping dot-folders and node_modules) for checkpoint extensions.
 * Missing paths throw with a clear message.
 */
export async function findCheckpoints(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch {
      throw new Error(`no such file or folder: ${p}`);
    }
    if (info.isDirectory()) await walk(p, found);
    else if (info.isFile()) found.push(p);
    // Opening a FIFO would wait for a writer forever.
    else throw new Error(`not a regular file or folder (a FIFO, socket or device): ${p}`);
  }
  return [...new Set(found)].sort();
}

async function walk(dir: string, found: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith('.') && e.name !== 'node_modules') await walk(p, found);
    } else if (e.isFile() && isCheckpointName(e.name)) found.push(p);
    else if (e.isSymbolicLink() && isCheckpointName(e.name)) {
      const target = await stat(p).catch(() => undefined);
      if (target?.isFile()) found.push(p);
    }
  }
}
