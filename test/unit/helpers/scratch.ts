import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh empty directory under the OS temp dir, named `modelmon-<label>-XXXXXX`. */
export function scratchDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `modelmon-${label}-`));
}
