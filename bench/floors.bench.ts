// The floors under the readers' targets (issue 22): what the least work any reader in Node must
// do on the same input costs on this machine, before Model Monitor does anything with it.
// - JSON Lines: read in 1 MiB chunks, decode, split lines, JSON.parse each (V8's parser, the
//   fastest JSON parser a JavaScript reader has).
// - CSV: the same chunks and lines, each split at its commas and every cell turned into a number.
// - TensorBoard: reading the file; framing plus both CRCs (no decoding) is the tfevents section's.
// Each is the best of three, so a busy moment on a shared machine does not set it.
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '../src/core/tfevents/crc32c';
import { RECORD_WINDOW_BYTES, wasmMaskedCrc32c } from '../src/core/tfevents/record-check';
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
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (sink === 42) process.stdout.write('');
  return figures;
}

