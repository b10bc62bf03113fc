import type { RunData } from '../tfevents/run-store';
import type { RunStepTime, RunTimeline } from './types';

/** hparams names that hold the batch size, as PyTorch, Lightning and Hugging Face scripts spell them. */
const BATCH_SIZE_KEYS = ['batch_size', 'batchSize', 'train_batch_size', 'per_device_train_batch_size', 'bs'];

/**
 * When each step of a run was logged: the earliest wall time any scalar tag gives the step (the
 * first write of a step is the closest to when it ran), with the batch size from its hparams.
 */
export function runTimeline(run: RunData, extra: Omit<RunTimeline, 'name' | 'steps'> = {}): RunTimeline {
  const byStep = new Map<number, number>();
  for (const series of run.tags.values()) {
    if (series.kind !== 'scalar') continue;
    for (let i = 0; i < series.size; i++) {
      const step = series.stepAt(i);
      const wall = series.wallTimeAt(i);
      const known = byStep.get(step);
      if (known === undefined || wall < known) byStep.set(step, wall);
    }
  }
  const steps: RunStepTime[] = [...byStep].map(([step, wallTime]) => ({ step, wallTime }));
  const batchSize = batchSizeOf(run.hparams?.sessionStart?.hparams ?? {});
  return { name: run.name, steps, ...(batchSize !== undefined ? { batchSize } : {}), ...extra };
}

/** The batch size named in a run's hparams, if any is a positive number. */
export function batchSizeOf(hparams: Readonly<Record<string, unknown>>): number | undefined {
  for (const key of BATCH_SIZE_KEYS) {
    const v = hparams[key];
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (Number.isFinite(n) && n > 0) return n;
  }
  return undefined;
}
