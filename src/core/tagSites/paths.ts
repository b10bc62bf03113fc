/**
 * Slash-separated path arithmetic for matching scripts to runs, without Node's `path` (core
 * stays free of Node). Backslashes count as separators, so Windows paths compare too.
 */

/** `a\\b//c/./d/../e` -> `a/b/c/e`; keeps a leading `/` or drive (`C:/`), drops a trailing `/`. */
export function normalizePath(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  const root = /^(?:[A-Za-z]:)?\//.exec(slashed)?.[0] ?? '';
  const parts: string[] = [];
  for (const part of slashed.slice(root.length).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else if (part !== '..' || !root) parts.push(part);
  }
  return root + parts.join('/') || '.';
}

export function isAbsolutePath(path: string): boolean {
  return /^(?:[A-Za-z]:)?[\\/]/.test(path);
}

/** Joins `child` onto `base` unless it is absolute; the result is normalised. */
export function resolvePath(base: string, child: string): string {
  return normalizePath(isAbsolutePath(child) ? child : `${base}/${child}`);
}

export function parentPath(path: string): string {
  const normal = normalizePath(path);
  const cut = normal.lastIndexOf('/');
  if (cut < 0) return '.';
  return cut === 0 || /^[A-Za-z]:$/.test(normal.slice(0, cut)) ? normal.slice(0, cut + 1) : normal.slice(0, cut);
}

/** Whether `path` is `dir` or lies under it (both normalised first). */
export function isAtOrUnder(path: string, dir: string): boolean {
  const p = normalizePath(path);
  const d = normalizePath(dir);
  return p === d || p.startsWith(d.endsWith('/') ? d : `${d}/`);
}

/** `to` relative to `from` (`../x` where needed), `/`-separated; `to` itself when they share no root. */
export function relativePath(from: string, to: string): string {
  const a = normalizePath(from).split('/');
  const b = normalizePath(to).split('/');
  if (a[0] !== b[0]) return normalizePath(to);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return [...Array<string>(a.length - common).fill('..'), ...b.slice(common)].join('/') || '.';
}
