import { classifyAmdFailure } from '../../core/gpu/amdFailures';
import { parseAmdList, parseAmdMetric, parseAmdStatic, withUuids, type AmdGpuFacts } from '../../core/gpu/amdSmi';
import { ROCM_SMI_ARGS, parseRocmSmi } from '../../core/gpu/rocmSmi';
import type { GpuReading, GpuSnapshot } from '../../core/gpu/types';
import { runCaptured, type CapturedRun } from '../childProcess';
import type { GpuSelection } from './probe';

/** The AMD tools: amd-smi (ROCm 6.1 and later) and rocm-smi, the older one. */
export type AmdTool = 'amd-smi' | 'rocm-smi';

export interface AmdProbeOptions {
  readonly tool: AmdTool;
  readonly executable: string;
  readonly gpuIndex?: GpuSelection;
  readonly env?: NodeJS.ProcessEnv;
  /** How long each run may take (a hung driver answers nothing at all). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** amd-smi only: facts learnt by an earlier probe, so a poll runs `metric` alone. */
  readonly facts?: ReadonlyMap<number, AmdGpuFacts>;
}

/** A probe's outcome, as `probeGpus` gives it for nvidia-smi. */
export type AmdProbeResult =
  | { readonly kind: 'ok'; readonly snapshot: GpuSnapshot; readonly facts: ReadonlyMap<number, AmdGpuFacts> }
  | { readonly kind: 'no-gpu'; readonly message: string }
  | { readonly kind: 'error'; readonly message: string };

type Failure = Exclude<AmdProbeResult, { kind: 'ok' }>;

function firstLine(text: string): string {
  return (text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim().slice(0, 200);
}

/**
 * Why a run is unusable, or null when its stdout may be parsed. The output is checked for the
 * tools' "cannot work here" messages whatever the exit code: rocm-smi exits 0 without a driver.
 */
export function amdRunFailure(tool: AmdTool, executable: string, r: CapturedRun, timeoutMs: number, signal?: AbortSignal): Failure | null {
  if (r.spawnError) {
    if (r.spawnError.code === 'ENOENT') return { kind: 'no-gpu', message: `${tool} not found at ${executable}` };
    return { kind: 'error', message: `cannot run ${executable}: ${r.spawnError.message}` };
  }
  if (signal?.aborted) return { kind: 'error', message: 'stopped' };
  if (r.timedOut) return { kind: 'error', message: `${tool} gave no answer within ${(timeoutMs / 1000).toFixed(1)} s` };
  const output = `${r.stderr}\n${r.stdout}`;
  const known = classifyAmdFailure(tool, output);
  if (known) return { kind: 'no-gpu', message: known.message };
  if (r.code !== 0) {
    const why = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`;
    return { kind: 'error', message: `${tool} ${why}${firstLine(output) ? `: ${firstLine(output)}` : ''}` };
  }
  return null;
}

function selected(readings: GpuReading[], gpuIndex: GpuSelection | undefined): GpuReading[] {
  return gpuIndex === undefined || gpuIndex === 'all' ? readings : readings.filter((g) => g.index === gpuIndex);
}

/**
 * One sample of every AMD GPU. amd-smi: `static --json` and `list --json` once for the facts
 * (model, bus, driver, power cap, UUID), then `metric --json`; rocm-smi: its one JSON query.
 */
export async function probeAmdGpus(options: AmdProbeOptions): Promise<AmdProbeResult> {
  const { tool, executable } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const run = async (args: readonly string[]) => {
    const r = await runCaptured(executable, args, { timeoutMs, ...(options.env ? { env: options.env } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    return { r, failure: amdRunFailure(tool, executable, r, timeoutMs, options.signal) };
  };
  let facts: ReadonlyMap<number, AmdGpuFacts> = options.facts ?? new Map();
  let readings: GpuReading[];
  if (tool === 'amd-smi') {
    if (!options.facts) {
      const s = await run(['static', '--json']);
      if (s.failure) return s.failure;
      const parsed = parseAmdStatic(s.r.stdout);
      if (!parsed.ok) return { kind: 'error', message: parsed.reason };
      // The UUIDs only name GPUs to the idle rule; without them a stable stand-in is used.
      const l = await run(['list', '--json']);
      const uuids = l.failure ? null : parseAmdList(l.r.stdout);
      facts = uuids?.ok ? withUuids(parsed.value, uuids.value) : parsed.value;
    }
    const m = await run(['metric', '--json']);
    if (m.failure) return m.failure;
    const parsed = parseAmdMetric(m.r.stdout, facts);
    if (!parsed.ok) return { kind: 'error', message: parsed.reason };
    readings = parsed.value;
  } else {
    const q = await run(ROCM_SMI_ARGS);
    if (q.failure) return q.failure;
    const parsed = parseRocmSmi(q.r.stdout);
    if (!parsed.ok) return { kind: 'error', message: parsed.reason };
    readings = parsed.value;
  }
  const gpus = selected(readings, options.gpuIndex);
  if (!gpus.length) return { kind: 'error', message: `no GPU with index ${String(options.gpuIndex)}: ${tool} lists ${readings.map((g) => g.index).join(', ')}` };
  return { kind: 'ok', snapshot: { timeMs: Date.now(), gpus }, facts };
}
