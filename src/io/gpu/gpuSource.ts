import { GPU_TOOLS, type GpuBackend, type GpuTool } from '../../core/gpu/backend';
import { AmdGpuSampler, type AmdSamplerEvent } from './amdSampler';
import { probeAmdGpus } from './amdProbe';
import { GpuSampler } from './gpuSampler';
import { locateExecutable } from './locate';
import { probeGpus, type GpuSelection } from './probe';
import type { GpuSamplingOptions } from './samplerLifecycle';
import type { GpuSnapshot } from '../../core/gpu/types';

/** The executable each tool runs, where the user named one; else each is looked up on PATH. */
export type GpuToolPaths = Partial<Record<GpuTool, string | null>>;

/** A concrete tool and the program that runs it. */
export interface ResolvedGpuTool {
  readonly tool: GpuTool;
  readonly executable: string;
}

/**
 * The tool a backend means on this machine: the one named, or for `auto` the first of nvidia-smi,
 * amd-smi, rocm-smi that exists. Null when none does; `tried` says where each was looked for.
 */
export function resolveGpuTool(backend: GpuBackend, paths: GpuToolPaths, env: NodeJS.ProcessEnv, cwd = process.cwd()): { resolved: ResolvedGpuTool | null; tried: string } {
  const tools = backend === 'auto' ? GPU_TOOLS : [backend];
  for (const tool of tools) {
    const executable = locateExecutable(tool, env, paths[tool], cwd);
    if (executable) return { resolved: { tool, executable }, tried: '' };
  }
  const where = tools.map((t) => (paths[t] ? `${t} at ${paths[t]}` : `${t} on PATH`));
  return { resolved: null, tried: where.join(', ') };
}

/** The events every GPU source sends (an AMD sampler's are a superset of an NVIDIA one's). */
export type GpuSourceEvent = AmdSamplerEvent | Parameters<Parameters<GpuSampler['on']>[0]>[0];

/** A running sampler of either vendor, as the monitor and the CLI use it. */
export interface GpuSource {
  readonly tool: GpuTool;
  on(listener: (event: GpuSourceEvent) => void): () => void;
  start(): void;
  dispose(): Promise<void>;
  readonly pid: number | undefined;
}

/** What a source samples; how it supervises its tool is left to each sampler's defaults. */
export type GpuSourceOptions = GpuSamplingOptions;

/** The sampler for a resolved tool: nvidia-smi's stream or the AMD tools' watch and polls. */
export function createGpuSource(resolved: ResolvedGpuTool, options: GpuSourceOptions): GpuSource {
  const common = {
    intervalMs: options.intervalMs,
    executable: resolved.executable,
    ...(options.gpuIndex !== undefined ? { gpuIndex: options.gpuIndex } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.computeAppsIntervalMs !== undefined ? { computeAppsIntervalMs: options.computeAppsIntervalMs } : {}),
  };
  const sampler = resolved.tool === 'nvidia-smi' ? new GpuSampler(common) : new AmdGpuSampler({ ...common, tool: resolved.tool });
  return {
    tool: resolved.tool,
    on: (listener) => sampler.on(listener as never),
    start: () => sampler.start(),
    dispose: () => sampler.dispose(),
    get pid() {
      return sampler.pid;
    },
  };
}

/** One sample from any tool, for `modelmon gpu --once` and `modelmon check`. */
export type OneSample =
  | { readonly kind: 'ok'; readonly snapshot: GpuSnapshot; readonly notices: readonly string[] }
  | { readonly kind: 'no-gpu'; readonly message: string }
  | { readonly kind: 'error'; readonly message: string };

export async function sampleOnce(resolved: ResolvedGpuTool, options: { gpuIndex?: GpuSelection; env?: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal }): Promise<OneSample> {
  const common = {
    executable: resolved.executable,
    timeoutMs: options.timeoutMs,
    ...(options.gpuIndex !== undefined ? { gpuIndex: options.gpuIndex } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  if (resolved.tool === 'nvidia-smi') {
    const p = await probeGpus(common);
    return p.kind === 'ok' ? { kind: 'ok', snapshot: p.snapshot, notices: p.dropped.map((f) => `nvidia-smi rejected field '${f}'; continuing without it`) } : p;
  }
  const p = await probeAmdGpus({ ...common, tool: resolved.tool });
  return p.kind === 'ok' ? { kind: 'ok', snapshot: p.snapshot, notices: [] } : p;
}

/** A source for a tool that is not there: says so once, as a sampler would, and runs nothing. */
export function absentGpuSource(tool: GpuTool, message: string): GpuSource {
  const listeners = new Set<(event: GpuSourceEvent) => void>();
  return {
    tool,
    on: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start: () => {
      for (const l of [...listeners]) l({ type: 'status', status: { state: 'no-gpu', message } });
    },
    dispose: async () => listeners.clear(),
    pid: undefined,
  };
}
