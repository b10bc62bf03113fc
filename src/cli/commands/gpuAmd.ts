import { TOOL_VENDOR, VENDOR_NAME, type GpuBackend, type GpuTool } from '../../core/gpu/backend';
import type { GpuSnapshot } from '../../core/gpu/types';
import { createGpuSource, sampleOnce, type GpuToolPaths, type ResolvedGpuTool } from '../../io/gpu/gpuSource';
import type { HostMetricsSampler } from '../../io/hostMetrics';
import { EXIT_NO_GPU, EXIT_OK, EXIT_USAGE, type CliIO } from '../io';
import { LatestSamplePrinter } from '../latestSample';

/** What `modelmon gpu` was asked for, as far as the AMD tools care. */
export interface AmdGpuArgs {
  readonly once: boolean;
  readonly intervalMs: number;
  readonly gpuIndex: number | 'all';
}

/** The tool a `--smi PATH` names: the one `--backend` names, or under `auto` the one its file name says. */
export function smiPaths(backend: GpuBackend, smi: string | null): GpuToolPaths {
  if (!smi) return {};
  const base = smi.split(/[\\/]/).pop() ?? '';
  const tool: GpuTool = backend !== 'auto' ? backend : /rocm-smi/.test(base) ? 'rocm-smi' : /amd-smi/.test(base) ? 'amd-smi' : 'nvidia-smi';
  return { [tool]: smi };
}

/** Why no tool could be found, vendor first: `no AMD GPU found: amd-smi is not on PATH`. */
export function noToolMessage(backend: GpuBackend, paths: GpuToolPaths): string {
  const [named] = Object.entries(paths) as Array<[GpuTool, string]>;
  if (named) return `no ${VENDOR_NAME[TOOL_VENDOR[named[0]]]} GPU found: ${named[0]} is not at ${named[1]}`;
  if (backend === 'auto') return 'no GPU found: nvidia-smi, amd-smi and rocm-smi are not on PATH';
  return `no ${VENDOR_NAME[TOOL_VENDOR[backend]]} GPU found: ${backend} is not on PATH`;
}

/**
 * `modelmon gpu` over amd-smi or rocm-smi: one sample (`--once`), or samples until interrupted,
 * printed one at a time with only the newest kept while one prints.
 */
export async function runAmdGpu(resolved: ResolvedGpuTool, opts: AmdGpuArgs, io: CliIO, host: HostMetricsSampler, print: (s: GpuSnapshot) => Promise<void>): Promise<number> {
  if (opts.once) {
    await host.sample(); // a baseline, so the printed sample has CPU and throughput rates
    const r = await sampleOnce(resolved, { gpuIndex: opts.gpuIndex, env: io.env, timeoutMs: 10_000, signal: io.signal });
    if (r.kind === 'no-gpu') {
      io.err(`modelmon gpu: no AMD GPU found: ${r.message}\n`);
      return EXIT_NO_GPU;
    }
    if (r.kind === 'error') {
      io.err(`modelmon gpu: ${r.message}\n`);
      return EXIT_USAGE;
    }
    io.signal.throwIfAborted();
    await print(r.snapshot);
    return EXIT_OK;
  }
  const source = createGpuSource(resolved, { intervalMs: opts.intervalMs, gpuIndex: opts.gpuIndex, env: io.env, computeAppsIntervalMs: 0 });
  return new Promise<number>((resolve) => {
    let exitCode = EXIT_OK;
    const printer = new LatestSamplePrinter(print);
    const finish = () => {
      io.signal.removeEventListener('abort', finish);
      void source.dispose().then(() => printer.idle()).then(() => resolve(exitCode));
    };
    source.on((event) => {
      if (event.type === 'snapshot') {
        printer.offer(event.snapshot);
      } else if (event.type === 'notice') io.err(`modelmon gpu: ${event.message}\n`);
      else if (event.type === 'status') {
        const s = event.status;
        if (s.state === 'retrying') io.err(`modelmon gpu: ${s.reason}; retrying in ${(s.delayMs / 1000).toFixed(1)} s (attempt ${s.attempt})\n`);
        else if (s.state === 'no-gpu') {
          io.err(`modelmon gpu: no AMD GPU found: ${s.message}\n`);
          exitCode = EXIT_NO_GPU;
          finish();
        }
      }
    });
    if (io.signal.aborted) return finish();
    io.signal.addEventListener('abort', finish);
    io.watchOutput?.();
    source.start();
  });
}
