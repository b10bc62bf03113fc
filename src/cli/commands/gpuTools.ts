import { TOOL_VENDOR, VENDOR_NAME, type GpuBackend, type GpuTool } from '../../core/gpu/backend';
import type { GpuToolPaths } from '../../io/gpu/gpuSource';

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
  if (named) return noGpuMessage(named[0], `${named[0]} is not at ${named[1]}`);
  if (backend === 'auto') return 'no GPU found: nvidia-smi, amd-smi and rocm-smi are not on PATH';
  return noGpuMessage(backend, `${backend} is not on PATH`);
}

/** Why a tool that ran found no GPU, vendor first: `no AMD GPU found: <the tool's reason>`. */
export function noGpuMessage(tool: GpuTool, reason: string): string {
  return `no ${VENDOR_NAME[TOOL_VENDOR[tool]]} GPU found: ${reason}`;
}
