import { isAbsent } from './parse';
import type { ComputeApp } from './types';

/** The `--query-compute-apps` fields, in the order `parseComputeApps` expects them. */
export const COMPUTE_APPS_FIELDS = 'pid,process_name,used_memory,gpu_uuid';

/**
 * Parses `--query-compute-apps=pid,process_name,used_memory,gpu_uuid --format=csv,noheader,nounits`
 * (a header line, if present, is skipped; an empty table is a normal answer: no processes).
 * The process name sits between fixed columns, so a name holding commas survives.
 */
export function parseComputeApps(text: string): ComputeApp[] {
  const apps: ComputeApp[] = [];
  for (const line of text.split(/\r?\n/)) {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length < 4) continue;
    const pid = Number(cells[0]);
    if (!/^\d+$/.test(cells[0]!) || !Number.isSafeInteger(pid)) continue;
    const gpuUuid = cells[cells.length - 1]!;
    // endsWith + trimEnd, not /\s*MiB$/: that regex is quadratic on a long run of spaces.
    const memCell = cells[cells.length - 2]!;
    const memText = memCell.endsWith('MiB') ? memCell.slice(0, -3).trimEnd() : memCell;
    const usedMemoryMiB = isAbsent(memText) || !/^\d+(\.\d+)?$/.test(memText) ? null : Number(memText);
    apps.push({ pid, processName: cells.slice(1, -2).join(', '), usedMemoryMiB, gpuUuid });
  }
  return apps;
}

/** One GPU from `nvidia-smi -L`, with its MIG instances when MIG is on. */
export interface ListedGpu {
  readonly index: number;
  readonly name: string;
  readonly uuid: string;
  readonly migDevices: ReadonlyArray<{ readonly profile: string; readonly device: number; readonly uuid: string }>;
}

/** Parses `nvidia-smi -L`: `GPU 0: NAME (UUID: GPU-...)` lines, each followed by its `MIG ...` lines. */
export function parseGpuList(text: string): ListedGpu[] {
  const gpus: Array<ListedGpu & { migDevices: ListedGpu['migDevices'][number][] }> = [];
  for (const line of text.split(/\r?\n/)) {
    const g = /^GPU (\d+): (.*) \(UUID: ([^)]+)\)\s*$/.exec(line);
    if (g) {
      gpus.push({ index: Number(g[1]), name: g[2]!, uuid: g[3]!, migDevices: [] });
      continue;
    }
    const m = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: ([^)]+)\)\s*$/.exec(line);
    if (m && gpus.length) gpus[gpus.length - 1]!.migDevices.push({ profile: m[1]!, device: Number(m[2]), uuid: m[3]! });
  }
  return gpus;
}
