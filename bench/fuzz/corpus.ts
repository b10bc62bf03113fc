import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Random } from './random';

/** Every file under `dir` (relative to the repository root) whose name matches, sorted by path. */
export function fixtureFiles(root: string, dir: string, name: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (name.test(e.name) && statSync(p).isFile()) out.push(p);
    }
  };
  walk(join(root, dir));
  if (!out.length) throw new Error(`no fuzz seeds matching ${name} under ${join(root, dir)}`);
  return out.sort();
}

export function readFixtures(root: string, dir: string, name: RegExp): Uint8Array[] {
  return fixtureFiles(root, dir, name).map((p) => new Uint8Array(readFileSync(p)));
}

/** The byte offset where each line of `text` starts, plus the end. */
export function lineStarts(bytes: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
  if (starts[starts.length - 1] !== bytes.length) starts.push(bytes.length);
  return starts;
}

/**
 * A window of whole lines from a text fixture: always its first line (the CSV header, or the
 * first JSON row) and then up to `maxLines` lines from a random place.
 */
export function lineWindow(rng: Random, bytes: Uint8Array, starts: readonly number[], maxLines: number): Uint8Array {
  const lines = starts.length - 1;
  const head = bytes.subarray(0, starts[1]);
  const count = rng.below(Math.min(maxLines, lines) + 1);
  const from = 1 + rng.below(Math.max(1, lines - count));
  const body = bytes.subarray(starts[Math.min(from, lines)]!, starts[Math.min(from + count, lines)]!);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}
