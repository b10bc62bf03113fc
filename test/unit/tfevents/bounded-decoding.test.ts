import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEvent } from '../../../src/core/tfevents/event';
import { MAX_HISTOGRAM_BUCKETS } from '../../../src/core/tfevents/tensor';
import { buildCliBundle } from '../helpers/cliBundle';
import { scratchDir } from '../helpers/scratch';
import { Message, record } from './helpers';

// Hostile tensors sized like the issue's: built straight into Buffers (a number[] of 10^7 bytes is slow).

function varint(v: number): Buffer {
  const out: number[] = [];
  for (; v >= 0x80; v = Math.floor(v / 128)) out.push((v % 128) | 0x80);
  out.push(v);
  return Buffer.from(out);
}
const key = (field: number, wire: number) => varint(field * 8 + wire);
const bytesField = (field: number, b: Buffer) => Buffer.concat([key(field, 2), varint(b.length), b]);
const shape = (...dims: number[]) => Buffer.concat(dims.map((d) => bytesField(2, Buffer.concat([key(1, 0), varint(d)]))));

/** Event{wall_time, step, summary{value{tag 'big', tensor}}} around a TensorProto's bytes. */
function tensorEvent(step: number, tensor: Buffer): Buffer {
  const wallTime = Buffer.alloc(9);
  wallTime[0] = 0x09;
  wallTime.writeDoubleLE(1.7e9 + step, 1);
  const value = Buffer.concat([bytesField(1, Buffer.from('big')), bytesField(8, tensor)]);
  return Buffer.concat([wallTime, key(2, 0), varint(step), bytesField(5, bytesField(1, value))]);
}

/** An int32 tensor of `n` packed one-byte int_val varints (the 115 M-value record). */
function packedIntsTensor(n: number): Buffer {
  return Buffer.concat([key(1, 0), varint(3), bytesField(2, shape(n)), key(7, 2), varint(n), Buffer.alloc(n, 1)]);
}

/** A string tensor of `n` empty string_vals, two bytes each. */
function emptyStringsTensor(n: number): Buffer {
  const strings = Buffer.alloc(2 * n);
  for (let i = 0; i < 2 * n; i += 2) strings[i] = 0x42;
  return Buffer.concat([key(1, 0), varint(7), bytesField(2, shape(n)), strings]);
}

const lossEvent = new Message().double(1, 1.7e9).varint(2, 2).message(5, new Message().message(1, new Message().string(1, 'loss').float(2, 0.5))).encode();

// Peak RSS comes from /proc, and the interrupt waits for the child's open file there.
const LINUX_ONLY = { skip: process.platform !== 'linux' };

let dir = '';
let cli = '';
let preload = '';
before(async () => {
  dir = scratchDir('tb-bounded');
  cli = await buildCliBundle('tb-bounded');
  // Reports the child's peak RSS on stderr as it exits. VmHWM, not getrusage's maxRSS: Linux carries
  // the forking parent's peak into maxRSS across exec, and the test runner's is larger than the child's.
  preload = join(dir, 'peak-rss.cjs');
  writeFileSync(preload, "process.on('exit', () => require('fs').writeSync(2, '\\npeak-rss ' + /VmHWM:\\s+\\d+ kB/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[0] + '\\n'));\n");
});
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

interface Child {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  peakRssBytes: number;
  /** ms from the kill signal (if any) to exit. */
  afterSignalMs: number;
}

/** True once process `pid` has an event file open: its signal handlers are in place and reading has begun. */
function readingEventFile(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).includes('tfevents');
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** Runs `modelmon tb <args>` with a 128 MiB old-space heap; with `interrupt`, sends SIGINT once it reads. */
function runTb(args: string[], interrupt = false): Promise<Child> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=128', '-r', preload, cli, 'tb', ...args], { cwd: dir });
    let out = '';
    let err = '';
    let signalledAt = 0;
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const poll = interrupt
      ? setInterval(() => {
          if (!readingEventFile(child.pid!)) return;
          clearInterval(poll);
          signalledAt = performance.now();
          child.kill('SIGINT');
        }, 5)
      : undefined;
    child.on('close', (code, signal) => {
      clearInterval(poll);
      const peak = /peak-rss VmHWM:\s+(\d+) kB/.exec(err);
      resolve({ code, signal, out, err, peakRssBytes: peak ? Number(peak[1]) * 1024 : NaN, afterSignalMs: signalledAt ? performance.now() - signalledAt : 0 });
    });
  });
}

/** What node itself takes before reading a byte (bundle, heap, buffers), allowed on top of the multiple. */
const NODE_BASELINE = 64 * 1024 * 1024;

test('a tensor of 30 M packed int_val varints is listed by type and shape; memory stays near the record size', LINUX_ONLY, async () => {
  // The 115 M-value record aborted V8 (2.8 GB); 30 M values take the same path at a quarter of the disk.
  const n = 30_000_000;
  mkdirSync(join(dir, 'ints'));
  const file = join(dir, 'ints', 'events.out.tfevents.1.host');
  writeFileSync(file, Buffer.concat([record(tensorEvent(1, packedIntsTensor(n))), record(lossEvent)]));
  const size = statSync(file).size;
  const r = await runTb(['ints', '--json']);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out);
  const tags = report.runs[0].tags.map((t: { tag: string; kind: string; points: number; last: unknown }) => [t.tag, t.kind, t.points, t.last]);
  assert.deepEqual(tags, [
    ['big', 'tensor', 1, null],
    ['loss', 'scalar', 1, 0.5],
  ]);
  assert.deepEqual(report.corruptions, [
    {
      file: 'events.out.tfevents.1.host',
      offset: 0,
      message: `record partly read: step 1, tag 'big': tensor (dtype 3, shape [${n}]) kept as type and shape only: ${n - 3 * MAX_HISTOGRAM_BUCKETS} bytes of values after the first ${3 * MAX_HISTOGRAM_BUCKETS} were not decoded`,
      partial: true,
    },
  ]);
  // The record itself must be held once (CRC, then decoding): 2x the file is the bound.
  assert.ok(r.peakRssBytes < NODE_BASELINE + 2 * size, `peak RSS ${r.peakRssBytes} for a ${size}-byte file`);
});

test('a tensor of 10 M empty string_vals (20 MB) keeps 1,024 strings and says so; memory bounded', LINUX_ONLY, async () => {
  const n = 10_000_000;
  mkdirSync(join(dir, 'strings'));
  const file = join(dir, 'strings', 'events.out.tfevents.1.host');
  writeFileSync(file, Buffer.concat([record(tensorEvent(1, emptyStringsTensor(n))), record(lossEvent)]));
  const size = statSync(file).size;
  const r = await runTb(['strings', '--json']);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out);
  assert.deepEqual(
    report.runs[0].tags.map((t: { tag: string; kind: string }) => [t.tag, t.kind]),
    [
      ['big', 'text'],
      ['loss', 'scalar'],
    ],
  );
  assert.deepEqual(report.corruptions, [
    {
      file: 'events.out.tfevents.1.host',
      offset: 0,
      message: `record partly read: step 1, tag 'big': text of ${n} strings (0 bytes): only the first 65536 characters of the first 1024 are kept`,
      partial: true,
    },
  ]);
  // Before: 1.2 GB (57x the file). Now the file once plus node's baseline.
  assert.ok(r.peakRssBytes < NODE_BASELINE + 2 * size, `peak RSS ${r.peakRssBytes} for a ${size}-byte file`);
});

test('Ctrl-C ends tb within a second while it decodes a large log, one-shot and --follow', LINUX_ONLY, async () => {
  // 48 records of a million strings each: about a second of decoding here, each record about 20 ms.
  mkdirSync(join(dir, 'slow'));
  const one = record(tensorEvent(1, emptyStringsTensor(1_000_000)));
  writeFileSync(join(dir, 'slow', 'events.out.tfevents.1.host'), Buffer.concat(Array.from({ length: 48 }, () => one)));
  // One-shot: the CLI leaves SIGINT its default action (or exits 130 where it handles it).
  const once = await runTb(['slow', '--json'], true);
  assert.ok(once.signal === 'SIGINT' || once.code === 130, `ended with ${once.code ?? once.signal}: ${once.err}`);
  assert.equal(once.out, '');
  assert.ok(once.afterSignalMs < 1000, `one-shot exited ${once.afterSignalMs.toFixed(0)} ms after SIGINT`);
  // --follow handles SIGINT itself: the first read stops between chunks and the follow ends quietly.
  const follow = await runTb(['slow', '--json', '--follow'], true);
  assert.equal(follow.code, 0, follow.err);
  assert.equal(follow.out, '');
  assert.ok(follow.afterSignalMs < 1000, `--follow exited ${follow.afterSignalMs.toFixed(0)} ms after SIGINT`);
});

test('decoding is bounded inside the core: histograms merge past the bucket cap, text keeps its strings in order', () => {
  // A HistogramProto of 3 x MAX + 1 buckets: groups of 4, the last bucket alone; totals unchanged.
  const buckets = 3 * MAX_HISTOGRAM_BUCKETS + 1;
  const limits = Buffer.alloc(8 * buckets);
  const counts = Buffer.alloc(8 * buckets);
  for (let i = 0; i < buckets; i++) {
    limits.writeDoubleLE(i + 1, 8 * i);
    counts.writeDoubleLE(1, 8 * i);
  }
  const histo = new Message().double(1, 0).double(2, buckets).double(3, buckets).double(4, 7).bytesField(6, limits).bytesField(7, counts);
  const payload = new Message().varint(2, 5).message(5, new Message().message(1, new Message().string(1, 'w').message(5, histo))).encode();
  const event = decodeEvent(payload);
  const data = event.values[0]!.data;
  assert.equal(data.kind, 'histogram');
  if (data.kind !== 'histogram') return;
  const merged = Math.ceil(buckets / 4);
  assert.equal(data.histogram.bucketCounts.length, merged);
  assert.equal(data.histogram.bucketCounts.reduce((a, b) => a + b, 0), buckets);
  assert.deepEqual(data.histogram.bucketLimits.slice(0, 2), [4, 8]);
  assert.equal(data.histogram.bucketLimits.at(-1), buckets);
  assert.deepEqual(event.skipped, [`tag 'w': histogram of ${buckets} buckets merged into ${merged} (count and sum kept)`]);

  const text = new Message().varint(1, 7).string(8, 'a').string(8, '').string(8, 'c');
  const textEvent = decodeEvent(new Message().message(5, new Message().message(1, new Message().string(1, 't').message(8, text))).encode());
  assert.deepEqual(textEvent.values[0]!.data, { kind: 'text', text: 'a\n\nc' });
  assert.equal(textEvent.skipped, undefined);
});
