import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createGzip, gzipSync } from 'node:zlib';
import { fileWriter, parquetWriteFile, parquetWriteRows } from 'hyparquet-writer';
import { analyzePredictionLog } from '../src/io/predictions';
import { analyzePredictionSet } from '../src/io/predictions/analyzeSet';
import { readPredictionInput } from '../src/io/predictions/input';
import { resolveLogSet } from '../src/io/predictions/logSet';
import { PredictionLineParser } from '../src/core/predictions';
import type { BenchFigure } from './harness';

const FIXTURES = 'test/fixtures/predictions';
const ROWS = Number(process.env.MODELMON_BENCH_FORMAT_ROWS ?? 200_000);
/** Uncompressed bytes of the large-input memory run (0 skips it). */
const BIG_BYTES = Number(process.env.MODELMON_BENCH_FORMAT_BIG_MB ?? 1024) * 1e6;

/** The tabular fixture's rows repeated to `n` rows, ids renumbered so each is unique. */
function tabularRows(n: number): Record<string, unknown>[] {
  const base = readFileSync(join(FIXTURES, 'tabular_dev.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return Array.from({ length: n }, (_, i) => ({ ...base[i % base.length]!, id: i }));
}

const OUTPUTS = new Set(['score', 'prediction', 'label']);
function halves(r: Record<string, unknown>): [Record<string, unknown>, Record<string, unknown>] {
  const a: Record<string, unknown> = {};
  const b: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) (OUTPUTS.has(k) ? b : a)[k] = v;
  return [a, b];
}

/** `modelmon predictions FILE` in a child process: rows, seconds and its peak RSS (getrusage). */
function cliPeak(dir: string, file: string): { rows: number; seconds: number; peakMb: number } {
  const hook = join(dir, 'rss-hook.cjs');
  writeFileSync(hook, "process.on('exit', () => require('fs').writeSync(2, '\\nmaxrss ' + process.resourceUsage().maxRSS + '\\n'));");
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', hook, 'dist/cli.js', 'predictions', file, '--json'], { maxBuffer: 1 << 30, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const kb = Number(/maxrss (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const rows = (JSON.parse(r.stdout) as { rows: number }).rows;
  return { rows, seconds, peakMb: kb / 1024 };
}

async function rate(name: string, spec: string, figures: BenchFigure[], anchor?: string, analyze: (path: string) => Promise<{ rows: number }> = analyzePredictionSet): Promise<void> {
  // One untimed run (the code paths warm up), then the best of 3: the machine is shared.
  let best = Infinity;
  let rows = 0;
  await analyze(spec);
  for (let k = 0; k < 3; k++) {
    const t0 = process.hrtime.bigint();
    rows = (await analyze(spec)).rows;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  figures.push({ engine: 'predictions-formats', name: `${name} (${Math.round(rows / 1000)}k rows)`, value: rows / best, unit: 'rows/s', ...(anchor ? { anchor } : {}) } as BenchFigure);
}

/**
 * The reader alone: files resolved, decompressed, split into lines and parsed (JSON or CSV
 * fields), Parquet row groups decoded, envelopes unwrapped, into the records the monitor is
 * given; no monitoring. What each format costs before any check runs.
 */
async function readOnly(spec: string): Promise<{ rows: number }> {
  const files = await resolveLogSet(spec, process.cwd());
  let rows = 0;
  let parser = new PredictionLineParser(() => rows++, () => undefined);
  await readPredictionInput(files, 'auto', {
    lines: (lines) => {
      for (const l of lines) parser.pushLine(l.text, l.line);
    },
    records: (batch) => (rows += batch.length),
    problem: () => undefined,
    fileStart: () => {
      parser.end();
      parser = new PredictionLineParser(() => rows++, () => undefined);
    },
  });
  parser.end();
  return { rows };
}

async function readerRate(name: string, spec: string, figures: BenchFigure[]): Promise<void> {
  await rate(`${name}: the reader alone, no monitoring`, spec, figures, '>= 100000 rows/s', readOnly);
}

export async function bench(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'modelmon-formats-bench-'));
  const figures: BenchFigure[] = [];
  try {
    const rows = tabularRows(ROWS);
    const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    writeFileSync(join(dir, 'plain.jsonl'), text);
    await rate('JSON Lines, plain', join(dir, 'plain.jsonl'), figures, '>= 100000 rows/s');
    await readerRate('JSON Lines, plain', join(dir, 'plain.jsonl'), figures);
    await rate('JSON Lines, plain, through the single-file reader', join(dir, 'plain.jsonl'), figures, 'before this reader', analyzePredictionLog);
    writeFileSync(join(dir, 'log.jsonl.gz'), gzipSync(text, { level: 6 }));
    await rate('JSON Lines, gzip', join(dir, 'log.jsonl.gz'), figures, '>= 100000 rows/s');
    await readerRate('JSON Lines, gzip', join(dir, 'log.jsonl.gz'), figures);
    if (spawnSync('zstd', ['-q', '-3', join(dir, 'plain.jsonl'), '-o', join(dir, 'log.jsonl.zst')]).status === 0) {
      await rate('JSON Lines, zstd (fzstd)', join(dir, 'log.jsonl.zst'), figures, '>= 100000 rows/s');
      await readerRate('JSON Lines, zstd (fzstd)', join(dir, 'log.jsonl.zst'), figures);
    }
    const keys = Object.keys(rows[0]!);
    parquetWriteFile({ filename: join(dir, 'log.parquet'), columnData: keys.map((k) => ({ name: k, data: rows.map((r) => r[k]) as unknown[] })), rowGroupSize: 10000 });
    await rate('Parquet, snappy, row groups of 10k', join(dir, 'log.parquet'), figures, '>= 100000 rows/s, faster than JSON Lines');
    await readerRate('Parquet, snappy, row groups of 10k', join(dir, 'log.parquet'), figures);
    const rotated = join(dir, 'rotated');
    spawnSync('mkdir', [rotated]);
    const quarter = Math.ceil(rows.length / 4);
    for (let i = 0; i < 4; i++) {
      const part = rows.slice(i * quarter, (i + 1) * quarter).map((r) => JSON.stringify(r)).join('\n') + '\n';
      const n = 3 - i;
      writeFileSync(join(rotated, n === 0 ? 'predictions.log' : n >= 2 ? `predictions.log.${n}.gz` : `predictions.log.${n}`), n >= 2 ? gzipSync(part) : part);
    }
    await rate('logrotate set (2 gzip + 2 plain files)', rotated, figures, '>= 100000 rows/s');
    await readerRate('logrotate set (2 gzip + 2 plain files)', rotated, figures);
    const capture = rows
      .map((r) => {
        const [input, output] = halves(r);
        return JSON.stringify({ captureData: { endpointInput: { observedContentType: 'application/json', mode: 'INPUT', data: JSON.stringify(input), encoding: 'JSON' }, endpointOutput: { observedContentType: 'application/json', mode: 'OUTPUT', data: Buffer.from(JSON.stringify(output)).toString('base64'), encoding: 'BASE64' } }, eventMetadata: { eventId: String(r.id), inferenceTime: r.ts }, eventVersion: '0' });
      })
      .join('\n');
    writeFileSync(join(dir, 'capture.jsonl'), capture + '\n');
    await rate('SageMaker Data Capture (JSON in, base64 out)', join(dir, 'capture.jsonl'), figures);
    await readerRate('SageMaker Data Capture (JSON in, base64 out)', join(dir, 'capture.jsonl'), figures);
    const events = rows
      .flatMap((r) => {
        const [input, output] = halves(r);
        const base = { specversion: '1.0', id: String(r.id), source: 'bench', datacontenttype: 'application/json' };
        return [JSON.stringify({ ...base, type: 'org.kubeflow.serving.inference.request', time: r.ts, data: { instances: [input] } }), JSON.stringify({ ...base, type: 'org.kubeflow.serving.inference.response', data: { predictions: [output] } })];
      })
      .join('\n');
    writeFileSync(join(dir, 'events.jsonl'), events + '\n');
    await rate('KServe CloudEvents (request + response)', join(dir, 'events.jsonl'), figures);
    await readerRate('KServe CloudEvents (request + response)', join(dir, 'events.jsonl'), figures);
    rmSync(join(dir, 'capture.jsonl'));
    rmSync(join(dir, 'events.jsonl'));

    if (BIG_BYTES > 0) {
      // Memory on a large input: gzip JSON Lines streamed to disk, never held whole.
      const big = join(dir, 'big.jsonl.gz');
      const gz = createGzip({ level: 1 });
      const out = gz.pipe(createWriteStream(big));
      const block = rows.slice(0, 4000).map((r) => JSON.stringify(r)).join('\n') + '\n';
      for (let written = 0; written < BIG_BYTES; written += block.length) if (!gz.write(block)) await once(gz, 'drain');
      gz.end();
      await once(out, 'finish');
      const bigParquet = join(dir, 'big.parquet');
      const blockRows = rows.slice(0, 4000);
      const count = Math.ceil(BIG_BYTES / block.length) * blockRows.length;
      function* bigRows(): Generator<Record<string, unknown>> {
        for (let i = 0; i < count; i++) yield { ...blockRows[i % blockRows.length]!, id: i };
      }
      await parquetWriteRows({ writer: fileWriter(bigParquet), rows: bigRows(), columns: keys.map((name) => ({ name })), rowGroupSize: 10000 });
      const gb = (BIG_BYTES / 1e9).toFixed(2);
      // The CLI in a process of its own, so the peak is the reader's and not this bench's data.
      for (const [what, file] of [['JSON Lines as gzip', big], ['the same rows as Parquet', bigParquet]] as const) {
        const m = cliPeak(dir, file);
        figures.push({ engine: 'predictions-formats', name: `${gb} GB of JSON Lines, ${what} (${(statSync(file).size / 1e6).toFixed(0)} MB): throughput`, value: m.rows / m.seconds, unit: 'rows/s' } as BenchFigure);
        figures.push({ engine: 'predictions-formats', name: `${gb} GB of JSON Lines, ${what}: peak RSS of modelmon predictions`, value: m.peakMb, unit: 'MiB', anchor: 'flat: a chunk or row group at a time' } as BenchFigure);
      }
      rmSync(big);
      rmSync(bigParquet);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
