import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';

/** At most this many files make one log set; a larger glob is refused rather than read for hours. */
export const MAX_LOG_SET_FILES = 10000;

/** Thrown for a log argument that names no readable file. */
export class LogSetError extends Error {
  override readonly name = 'LogSetError';
}

const hasGlob = (s: string) => /[*?[]/.test(s);
const COMPRESSED = /\.(gz|zst|zstd)$/i;
/** `predictions.log.3`, `predictions.log.3.gz`, `predictions-3.jsonl`: the rotation number. */
const ROTATION = /(?:\.|-)(\d{1,4})(?:\.(?:gz|zst|zstd))?$/i;
/** A date (and hour, minute, second) in a name: 2026-01-01, 20260101T03, 2026-01-01_03-00. */
const STAMP = /(\d{4})-?(\d{2})-?(\d{2})(?:[T_ -]?(\d{2})(?:[-:]?(\d{2})(?:[-:]?(\d{2}))?)?)?/;

function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i);
      if (close < 0) re += '\\[';
      else {
        re += glob.slice(i, close + 1).replace(/^\[!/, '[^');
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function walk(dir: string, deep: boolean, out: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isFile()) out.push(p);
    else if (deep && e.isDirectory() && !e.name.startsWith('.')) await walk(p, deep, out);
    if (out.length > MAX_LOG_SET_FILES) throw new LogSetError(`${dir}: more than ${MAX_LOG_SET_FILES} files; name a narrower glob`);
  }
}

/**
 * The files of a log given as a file, a directory (its files, not hidden ones) or a glob
 * (`*`, `?`, `[...]`, `**`), oldest first (see orderLogFiles). Paths are resolved against `cwd`.
 */
export async function resolveLogSet(spec: string, cwd: string): Promise<string[]> {
  const path = resolve(cwd, spec);
  if (!hasGlob(spec)) {
    let s;
    try {
      s = await stat(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new LogSetError(`'${spec}' cannot be read${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
    }
    if (s.isFile()) return [path];
    if (!s.isDirectory()) throw new LogSetError(`'${spec}' is neither a file nor a directory`);
    const files: string[] = [];
    await walk(path, false, files);
    const logs = files.filter((f) => !basename(f).startsWith('.'));
    if (!logs.length) throw new LogSetError(`directory '${spec}' holds no files`);
    return orderLogFiles(logs);
  }
  const parts = path.split(sep);
  const fixed = parts.findIndex(hasGlob);
  const root = parts.slice(0, fixed).join(sep) || sep;
  const re = globRegExp(parts.slice(fixed).join('/'));
  const files: string[] = [];
  try {
    await walk(root, parts.slice(fixed).some((p) => p.includes('**')) || parts.length - fixed > 1, files);
  } catch (e) {
    if (e instanceof LogSetError) throw e;
    throw new LogSetError(`'${spec}': folder '${root}' cannot be read`);
  }
  const matched = files.filter((f) => re.test(f.slice(root.length + (root.endsWith(sep) ? 0 : 1)).split(sep).join('/')));
  if (!matched.length) throw new LogSetError(`'${spec}' matches no file`);
  return orderLogFiles(matched);
}

interface Ordered {
  readonly path: string;
  readonly stamp: string | undefined;
  readonly base: string;
  readonly rotation: number;
  readonly mtime: number;
}

/** The order a log's files were written in, oldest first. */
export async function orderLogFiles(paths: readonly string[]): Promise<string[]> {
  const info: Ordered[] = await Promise.all(
    paths.map(async (path) => {
      const name = basename(path);
      const m = STAMP.exec(name);
      const r = ROTATION.exec(name);
      return {
        path,
        stamp: m ? m.slice(1).map((x) => x ?? '00').join('') : undefined,
        base: join(dirname(path), r ? name.slice(0, r.index) : name.replace(COMPRESSED, '')),
        rotation: r ? Number(r[1]) : 0,
        mtime: (await stat(path)).mtimeMs,
      };
    }),
  );
  const allStamped = info.every((f) => f.stamp !== undefined) && new Set(info.map((f) => f.stamp)).size === info.length;
  // A shared base with rotation numbers: logrotate's order (the highest number is the oldest).
  const rotated = !allStamped && new Set(info.map((f) => f.base)).size === 1 && info.length > 1;
  return info
    .sort((a, b) => {
      if (allStamped) return a.stamp! < b.stamp! ? -1 : 1;
      if (rotated && a.rotation !== b.rotation) return b.rotation - a.rotation;
      return a.mtime - b.mtime || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    })
    .map((f) => f.path);
}
