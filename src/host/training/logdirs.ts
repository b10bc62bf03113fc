import * as path from 'node:path';

/** Event files found in the workspace, grouped into log directories the way `tensorboard --logdir` would see them. */
export interface DiscoveredLogdir {
  readonly logdir: string;
  /** Run directory (absolute) -> its event files (absolute), sorted. */
  readonly runs: ReadonlyMap<string, readonly string[]>;
}

/**
 * Groups event files into log directories. A pinned directory (added by the user) is a log
 * directory; otherwise the parent of the shallowest run directory is, so `runs/a/events...` and
 * `runs/b/c/events...` share the log directory `runs` with runs `a` and `b/c`. A log directory
 * never lies above a workspace folder (`roots`).
 */
export function groupIntoLogdirs(eventFiles: readonly string[], pinned: readonly string[] = [], roots: readonly string[] = []): DiscoveredLogdir[] {
  const runDirs = new Map<string, string[]>();
  for (const file of eventFiles) {
    const dir = path.dirname(file);
    const list = runDirs.get(dir) ?? [];
    list.push(file);
    runDirs.set(dir, list);
  }
  const within = (dir: string, root: string) => dir === root || dir.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  const logdirs: string[] = [...pinned].sort((a, b) => a.length - b.length);
  const byDepth = [...runDirs.keys()].sort((a, b) => a.split(path.sep).length - b.split(path.sep).length || a.localeCompare(b));
  for (const dir of byDepth) {
    if (logdirs.some((root) => within(dir, root))) continue;
    // Never above a workspace folder: a log directory is watched recursively.
    const parent = path.dirname(dir);
    const allowed = roots.length ? roots.some((r) => within(parent, r)) : parent !== path.parse(parent).root;
    logdirs.push(allowed ? parent : dir);
  }
  const result: DiscoveredLogdir[] = [];
  const claimed = new Set<string>();
  // Deepest log directory first, so a run belongs to the closest pinned directory.
  for (const logdir of [...logdirs].sort((a, b) => b.length - a.length)) {
    const runs = new Map<string, string[]>();
    for (const [dir, files] of runDirs) {
      if (claimed.has(dir) || !within(dir, logdir)) continue;
      claimed.add(dir);
      runs.set(dir, files.sort());
    }
    if (runs.size) result.push({ logdir, runs: new Map([...runs].sort(([a], [b]) => a.localeCompare(b))) });
  }
  return result.sort((a, b) => a.logdir.localeCompare(b.logdir));
}

/** Drops directories inside another one: a watcher reads its whole tree, so nested ones would read runs twice. */
export function outermost(dirs: readonly string[]): Set<string> {
  const sorted = [...new Set(dirs)].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const d of sorted) if (!kept.some((k) => d === k || d.startsWith(k.endsWith(path.sep) ? k : k + path.sep))) kept.push(d);
  return new Set(kept);
}
