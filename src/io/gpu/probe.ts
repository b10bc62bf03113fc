import { initialQuery, queryArgument, rejectedFieldOf, withoutRejected, type QueryField } from '../../core/gpu/fields';
import { parseGpuTable, type FieldValues } from '../../core/gpu/parse';
import type { GpuSnapshot } from '../../core/gpu/types';
import { meansNoGpu, runSmi } from './smiProcess';

/** Which GPUs to ask about: all of them, or one by its nvidia-smi index. */
export type GpuSelection = number | 'all';

/** Where and how to run the one-off probe query. */
export interface ProbeOptions {
  readonly executable: string;
  readonly gpuIndex?: GpuSelection;
  readonly env?: NodeJS.ProcessEnv;
  /** How long nvidia-smi may take to answer (it prints nothing at all while hung). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Start from this query instead of every field (e.g. one already trimmed by an earlier probe). */
  readonly query?: readonly QueryField[];
}

/** The outcome of a probe: the usable query, each GPU's static facts, and a first snapshot. */
export type ProbeResult =
  | {
      readonly kind: 'ok';
      readonly query: readonly QueryField[];
      readonly facts: ReadonlyMap<number, FieldValues>;
      readonly snapshot: GpuSnapshot;
      /** Field names this driver rejected, dropped from (or renamed in) the query. */
      readonly dropped: readonly string[];
    }
  | { readonly kind: 'no-gpu'; readonly message: string }
  | { readonly kind: 'error'; readonly message: string };

/** The arguments that restrict a query to one GPU. */
export function selectionArgs(gpuIndex: GpuSelection | undefined): string[] {
  return gpuIndex === undefined || gpuIndex === 'all' ? [] : ['-i', String(gpuIndex)];
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim().slice(0, 200);
}

/**
 * Runs one `--query-gpu` over every field. A field the driver rejects (`Field "x" is not a valid
 * field to query.`, exit 2) is renamed to its older name or dropped, and the query retried, so an
 * old or new driver costs a field, never the whole monitor.
 */
export async function probeGpus(options: ProbeOptions): Promise<ProbeResult> {
  let query = [...(options.query ?? initialQuery())];
  const dropped: string[] = [];
  const timeoutMs = options.timeoutMs ?? 5000;
  for (let attempt = 0; attempt <= query.length; attempt++) {
    const args = [`--query-gpu=${queryArgument(query)}`, '--format=csv,noheader,nounits', ...selectionArgs(options.gpuIndex)];
    const r = await runSmi(options.executable, args, { timeoutMs, ...(options.env ? { env: options.env } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    if (r.spawnError) {
      const code = r.spawnError.code;
      if (code === 'ENOENT') return { kind: 'no-gpu', message: `nvidia-smi not found at ${options.executable}` };
      return { kind: 'error', message: `cannot run ${options.executable}: ${r.spawnError.message}` };
    }
    if (options.signal?.aborted) return { kind: 'error', message: 'stopped' };
    if (r.timedOut) return { kind: 'error', message: `nvidia-smi gave no answer within ${(timeoutMs / 1000).toFixed(1)} s` };
    const output = `${r.stdout}\n${r.stderr}`;
    if (r.code !== 0) {
      const rejected = rejectedFieldOf(output);
      const next = rejected === null ? null : withoutRejected(query, rejected);
      if (rejected !== null && next) {
        dropped.push(rejected);
        query = next;
        continue;
      }
      if (meansNoGpu(output)) return { kind: 'no-gpu', message: firstLine(output) };
      const why = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`;
      return { kind: 'error', message: `nvidia-smi ${why}${firstLine(output) ? `: ${firstLine(output)}` : ''}` };
    }
    if (meansNoGpu(output)) return { kind: 'no-gpu', message: firstLine(output) };
    const { readings } = parseGpuTable(r.stdout, query);
    if (!readings.length) {
      const which = typeof options.gpuIndex === 'number' ? `no GPU with index ${options.gpuIndex}: ` : '';
      return { kind: 'error', message: `${which}nvidia-smi printed no GPU lines${firstLine(output) ? `: ${firstLine(output)}` : ''}` };
    }
    const staticKeys = query.filter((q) => q.field.isStatic).map((q) => q.field.key);
    const facts = new Map<number, FieldValues>();
    for (const g of readings) {
      const v: FieldValues = {};
      for (const k of staticKeys) v[k] = g[k];
      facts.set(g.index, v);
    }
    return { kind: 'ok', query, facts, snapshot: { timeMs: Date.now(), gpus: readings }, dropped };
  }
  return { kind: 'error', message: 'nvidia-smi rejected every field' };
}
