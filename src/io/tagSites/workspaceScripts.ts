import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { scanScript, type ScriptSites } from '../../core/tagSites';

export interface ScriptScanLimits {
  /** Files larger than this are generated code or data, not training scripts. */
  readonly maxFileBytes?: number;
  readonly maxFiles?: number;
  /** Bytes read in all. */
  readonly maxTotalBytes?: number;
  /** Directory entries looked at in all: a log folder with thousands of runs must not stall a check. */
  readonly maxEntries?: number;
}

/** Folders that hold no training scripts of the workspace's own. */
const SKIPPED = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', 'site-packages', '.venv', 'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ipynb_checkpoints']);

/**
 * The Python files under `root` with their tag sites and writers, for tying findings to code.
 * Bounded: skips dependency and virtual-environment folders (any folder holding `pyvenv.cfg`),
 * symbolic links, files over 1 MB, and stops after `maxFiles` scripts, 64 MB read or `maxEntries` entries.
 */
export function scanWorkspaceScripts(root: string, limits: ScriptScanLimits = {}): ScriptSites[] {
  const maxFileBytes = limits.maxFileBytes ?? 1_000_000;
  const maxFiles = limits.maxFiles ?? 5_000;
  let entriesLeft = limits.maxEntries ?? 100_000;
  let bytesLeft = limits.maxTotalBytes ?? 64_000_000;
  const scripts: ScriptSites[] = [];
  const pending = [root];
  let files = 0;
  while (pending.length && files < maxFiles && entriesLeft > 0 && bytesLeft > 0) {
    const dir = pending.shift()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      continue; // unreadable folder: its scripts stay unknown
    }
    if (dir !== root && entries.some((e) => e.name === 'pyvenv.cfg')) continue;
    for (const entry of entries) {
      if (--entriesLeft < 0 || files >= maxFiles) break;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) pending.push(path);
      } else if (entry.isFile() && entry.name.endsWith('.py')) {
        try {
          const size = statSync(path).size;
          if (size > maxFileBytes || size > bytesLeft) continue;
          bytesLeft -= size;
          files++;
          const script = scanScript(path, readFileSync(path, 'utf8'));
          if (script.sites.length) scripts.push(script);
        } catch {
          // vanished or unreadable between listing and reading
        }
      }
    }
  }
  return scripts;
}

/** The git work tree holding `dir` (the nearest folder above with a `.git`), or undefined. */
export function findRepositoryRoot(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return current;
    if (dirname(current) === current) return undefined;
  }
}
