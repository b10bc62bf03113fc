import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Every scratch directory of a test file goes when its process exits (node --test runs each file
// in its own process), whether or not the test that made it cleaned up or passed.
const made = new Set<string>();
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty directory under the OS temp dir, named `modelmon-<label>-XXXXXX`, removed at exit. */
export function scratchDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `modelmon-${label}-`));
  made.add(dir);
  return dir;
}
