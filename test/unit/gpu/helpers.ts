import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initialQuery, parseGpuLine, toReading, parseSmiTimestamp, type GpuSnapshot } from '../../../src/core/gpu';

/** The project's own copy of the recorded nvidia-smi fixtures and the stand-in that replays them. */
export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'nvidia-smi');
export const STAND_IN_BIN = join(FIXTURES, 'bin');
export const STAND_IN = join(STAND_IN_BIN, 'nvidia-smi');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** The 250 ms loop capture as snapshots, timed by nvidia-smi's own timestamps. */
export function loopSnapshots(): GpuSnapshot[] {
  const query = initialQuery();
  const lines = fixture('query-gpu-loop-250ms.csv').split('\n').slice(1).filter((l) => l.trim());
  // The capture's columns follow fields.txt, which is not the sampler's query order.
  const fields = fixture('fields.txt').trim().split(',');
  const order = fields.map((name) => query.find((q) => q.field.names.includes(name))!);
  return lines.map((line) => {
    const r = parseGpuLine(line, order);
    if (!r.ok) throw new Error(`fixture line did not parse: ${r.reason}`);
    const reading = toReading(r.values);
    return { timeMs: parseSmiTimestamp(reading.smiTimestamp!)!, gpus: [reading] };
  });
}

/** A reading with every value absent but the ones given. */
export function reading(over: Partial<ReturnType<typeof toReading>> & { index: number }): ReturnType<typeof toReading> {
  return { ...toReading({ index: over.index }), ...over };
}

/** Resolves when `pid` no longer exists, or rejects after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!isAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls `predicate` until true, or fails after `timeoutMs` with `what`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
