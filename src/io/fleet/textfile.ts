import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file node-exporter's textfile collector reads. */
export const TEXTFILE_NAME = 'modelmon.prom';

/**
 * Writes DIR/modelmon.prom atomically: a temporary file in the same folder (not ending in .prom,
 * so the collector never reads it half written), then a rename over the old one.
 */
export function writeTextfile(dir: string, body: Buffer | string): string {
  const target = join(dir, TEXTFILE_NAME);
  const temporary = join(dir, `.${TEXTFILE_NAME}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, body);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return target;
}
