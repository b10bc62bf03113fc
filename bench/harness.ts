/** One measured figure of a benchmark; printed as a table and written to dist/bench-results.json. */
export interface BenchFigure {
  engine: string;
  name: string;
  value: number;
  unit: string;
  /** The target or reference the issue names, e.g. ">= 150 MB/s" or "river 0.3 M/s". */
  anchor?: string;
}

export type Bench = () => Promise<BenchFigure[]>;

/** Times fn for at least minMs, returning the best per-iteration milliseconds over rounds. */
export function timeBest(fn: () => void, rounds = 5): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < best) best = ms;
  }
  return best;
}
