import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PythonRandom, type DriftDetector } from '../../../src/core/drift';

/** Streams of river's tests and docstrings, written by gen-river-streams.py (CPython + numpy). */
export const riverStreams: Record<string, string | number[]> = JSON.parse(
  readFileSync(join(__dirname, 'river-streams.json'), 'utf8'),
);

/** A stream from the fixture: digit strings become one number per character. */
export function stream(name: string): number[] {
  const s = riverStreams[name];
  if (s === undefined) throw new Error(`no stream ${name}`);
  return typeof s === 'string' ? [...s].map(Number) : s;
}

/** Indices after whose update the detector reported a drift (and a warning, where it has one). */
export function detect(d: DriftDetector, values: ArrayLike<number>): { drift: number[]; warning: number[] } {
  const drift: number[] = [];
  const warning: number[] = [];
  for (let i = 0; i < values.length; i++) {
    d.update(values[i]!);
    if (d.driftDetected) drift.push(i);
    if ((d as { warningDetected?: boolean }).warningDetected) warning.push(i);
  }
  return { drift, warning };
}

/**
 * What river's binary docstrings print: the first warning after the start or after each drift,
 * and every drift, in order.
 */
export function docstringEvents(d: DriftDetector, values: ArrayLike<number>): string[] {
  const out: string[] = [];
  let printWarning = true;
  for (let i = 0; i < values.length; i++) {
    d.update(values[i]!);
    if ((d as { warningDetected?: boolean }).warningDetected && printWarning) {
      out.push(`warning ${i}`);
      printWarning = false;
    }
    if (d.driftDetected) {
      out.push(`drift ${i}`);
      printWarning = true;
    }
  }
  return out;
}

/** Seeded stationary streams: Bernoulli(p) errors, or N(mu, sigma) by Python's gauss. */
export function bernoulli(seed: number, n: number, p: number): number[] {
  const rng = new PythonRandom(seed);
  return Array.from({ length: n }, () => (rng.random() < p ? 1 : 0));
}

export function gaussian(seed: number, n: number, mu = 0, sigma = 1): number[] {
  const rng = new PythonRandom(seed);
  const out: number[] = [];
  while (out.length < n) {
    // Box-Muller on Python's random(): the values need not match CPython's gauss, only be seeded.
    const u = rng.random();
    const v = rng.random();
    const r = Math.sqrt(-2 * Math.log(1 - v));
    out.push(mu + sigma * r * Math.cos(2 * Math.PI * u), mu + sigma * r * Math.sin(2 * Math.PI * u));
  }
  return out.slice(0, n);
}
