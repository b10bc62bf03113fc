import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/**
 * Finds the program to run: `explicit` when given (it must exist and be executable), else the
 * first `name` on `env.PATH` (relative entries resolved against `cwd`, as a shell does). Null when
 * there is none.
 */
export function locateExecutable(name: string, env: NodeJS.ProcessEnv, explicit?: string | null, cwd = process.cwd()): string | null {
  const candidates: string[] = [];
  if (explicit) candidates.push(resolve(cwd, explicit));
  else {
    const file = process.platform === 'win32' ? `${name}.exe` : name;
    for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) if (dir) candidates.push(resolve(cwd, join(dir, file)));
  }
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* not this one */
    }
  }
  return null;
}
