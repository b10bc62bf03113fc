// Generates TensorBoard log directories of many PyTorch-shaped runs (add_scalar records), for the
// scale benchmark and the real-VS-Code scale test.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { maskedCrc32c } from '../src/core/tfevents/crc32c';

export interface RunDirShape {
  runs: number;
  tags: number;
  steps: number;
  /** Seconds between the starts of consecutive runs (default 1000). */
  runSpacingSeconds?: number;
}

const encoder = new TextEncoder();

/** Writes one add_scalar record (wall_time, step, simple_value) at `pos`; returns the new position. */
export function writeScalarRecord(out: Uint8Array, pos: number, tag: Uint8Array, step: number, wallTime: number, value: number): number {
  const view = new DataView(out.buffer, out.byteOffset);
  const valueLength = 2 + tag.length + 5;
  const summaryLength = 2 + valueLength;
  let stepBytes = 1;
  for (let s = step; s >= 0x80; s = Math.floor(s / 128)) stepBytes++;
  const payloadLength = 9 + 1 + stepBytes + 2 + summaryLength;
  view.setUint32(pos, payloadLength, true);
  view.setUint32(pos + 4, 0, true);
  view.setUint32(pos + 8, maskedCrc32c(out, pos, pos + 8), true);
  let p = pos + 12;
  out[p++] = 0x09;
  view.setFloat64(p, wallTime, true);
  p += 8;
  out[p++] = 0x10;
  for (let s = step; ; s = Math.floor(s / 128)) {
    if (s < 0x80) {
      out[p++] = s;
      break;
    }
    out[p++] = (s & 0x7f) | 0x80;
  }
  out[p++] = 0x2a;
  out[p++] = summaryLength;
  out[p++] = 0x0a;
  out[p++] = valueLength;
  out[p++] = 0x0a;
  out[p++] = tag.length;
  out.set(tag, p);
  p += tag.length;
  out[p++] = 0x15;
  view.setFloat32(p, value, true);
  p += 4;
  view.setUint32(p, maskedCrc32c(out, pos + 12, p), true);
  return p + 4;
}

/** The value of tag `t` at `step` in run `r`: a decaying loss whose rate and floor differ per run. */
export function syntheticValue(r: number, t: number, step: number, steps: number): number {
  const rate = 2 + (r % 97) / 10;
  const floor = ((r * 7919) % 1000) / 2000;
  return floor + Math.exp((-rate * step) / steps) * (1 + t / 10) + Math.sin(step + r) * 0.01;
}

/**
 * Writes one event file of `tags` logged at steps 1..`steps`, a chunk of `chunkBytes` at a time
 * (flushed `slackBytes` before it fills). Returns the bytes and events written.
 */
export function writeScalarFile(
  file: string,
  tags: readonly Uint8Array[],
  steps: number,
  point: (t: number, step: number) => { wallTime: number; value: number },
  chunk: Uint8Array,
  slackBytes: number,
): { bytes: number; events: number } {
  let bytes = 0;
  let events = 0;
  const fd = openSync(file, 'w');
  try {
    let pos = 0;
    for (let step = 1; step <= steps; step++) {
      for (let t = 0; t < tags.length; t++) {
        const { wallTime, value } = point(t, step);
        pos = writeScalarRecord(chunk, pos, tags[t]!, step, wallTime, value);
        events++;
      }
      if (pos > chunk.length - slackBytes) {
        writeSync(fd, chunk, 0, pos);
        bytes += pos;
        pos = 0;
      }
    }
    writeSync(fd, chunk, 0, pos);
    bytes += pos;
  } finally {
    closeSync(fd);
  }
  return { bytes, events };
}

/**
 * Writes `runs` run directories (`run_0000/events.out.tfevents...`) under `root`, each with
 * `tags` scalar tags logged at steps 1..`steps`. Returns the bytes and events written.
 */
export function generateRunDir(root: string, shape: RunDirShape): { bytes: number; events: number } {
  const tags = Array.from({ length: shape.tags }, (_, i) => encoder.encode(`train/metric_${String(i).padStart(2, '0')}`));
  const chunk = new Uint8Array(1 << 20);
  let bytes = 0;
  let events = 0;
  for (let r = 0; r < shape.runs; r++) {
    const dir = join(root, `run_${String(r).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    const point = (t: number, step: number) => ({ wallTime: 1.7e9 + r * (shape.runSpacingSeconds ?? 1000) + step * 0.05, value: syntheticValue(r, t, step, shape.steps) });
    const written = writeScalarFile(join(dir, `events.out.tfevents.1700000000.bench.${r}`), tags, shape.steps, point, chunk, 8192);
    bytes += written.bytes;
    events += written.events;
  }
  return { bytes, events };
}
