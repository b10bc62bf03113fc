import { readFile } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import { hostMetricsBetween, parseDiskstats, parseMeminfo, parseNetDev, parseProcStat, type HostCounters } from '../core/gpu/hostStats';
import type { HostMetrics } from '../core/gpu/types';

/** Reads a file's text, or null when it cannot. */
export type TextReader = (path: string) => Promise<string | null>;

const readText: TextReader = (path) => readFile(path, 'utf8').then(
  (t) => t,
  () => null,
);

/**
 * Host CPU, memory, disk and network figures: from /proc on Linux, from `os` elsewhere (where disk
 * and network throughput are null). Rates are over the time since the previous `sample()`, so the
 * first sample has null rates.
 */
export class HostMetricsSampler {
  private previous: HostCounters | null = null;

  constructor(
    private readonly platform: NodeJS.Platform = process.platform,
    private readonly read: TextReader = readText,
  ) {}

  /** Reads the counters now; rates cover the time since the previous call. */
  async sample(nowMs = Date.now()): Promise<HostMetrics> {
    const cur = this.platform === 'linux' ? await this.fromProc(nowMs) : this.fromOs(nowMs);
    const metrics = hostMetricsBetween(this.previous, cur);
    this.previous = cur;
    return metrics;
  }

  private async fromProc(timeMs: number): Promise<HostCounters> {
    const [stat, mem, disk, net] = await Promise.all([
      this.read('/proc/stat'),
      this.read('/proc/meminfo'),
      this.read('/proc/diskstats'),
      this.read('/proc/net/dev'),
    ]);
    const cpu = stat === null ? null : parseProcStat(stat);
    const m = mem === null ? null : parseMeminfo(mem);
    const d = disk === null ? null : parseDiskstats(disk);
    const n = net === null ? null : parseNetDev(net);
    if (!cpu && !m) return this.fromOs(timeMs);
    return {
      timeMs,
      cpuBusy: cpu?.busy ?? null,
      cpuTotal: cpu?.total ?? null,
      memoryUsedBytes: m?.usedBytes ?? null,
      memoryTotalBytes: m?.totalBytes ?? null,
      diskReadBytes: d?.readBytes ?? null,
      diskWriteBytes: d?.writeBytes ?? null,
      netRxBytes: n?.rxBytes ?? null,
      netTxBytes: n?.txBytes ?? null,
    };
  }

  private fromOs(timeMs: number): HostCounters {
    let busy = 0;
    let total = 0;
    for (const c of cpus()) {
      const t = c.times;
      busy += t.user + t.nice + t.sys + t.irq;
      total += t.user + t.nice + t.sys + t.irq + t.idle;
    }
    const totalBytes = totalmem();
    return {
      timeMs,
      cpuBusy: total ? busy : null,
      cpuTotal: total || null,
      memoryUsedBytes: totalBytes - freemem(),
      memoryTotalBytes: totalBytes,
      diskReadBytes: null,
      diskWriteBytes: null,
      netRxBytes: null,
      netTxBytes: null,
    };
  }
}
