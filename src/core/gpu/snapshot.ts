import type { FieldValues } from './parse';
import { toReading } from './parse';
import type { GpuReading, GpuSnapshot } from './types';

/**
 * Groups the lines of a `-lms` stream into snapshots. nvidia-smi prints one line per GPU per tick,
 * so a tick is complete when every known GPU has reported, or when a GPU reports a second time
 * (a GPU fell off the bus, or the count was unknown).
 */
export class SnapshotAssembler {
  private pending = new Map<number, GpuReading>();

  /** `expectedGpus` is how many lines make a tick; `facts` are each GPU's static facts by index. */
  constructor(
    private readonly expectedGpus: number,
    private readonly facts: ReadonlyMap<number, FieldValues> = new Map(),
  ) {}

  /** Adds one parsed line; returns the snapshots it completed (zero, one, or two). */
  push(values: FieldValues, timeMs: number): GpuSnapshot[] {
    const index = typeof values.index === 'number' ? values.index : -1;
    const out: GpuSnapshot[] = [];
    if (this.pending.has(index)) out.push(this.take(timeMs));
    this.pending.set(index, toReading(values, this.facts.get(index)));
    if (this.pending.size >= this.expectedGpus) out.push(this.take(timeMs));
    return out;
  }

  /** Whatever has arrived of an incomplete tick, or null when nothing has. */
  flush(timeMs: number): GpuSnapshot | null {
    return this.pending.size ? this.take(timeMs) : null;
  }

  private take(timeMs: number): GpuSnapshot {
    const gpus = [...this.pending.values()].sort((a, b) => a.index - b.index);
    this.pending = new Map();
    return { timeMs, gpus };
  }
}
