import type { GpuReading, GpuVendor } from './types';

/** The tool that samples the GPUs; `auto` takes the first one found, NVIDIA's first. */
export type GpuBackend = 'auto' | 'nvidia-smi' | 'amd-smi' | 'rocm-smi';

/** A concrete tool, once `auto` is resolved. */
export type GpuTool = Exclude<GpuBackend, 'auto'>;

/** In the order `auto` tries them: amd-smi before rocm-smi, which it replaces. */
export const GPU_TOOLS: readonly GpuTool[] = ['nvidia-smi', 'amd-smi', 'rocm-smi'];

export const GPU_BACKENDS: readonly GpuBackend[] = ['auto', ...GPU_TOOLS];

/** The backend named by `text`, or null when it names none. */
export function parseGpuBackend(text: string): GpuBackend | null {
  return (GPU_BACKENDS as readonly string[]).includes(text) ? (text as GpuBackend) : null;
}

export const TOOL_VENDOR: Readonly<Record<GpuTool, GpuVendor>> = { 'nvidia-smi': 'nvidia', 'amd-smi': 'amd', 'rocm-smi': 'amd' };

export const VENDOR_NAME: Readonly<Record<GpuVendor, string>> = { nvidia: 'NVIDIA', amd: 'AMD' };

/** A GPU's vendor and model as people name it: `AMD Instinct MI300X`, never a bare `MI300X`. */
export function gpuLabel(g: Pick<GpuReading, 'vendor' | 'name'>): string {
  const vendor = VENDOR_NAME[g.vendor];
  if (!g.name) return `${vendor} GPU`;
  return g.name.toUpperCase().startsWith(vendor) ? g.name : `${vendor} ${g.name}`;
}

/** The models of a group of GPUs: `AMD Instinct MI300X`, `2 × NVIDIA H100 80GB HBM3`, or each kind counted. */
export function gpuModelsLabel(gpus: readonly Pick<GpuReading, 'vendor' | 'name'>[]): string {
  const counts = new Map<string, number>();
  for (const g of gpus) counts.set(gpuLabel(g), (counts.get(gpuLabel(g)) ?? 0) + 1);
  return [...counts].map(([label, n]) => (n > 1 ? `${n} × ${label}` : label)).join(', ');
}
