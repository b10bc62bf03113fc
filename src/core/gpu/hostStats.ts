import type { HostMetrics } from './types';

/** Cumulative host counters at one instant; rates come from the difference of two. */
export interface HostCounters {
  readonly timeMs: number;
  /** CPU time in any unit (jiffies, ms): busy and total since boot. */
  readonly cpuBusy: number | null;
  readonly cpuTotal: number | null;
  readonly memoryUsedBytes: number | null;
  readonly memoryTotalBytes: number | null;
  readonly diskReadBytes: number | null;
  readonly diskWriteBytes: number | null;
  readonly netRxBytes: number | null;
  readonly netTxBytes: number | null;
}

/** Busy and total jiffies from the aggregate `cpu` line of /proc/stat (iowait counts as idle). */
export function parseProcStat(text: string): { busy: number; total: number } | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 4 || v.some((x) => !Number.isFinite(x))) return null;
  // guest and guest_nice (fields 9, 10) are already inside user and nice.
  const total = v.slice(0, 8).reduce((s, x) => s + x, 0);
  const idle = v[3]! + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** Used and total bytes from /proc/meminfo (used = MemTotal - MemAvailable). */
export function parseMeminfo(text: string): { usedBytes: number; totalBytes: number } | null {
  const kb = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable') ?? kb('MemFree');
  return total === null || available === null ? null : { usedBytes: total - available, totalBytes: total };
}

// Partitions, device-mapper and md devices repeat their disks' I/O; loop and ram are not disks.
const NOT_A_DISK = /^(loop|ram|zram|dm-|md|sr|fd)|^(sd|vd|xvd|hd)[a-z]+\d+$|^(nvme\d+n\d+|mmcblk\d+)p\d+$/;

/** Bytes read and written by whole disks, from /proc/diskstats (sectors are 512 bytes there). */
export function parseDiskstats(text: string): { readBytes: number; writeBytes: number } | null {
  let readBytes = 0;
  let writeBytes = 0;
  let any = false;
  for (const line of text.split('\n')) {
    const c = line.trim().split(/\s+/);
    if (c.length < 10 || NOT_A_DISK.test(c[2]!)) continue;
    const r = Number(c[5]);
    const w = Number(c[9]);
    if (!Number.isFinite(r) || !Number.isFinite(w)) continue;
    readBytes += r * 512;
    writeBytes += w * 512;
    any = true;
  }
  return any ? { readBytes, writeBytes } : null;
}

/** Bytes received and sent on every interface but loopback, from /proc/net/dev. */
export function parseNetDev(text: string): { rxBytes: number; txBytes: number } | null {
  let rxBytes = 0;
  let txBytes = 0;
  let any = false;
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const c = m[2]!.trim().split(/\s+/).map(Number);
    if (c.length < 9 || !Number.isFinite(c[0]) || !Number.isFinite(c[8])) continue;
    rxBytes += c[0]!;
    txBytes += c[8]!;
    any = true;
  }
  return any ? { rxBytes, txBytes } : null;
}

const MIB = 1024 * 1024;

/** Host metrics between two readings of the counters; rates are null without a previous reading. */
export function hostMetricsBetween(prev: HostCounters | null, cur: HostCounters): HostMetrics {
  const dt = prev ? (cur.timeMs - prev.timeMs) / 1000 : 0;
  const rate = (a: number | null | undefined, b: number | null) =>
    prev && dt > 0 && a != null && b !== null && b >= a ? (b - a) / dt : null;
  let cpuPercent: number | null = null;
  if (prev && prev.cpuBusy !== null && prev.cpuTotal !== null && cur.cpuBusy !== null && cur.cpuTotal !== null) {
    const total = cur.cpuTotal - prev.cpuTotal;
    if (total > 0) cpuPercent = Math.min(100, Math.max(0, (100 * (cur.cpuBusy - prev.cpuBusy)) / total));
  }
  return {
    cpuPercent,
    memoryUsedMiB: cur.memoryUsedBytes === null ? null : cur.memoryUsedBytes / MIB,
    memoryTotalMiB: cur.memoryTotalBytes === null ? null : cur.memoryTotalBytes / MIB,
    diskReadBytesPerSec: rate(prev?.diskReadBytes, cur.diskReadBytes),
    diskWriteBytesPerSec: rate(prev?.diskWriteBytes, cur.diskWriteBytes),
    netRxBytesPerSec: rate(prev?.netRxBytes, cur.netRxBytes),
    netTxBytesPerSec: rate(prev?.netTxBytes, cur.netTxBytes),
  };
}
