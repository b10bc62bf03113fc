import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kolmogorovSf, smirnovSf } from '../../../src/core/stats';

// scipy 1.17.1: stats.kstwo.sf(x, n) and special.smirnov(n, x) on a grid that reaches every
// branch (Ruben-Gambino ends, Durbin matrix, Pomeranz region, Pelz-Good, 2 * smirnov, underflow).
const grid: { kstwo: [number, number, number][]; smirnov: [number, number, number][] } = JSON.parse(
  readFileSync(join(__dirname, 'kolmogorov-grid.json'), 'utf8'),
);

function check(actual: number, expected: number, what: string): void {
  if (expected < 1e-300) {
    assert.ok(actual < 1e-290, `${what}: ${actual} vs ${expected}`);
    return;
  }
  const rel = Math.abs(actual - expected) / expected;
  assert.ok(rel <= 1e-9, `${what}: ${actual} vs scipy ${expected} (relative error ${rel})`);
}

test('kolmogorovSf matches scipy.stats.kstwo.sf over n = 1..100001', () => {
  for (const [n, x, sf] of grid.kstwo) check(kolmogorovSf(n, x), sf, `kstwo.sf(${x}, ${n})`);
});

test('smirnovSf matches scipy.special.smirnov', () => {
  for (const [n, x, sf] of grid.smirnov) check(smirnovSf(n, x), sf, `smirnov(${n}, ${x})`);
});
