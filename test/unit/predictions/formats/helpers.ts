import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { parquetWriteFile } from 'hyparquet-writer';
import { main } from '../../../../src/cli/main';
import type { CliIO } from '../../../../src/cli/io';

export const FIXTURES = 'test/fixtures/predictions';

/** Runs `modelmon predictions ...args` in-process. */
export async function predictions(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => void (out += t), err: (t) => void (err += t), stdin: Readable.from([]), env: {}, cwd: process.cwd(), signal: new AbortController().signal };
  const code = await main(['predictions', ...args], io);
  return { code, out, err };
}

/** The --json document without what depends on the files read (the input list and notes). */
export async function comparable(...args: string[]): Promise<Record<string, unknown>> {
  const { code, out, err } = await predictions(...args, '--json');
  if (code !== 0) throw new Error(`exit ${code}: ${err}`);
  const { input: _i, notes: _n, ...rest } = JSON.parse(out) as Record<string, unknown>;
  return rest;
}

/** The same without line numbers, for envelopes that spread one row over several lines. */
export async function comparableWithoutLines(...args: string[]): Promise<unknown> {
  return JSON.parse(JSON.stringify(await comparable(...args)), (k, v: unknown) =>
    /^line$|Line$/.test(k) ? undefined : typeof v === 'string' ? v.replace(/\blines? \d+(-\d+)?/g, 'line #') : v,
  );
}

export function jsonlRows(name: string): Record<string, unknown>[] {
  return readFileSync(join(FIXTURES, `${name}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function writeParquet(path: string, rows: Record<string, unknown>[], rowGroupSize = 1000): void {
  const keys = Object.keys(rows[0]!);
  parquetWriteFile({ filename: path, columnData: keys.map((k) => ({ name: k, data: rows.map((r) => r[k]) as unknown[] })), rowGroupSize });
}

/** Text split into `parts` pieces at line ends, each piece a whole number of lines. */
export function splitLines(text: string, parts: number, keepHeader = false): string[] {
  const lines = text.replace(/\n$/, '').split('\n');
  const header = keepHeader ? lines.shift()! : undefined;
  const size = Math.ceil(lines.length / parts);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += size) out.push([...(header !== undefined ? [header] : []), ...lines.slice(i, i + size)].join('\n') + '\n');
  return out;
}

/** gzip of several members (as `cat a.gz b.gz` or a logger that appends members). */
export function gzipMembers(text: string, members: number): Buffer {
  return Buffer.concat(splitLines(text, members).map((p) => gzipSync(p)));
}

/** Writes `pieces` as a logrotate set: name.N (oldest) ... name.1, name; `gz` compresses the numbered ones from 2 on. */
export function writeRotated(dir: string, name: string, pieces: string[]): void {
  pieces.forEach((p, i) => {
    const n = pieces.length - 1 - i;
    const file = n === 0 ? name : n >= 2 ? `${name}.${n}.gz` : `${name}.${n}`;
    writeFileSync(join(dir, file), n >= 2 ? gzipSync(p) : p);
    // Modification times in the opposite order: the rotation numbers, not the times, decide.
    const t = new Date(Date.UTC(2026, 0, 1) - i * 60000);
    utimesSync(join(dir, file), t, t);
  });
}

const OUTPUT_KEYS = new Set(['prediction', 'score', 'probabilities']);

/**
 * A row as request and response payloads: the keys from the first model output on go in the
 * response, so the unwrapped columns keep the file's order (the report lists columns in order).
 */
function split(row: Record<string, unknown>): { input: Record<string, unknown>; output: Record<string, unknown> } {
  const input: Record<string, unknown> = {};
  const output: Record<string, unknown> = {};
  let inOutput = false;
  for (const [k, v] of Object.entries(row)) {
    inOutput ||= OUTPUT_KEYS.has(k);
    (inOutput ? output : input)[k] = v;
  }
  return { input, output };
}

/** The rows as SageMaker Data Capture lines: JSON payloads, every other one base64-encoded. */
export function sagemakerCapture(rows: Record<string, unknown>[], idKey: string): string {
  return rows
    .map((row, i) => {
      const { input, output } = split(row);
      const side = (v: unknown) =>
        i % 2 ? { observedContentType: 'application/json', mode: 'INPUT', data: Buffer.from(JSON.stringify(v)).toString('base64'), encoding: 'BASE64' } : { observedContentType: 'application/json', mode: 'INPUT', data: JSON.stringify(v), encoding: 'JSON' };
      return JSON.stringify({
        captureData: { endpointInput: side(input), endpointOutput: { ...side(output), mode: 'OUTPUT' } },
        eventMetadata: { eventId: String(row[idKey]), inferenceTime: String(row.ts) },
        eventVersion: '0',
      });
    })
    .join('\n') + '\n';
}

/** The rows as KServe payload-logging CloudEvents: each response logged after the next request. */
export function kserveEvents(rows: Record<string, unknown>[], idKey: string): string {
  const lines: string[] = [];
  let held: string | undefined;
  rows.forEach((row) => {
    const { input, output } = split(row);
    const id = String(row[idKey]);
    const base = { specversion: '1.0', id, source: 'http://localhost:9081/', datacontenttype: 'application/json', inferenceservicename: 'model', namespace: 'default' };
    lines.push(JSON.stringify({ ...base, type: 'org.kubeflow.serving.inference.request', time: String(row.ts), data: { instances: [input] } }));
    if (held) lines.push(held);
    held = JSON.stringify({ ...base, type: 'org.kubeflow.serving.inference.response', data: { predictions: [output] } });
  });
  if (held) lines.push(held);
  return lines.join('\n') + '\n';
}
