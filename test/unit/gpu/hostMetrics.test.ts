import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDiskstats, parseMeminfo, parseNetDev, parseProcStat } from '../../../src/core/gpu';
import { HostMetricsSampler } from '../../../src/io/hostMetrics';

const stat = (user: number, idle: number) => `cpu  ${user} 0 100 ${idle} 50 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n`;
const MEMINFO = 'MemTotal:       24684092 kB\nMemFree:        20382636 kB\nMemAvailable:   23431312 kB\n';
const disk = (sda: number, sdaW: number) =>
  [
    `   7       0 loop0 9 0 999 0 0 0 999 0 0 0 0 0 0 0 0 0 0`,
    `   8       0 sda 10 0 ${sda} 0 5 0 ${sdaW} 0 0 0 0 0 0 0 0 0 0`,
    `   8       1 sda1 10 0 ${sda} 0 5 0 ${sdaW} 0 0 0 0 0 0 0 0 0 0`,
    ` 259       0 nvme0n1 1 0 100 0 1 0 100 0 0 0 0`,
    ` 259       1 nvme0n1p1 1 0 100 0 1 0 100 0 0 0 0`,
    ` 253       0 dm-0 1 0 5000 0 1 0 5000 0 0 0 0`,
  ].join('\n');
const net = (rx: number, tx: number) =>
  `Inter-|   Receive |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets\n    lo: 78918481   20690    0    0    0     0          0         0 78918481   20690    0    0    0     0       0          0\n  eth0: ${rx} 1 0 0 0 0 0 0 ${tx} 1 0 0 0 0 0 0\n`;

test('/proc parsers: CPU jiffies, available memory, whole disks only, no loopback', () => {
  assert.deepEqual(parseProcStat(stat(1000, 3000)), { busy: 1100, total: 4150 });
  assert.equal(parseProcStat('intr 1 2 3'), null);
  assert.deepEqual(parseMeminfo(MEMINFO), { usedBytes: (24684092 - 23431312) * 1024, totalBytes: 24684092 * 1024 });
  assert.equal(parseMeminfo('nothing'), null);
  // sda and nvme0n1 count; loop, partitions and device-mapper would double count.
  assert.deepEqual(parseDiskstats(disk(2048, 4096)), { readBytes: (2048 + 100) * 512, writeBytes: (4096 + 100) * 512 });
  assert.deepEqual(parseNetDev(net(1000, 500)), { rxBytes: 1000, txBytes: 500 });
  assert.equal(parseNetDev('garbage'), null);
});

test('HostMetricsSampler turns two /proc readings into exact rates', async () => {
  let phase = 0;
  const files = [
    { '/proc/stat': stat(1000, 3000), '/proc/meminfo': MEMINFO, '/proc/diskstats': disk(2048, 4096), '/proc/net/dev': net(1000, 500) },
    { '/proc/stat': stat(1250, 3750), '/proc/meminfo': MEMINFO, '/proc/diskstats': disk(4096, 4096), '/proc/net/dev': net(3000, 1500) },
  ];
  const sampler = new HostMetricsSampler('linux', async (p) => (files[phase] as Record<string, string>)[p] ?? null);
  const first = await sampler.sample(10_000);
  assert.deepEqual(first, {
    cpuPercent: null,
    memoryUsedMiB: (24684092 - 23431312) / 1024,
    memoryTotalMiB: 24684092 / 1024,
    diskReadBytesPerSec: null,
    diskWriteBytesPerSec: null,
    netRxBytesPerSec: null,
    netTxBytesPerSec: null,
  });
  phase = 1;
  const second = await sampler.sample(12_000);
  assert.deepEqual(second, {
    cpuPercent: 25,
    memoryUsedMiB: (24684092 - 23431312) / 1024,
    memoryTotalMiB: 24684092 / 1024,
    diskReadBytesPerSec: (2048 * 512) / 2,
    diskWriteBytesPerSec: 0,
    netRxBytesPerSec: 1000,
    netTxBytesPerSec: 500,
  });
});

test('without /proc (or off Linux) the sampler falls back to os: CPU and memory, no throughput', async () => {
  const sampler = new HostMetricsSampler('linux', async () => null);
  await sampler.sample();
  const m = await sampler.sample(Date.now() + 1000);
  assert.equal(typeof m.memoryTotalMiB, 'number');
  assert.deepEqual([m.diskReadBytesPerSec, m.netRxBytesPerSec], [null, null]);
  const other = new HostMetricsSampler('darwin');
  assert.equal((await other.sample()).cpuPercent, null);
});
