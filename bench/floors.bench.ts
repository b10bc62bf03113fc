// The floors under the readers' targets (issue 22): what the least work any reader in Node must
// do on the same input costs on this machine, before Model Monitor does anything with it.
// - JSON Lines: read in 1 MiB chunks, decode, split lines, JSON.parse each (V8's parser, the
//   fastest JSON parser a JavaScript reader has).
// - CSV: the same chunks and lines, each split at its commas and every cell turned into a number.
// - TensorBoard: reading the file; framing plus both CRCs (no decoding) is the tfevents section's.
// - `modelmon tb` as a whole process: `node -e 0`, and fresh processes that only read the file
//   and frame and CRC-check it in WebAssembly, then also decode every event without storing it.
// Each is the best of three (whole processes: of seven, with the median), so a busy moment on a
// shared machine does not set it.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '../src/core/tfevents/crc32c';
import { RECORD_WINDOW_BYTES, wasmMaskedCrc32c } from '../src/core/tfevents/record-check';
import { RECORD_CHECK_WASM } from '../src/core/tfevents/record-check-wasm';
import { TfRecordFramer } from '../src/core/tfevents/record-framer';
import type { BenchFigure } from './harness';
import { generateRunDir } from './tfevents-gen';
import { bigLog } from './predictions.bench';

const ENGINE = 'floors';
const ROWS = Number(process.env.MODELMON_BENCH_PRED_ROWS ?? 200_000);
const CHUNK = 1 << 20;

/** Calls `line` for every line of the file, read in 1 MiB chunks; returns the line count. */
function eachLine(path: string, line: (text: string) => void): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let carry = '';
  let count = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      const text = carry + buf.toString('utf8', 0, n);
      let at = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', at)) {
        line(text.slice(at, nl));
        count++;
        at = nl + 1;
      }
      carry = text.slice(at);
    }
  } finally {
    closeSync(fd);
  }
  return count;
}

/**
 * The least a fresh Node process must do to check every record of an event file: read it in 1 MiB
 * windows and frame and CRC-check them with the same WebAssembly module the reader uses (its
 * tables built here); with `decode`, also read each PyTorch scalar event's wall time, step, tag
 * and value (nothing stored). Prints the records seen, which the caller compares.
 */
function floorScript(decode: boolean): string {
  return `'use strict';
const fs = require('node:fs');
const bytes = Buffer.from('${Buffer.from(RECORD_CHECK_WASM).toString('base64')}', 'base64');
const { memory, frame } = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
const words = new Uint32Array(memory.buffer);
for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1; words[n] = c >>> 0; }
for (let n = 0; n < 256; n++) { let c = words[n]; for (let s = 1; s < 8; s++) { c = words[c & 0xff] ^ (c >>> 8); words[s * 256 + n] = c >>> 0; } }
const LENGTHS = 8192, WINDOW = LENGTHS + 4 * 65536, window = new Uint8Array(memory.buffer, WINDOW, 1 << 20);
const view = new DataView(memory.buffer);
const fd = fs.openSync(process.argv[2], 'r');
let records = 0, sink = 0, offset = 0, have = 0;
for (;;) {
  const n = fs.readSync(fd, window, have, (1 << 20) - have, offset + have);
  have += n;
  if (have === 0) break;
  const count = frame(WINDOW, WINDOW + have, 1 << 20, 1, LENGTHS, 65536);
  let p = 0;
  for (let k = 0; k < count; k++) {
    const total = words[(LENGTHS >>> 2) + k];
    ${decode ? `const q = WINDOW + p + 12;
    let step = 0, shift = 0, i = q + 10, b;
    do { b = window[i++ - WINDOW]; step |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    const tagLength = window[i + 5 - WINDOW];
    sink += view.getFloat64(q + 1, true) + step + tagLength + view.getFloat32(i + 7 + tagLength, true);` : ''}
    p += total;
  }
  records += count;
  if (count === 0) break;
  window.copyWithin(0, p, have);
  offset += p;
  have -= p;
  if (n === 0 && have === 0) break;
}
process.stdout.write(String(records) + (sink === 0.5 ? ' ' : ''));
`;
}

/** Median and best wall time of `runs` fresh processes of `argv`, in ms; checks each printed `expect`. */
function processMs(argv: string[], runs: number, expect?: string): { median: number; best: number } {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const out = execFileSync(process.execPath, argv, { encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (expect !== undefined && out.trim() !== expect) throw new Error(`floor process printed '${out.trim()}', expected ${expect}`);
  }
  times.sort((a, b) => a - b);
  return { median: times[runs >> 1]!, best: times[0]! };
}

function bestSeconds(fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

export async function bench(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'modelmon-floors-'));
  const figures: BenchFigure[] = [];
  let sink = 0;
  try {
    const jsonl = bigLog(dir, 'tabular_dev.jsonl', ROWS);
    let rows = 0;
    const split = bestSeconds(() => void (rows = eachLine(jsonl, () => undefined)));
    figures.push({ engine: ENGINE, name: `tabular JSONL x${Math.round(rows / 1000)}k: read + decode + split lines only`, value: rows / split, unit: 'rows/s' });
    const parsed = bestSeconds(() => void (rows = eachLine(jsonl, (l) => void (sink += Object.keys(JSON.parse(l) as object).length))));
    figures.push({ engine: ENGINE, name: 'tabular JSONL: + JSON.parse of every line (the floor of any JSONL reader)', value: rows / parsed, unit: 'rows/s', anchor: 'target 250,000 rows/s end to end' });

    const csv = bigLog(dir, 'tabular_dev.csv', ROWS);
    const cells = bestSeconds(() => void (rows = eachLine(csv, (l) => {
      const fields = l.split(',');
      for (let i = 0; i < fields.length; i++) sink += Number(fields[i]) || 0;
    })));
    figures.push({ engine: ENGINE, name: 'tabular CSV: read + split lines and fields + Number() of every cell', value: rows / cells, unit: 'rows/s', anchor: 'target 300,000 rows/s end to end' });

    const run = join(dir, 'tb');
    const { bytes } = generateRunDir(run, { runs: 1, tags: 20, steps: 25_000 });
    const file = join(run, 'run_0000', readdirSync(join(run, 'run_0000'))[0]!);
    let data = new Uint8Array(0);
    const read = bestSeconds(() => void (data = readFileSync(file)));
    figures.push({ engine: ENGINE, name: `tfevents ${(bytes / 1e6).toFixed(1)} MB: readFileSync`, value: bytes / 1e6 / read, unit: 'MB/s' });
    const crc = bestSeconds(() => void (sink += crc32c(data)));
    figures.push({ engine: ENGINE, name: 'tfevents: CRC32C over every byte once (the reader checks each payload and header)', value: bytes / 1e6 / crc, unit: 'MB/s', anchor: 'target 400 MB/s for the whole read' });
    const wasmCrc = bestSeconds(() => {
      for (let i = 0; i < data.length; i += RECORD_WINDOW_BYTES) sink += wasmMaskedCrc32c(data, i, Math.min(data.length, i + RECORD_WINDOW_BYTES)) ?? 0;
    });
    figures.push({ engine: ENGINE, name: 'tfevents: CRC32C over every byte once, in WebAssembly (1 MiB windows copied in)', value: bytes / 1e6 / wasmCrc, unit: 'MB/s' });
    for (const wasm of [false, true]) {
      const framed = bestSeconds(() => {
        const framer = new TfRecordFramer({ wasm });
        for (let i = 0; i < data.length; i += 1 << 20) framer.pushRanges(data.subarray(i, i + (1 << 20)), () => sink++, () => undefined);
      });
      figures.push({ engine: ENGINE, name: `tfevents: framing + both CRCs, no decoding, ${wasm ? 'in WebAssembly (the default)' : 'in JavaScript'}`, value: bytes / 1e6 / framed, unit: 'MB/s' });
    }
    if (statSync(file).size !== bytes) throw new Error('the generated run is not one file');

    // Whole processes, as `modelmon tb` runs: the floor is Node's own start-up plus the checking
    // every reader must do, in a process whose JIT has compiled nothing yet.
    let records = 0;
    new TfRecordFramer().pushRanges(data, () => records++, () => undefined);
    const node = processMs(['-e', '0'], 7);
    figures.push({ engine: ENGINE, name: '`node -e 0`, a fresh process: median of 7', value: node.median, unit: 'ms', anchor: `best ${node.best.toFixed(0)} ms; target for modelmon tb on this file: <= 250 ms` });
    for (const decode of [false, true]) {
      const script = join(dir, decode ? 'floor-decode.js' : 'floor-frame.js');
      writeFileSync(script, floorScript(decode));
      const t = processMs([script, file], 7, String(records));
      figures.push({
        engine: ENGINE,
        name: `fresh process: read ${(bytes / 1e6).toFixed(1)} MB + framing + both CRCs in WebAssembly${decode ? ' + decoding every event (nothing stored)' : ''}: median of 7`,
        value: t.median,
        unit: 'ms',
        anchor: `best ${t.best.toFixed(0)} ms`,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (sink === 42) process.stdout.write('');
  return figures;
}

