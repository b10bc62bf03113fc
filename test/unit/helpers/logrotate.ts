import { copyFileSync, existsSync, renameSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';

/** logrotate's two styles: rename the live file away and create a new one, or copy it and truncate it. */
export type RotationStyle = 'rename' | 'copytruncate';

/**
 * Rotates `path` as logrotate does: NAME.k moves to NAME.k+1 (k from `keep` down), then the live
 * file becomes NAME.1 by `style`, and the new live file starts with `fresh` (a CSV header, say).
 * No append falls between the copy and the truncate.
 */
export function rotateLog(path: string, style: RotationStyle, fresh = '', keep = 20): void {
  for (let k = keep; k >= 1; k--) if (existsSync(`${path}.${k}`)) renameSync(`${path}.${k}`, `${path}.${k + 1}`);
  if (style === 'rename') {
    renameSync(path, `${path}.1`);
    writeFileSync(path, fresh);
  } else {
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    if (fresh) appendFileSync(path, fresh);
  }
}
