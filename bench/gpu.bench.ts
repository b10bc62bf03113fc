import type { BenchFigure } from './harness';

export async function bench(): Promise<BenchFigure[]> {
  return [];
}
