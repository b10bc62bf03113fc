import type { Finding, Verdict } from '../../core/integrity/findings';
import type { CheckpointFormat } from '../../core/integrity/layout';
import { relative } from 'node:path';
import { inspectCheckpoint } from './checkpoint-reader';
import { findCheckpoints } from './checkpoint-files';

/** One file's scan, as `modelmon integrity scan --json` prints it. */
export interface FileScanReport {
  readonly path: string;
  readonly format: CheckpointFormat;
  readonly verdict: Verdict;
  readonly findings: readonly Finding[];
}

/**
 * Scans a checkpoint for code that would run at load time, reading only its metadata (the
 * safetensors header, or the zip directory and pickles). An unreadable file comes back malformed.
 */
export async function scanCheckpointFile(path: string, displayPath = path): Promise<FileScanReport> {
  try {
    const r = await inspectCheckpoint(path);
    return { path: displayPath, format: r.format, verdict: r.verdict, findings: r.findings };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : e instanceof Error ? e.message : String(e);
    return { path: displayPath, format: 'unknown', verdict: 'malformed', findings: [{ severity: 'high', message: `cannot read: ${message}` }] };
  }
}

/**
 * Scans every checkpoint under `paths` (files, or folders searched by extension), reporting
 * paths relative to `baseDir`. A path that does not exist throws with a clear message.
 */
export async function scanCheckpoints(paths: readonly string[], baseDir: string): Promise<FileScanReport[]> {
  const reports: FileScanReport[] = [];
  for (const file of await findCheckpoints(paths)) reports.push(await scanCheckpointFile(file, relative(baseDir, file) || file));
  return reports;
}
