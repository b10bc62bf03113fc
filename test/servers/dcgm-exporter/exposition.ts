// What NVIDIA's dcgm-exporter prints at :9400/metrics, for the tests' replay server. The families,
// types and help texts are those of dcgm-exporter's etc/dcp-metrics-included.csv (the default
// counters plus FB_RESERVED and the profiling ratios); the label order is the exporter's own
// (gpu, UUID, pci_bus_id, device, modelName, Hostname, DCGM_FI_DRIVER_VERSION, then the pod labels
// it adds under Kubernetes, empty where no pod holds the GPU). Like the real exporter it breaks
// Prometheus's naming rules (camelCase labels, counters without _total), on purpose.

/** One GPU as the exporter sees it; absent families are not collected on that node. */
export interface ReplayGpu {
  readonly gpu: number;
  readonly uuid: string;
  readonly busId: string;
  readonly pod?: { readonly namespace: string; readonly pod: string; readonly container: string };
  /** Family name (without the DCGM_FI_ prefix) to the value printed, as text so sentinels survive. */
  readonly values: Readonly<Record<string, string>>;
}

export interface ReplayNode {
  readonly hostname: string;
  readonly modelName: string;
  readonly driver: string;
  readonly gpus: readonly ReplayGpu[];
}

const HELP: ReadonlyArray<[family: string, type: 'gauge' | 'counter', help: string]> = [
  ['DEV_SM_CLOCK', 'gauge', 'SM clock frequency (in MHz).'],
  ['DEV_MEM_CLOCK', 'gauge', 'Memory clock frequency (in MHz).'],
  ['DEV_MEMORY_TEMP', 'gauge', 'Memory temperature (in C).'],
  ['DEV_GPU_TEMP', 'gauge', 'GPU temperature (in C).'],
  ['DEV_POWER_USAGE', 'gauge', 'Power draw (in W).'],
  ['DEV_TOTAL_ENERGY_CONSUMPTION', 'counter', 'Total energy consumption since boot (in mJ).'],
  ['DEV_PCIE_REPLAY_COUNTER', 'counter', 'Total number of PCIe retries.'],
  ['DEV_GPU_UTIL', 'gauge', 'GPU utilization (in %).'],
  ['DEV_MEM_COPY_UTIL', 'gauge', 'Memory utilization (in %).'],
  ['DEV_ENC_UTIL', 'gauge', 'Encoder utilization (in %).'],
  ['DEV_DEC_UTIL', 'gauge', 'Decoder utilization (in %).'],
  ['DEV_XID_ERRORS', 'gauge', 'Value of the last XID error encountered.'],
  ['DEV_FB_FREE', 'gauge', 'Framebuffer memory free (in MiB).'],
  ['DEV_FB_USED', 'gauge', 'Framebuffer memory used (in MiB).'],
  ['DEV_FB_RESERVED', 'gauge', 'Framebuffer memory reserved (in MiB).'],
  ['DEV_UNCORRECTABLE_REMAPPED_ROWS', 'counter', 'Number of remapped rows for uncorrectable errors'],
  ['DEV_CORRECTABLE_REMAPPED_ROWS', 'counter', 'Number of remapped rows for correctable errors'],
  ['DEV_ROW_REMAP_FAILURE', 'gauge', 'Whether remapping of rows has failed'],
  ['PROF_GR_ENGINE_ACTIVE', 'gauge', 'Ratio of time the graphics engine is active.'],
  ['PROF_SM_ACTIVE', 'gauge', 'The ratio of cycles an SM has at least 1 warp assigned.'],
  ['PROF_PIPE_TENSOR_ACTIVE', 'gauge', 'Ratio of cycles the tensor (HMMA) pipe is active.'],
  ['PROF_DRAM_ACTIVE', 'gauge', 'Ratio of cycles the device memory interface is active sending or receiving data.'],
];

/** The node's exposition, family by family as the exporter groups it. */
export function renderExposition(node: ReplayNode): string {
  const lines: string[] = [];
  for (const [family, type, help] of HELP) {
    const rows = node.gpus.filter((g) => g.values[family] !== undefined);
    if (!rows.length) continue;
    const name = `DCGM_FI_${family}`;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const g of rows) {
      const p = g.pod ?? { namespace: '', pod: '', container: '' };
      // The exporter adds the last XID's code and text as labels of its family.
      const xid = family === 'DEV_XID_ERRORS' ? `,err_code="${g.values[family] === '0' ? '0' : g.values[family]}",err_msg="${g.values[family] === '0' ? 'No Error' : 'Unknown Error'}"` : '';
      lines.push(
        `${name}{gpu="${g.gpu}",UUID="${g.uuid}",pci_bus_id="${g.busId}",device="nvidia${g.gpu}",modelName="${node.modelName}",Hostname="${node.hostname}",DCGM_FI_DRIVER_VERSION="${node.driver}",container="${p.container}",namespace="${p.namespace}",pod="${p.pod}"${xid}} ${g.values[family]}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** The memory temperature sentinel dcgm-exporter's README shows: DCGM's "not supported" blank. */
export const BLANK = '9223372036854775794';

const h100 = (values: Record<string, string>) => ({
  SM_CLOCK: '1980', MEM_CLOCK: '2619', TOTAL_ENERGY_CONSUMPTION: '4851022113', PCIE_REPLAY_COUNTER: '0', ENC_UTIL: '0', DEC_UTIL: '0',
  CORRECTABLE_REMAPPED_ROWS: '0', UNCORRECTABLE_REMAPPED_ROWS: '0', ROW_REMAP_FAILURE: '0', XID_ERRORS: '0', FB_RESERVED: '555',
  ...values,
});
const prefixed = (v: Record<string, string>) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k.startsWith('PROF_') ? k : `DEV_${k}`, x]));

/**
 * A two-node cluster. node-a (4 × H100, profiling on): GPUs 0 and 1 held by one training pod, GPU 1
 * idle; GPU 2 with XID 79; GPU 3 hot at 88 °C. node-b (2 × A100, default counters, an older
 * exporter without FB_RESERVED): GPU 0 failed a row remap; GPU 1's memory temperature is blank.
 */
export const CLUSTER: readonly ReplayNode[] = [
  {
    hostname: 'node-a',
    modelName: 'NVIDIA H100 80GB HBM3',
    driver: '580.159.04',
    gpus: [
      {
        gpu: 0, uuid: 'GPU-5f2a1c3e-9d41-4b7a-8e0c-1a2b3c4d5e60', busId: '00000000:18:00.0',
        pod: { namespace: 'ml-team', pod: 'train-llm-0', container: 'trainer' },
        values: prefixed(h100({ GPU_UTIL: '97', MEM_COPY_UTIL: '41', FB_USED: '71234', FB_FREE: '9770', GPU_TEMP: '71', MEMORY_TEMP: '78', POWER_USAGE: '612.482', PROF_GR_ENGINE_ACTIVE: '0.964102', PROF_SM_ACTIVE: '0.921337', PROF_PIPE_TENSOR_ACTIVE: '0.583019', PROF_DRAM_ACTIVE: '0.402211' })),
      },
      {
        gpu: 1, uuid: 'GPU-5f2a1c3e-9d41-4b7a-8e0c-1a2b3c4d5e61', busId: '00000000:2A:00.0',
        pod: { namespace: 'ml-team', pod: 'train-llm-0', container: 'trainer' },
        values: prefixed(h100({ GPU_UTIL: '0', MEM_COPY_UTIL: '0', FB_USED: '1347', FB_FREE: '79657', GPU_TEMP: '34', MEMORY_TEMP: '36', POWER_USAGE: '71.207', PROF_GR_ENGINE_ACTIVE: '0', PROF_SM_ACTIVE: '0', PROF_PIPE_TENSOR_ACTIVE: '0', PROF_DRAM_ACTIVE: '0.000012' })),
      },
      {
        gpu: 2, uuid: 'GPU-5f2a1c3e-9d41-4b7a-8e0c-1a2b3c4d5e62', busId: '00000000:3A:00.0',
        values: prefixed(h100({ GPU_UTIL: '0', MEM_COPY_UTIL: '0', FB_USED: '0', FB_FREE: '81004', GPU_TEMP: '31', MEMORY_TEMP: '33', POWER_USAGE: '69.9', XID_ERRORS: '79', PROF_GR_ENGINE_ACTIVE: '0', PROF_SM_ACTIVE: '0', PROF_PIPE_TENSOR_ACTIVE: '0', PROF_DRAM_ACTIVE: '0' })),
      },
      {
        gpu: 3, uuid: 'GPU-5f2a1c3e-9d41-4b7a-8e0c-1a2b3c4d5e63', busId: '00000000:5D:00.0',
        values: prefixed(h100({ GPU_UTIL: '100', MEM_COPY_UTIL: '63', FB_USED: '40960', FB_FREE: '40044', GPU_TEMP: '88', MEMORY_TEMP: '92', POWER_USAGE: '699.03', PROF_GR_ENGINE_ACTIVE: '0.998', PROF_SM_ACTIVE: '0.99', PROF_PIPE_TENSOR_ACTIVE: '0.871', PROF_DRAM_ACTIVE: '0.55' })),
      },
    ],
  },
  {
    hostname: 'node-b',
    modelName: 'NVIDIA A100-SXM4-80GB',
    driver: '535.104.05',
    gpus: [
      {
        gpu: 0, uuid: 'GPU-0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f0', busId: '00000000:07:00.0',
        pod: { namespace: 'research', pod: 'eval-7f9c', container: 'eval' },
        values: prefixed({ SM_CLOCK: '1410', MEM_CLOCK: '1593', GPU_TEMP: '55', MEMORY_TEMP: '61', POWER_USAGE: '301.5', TOTAL_ENERGY_CONSUMPTION: '912004881', PCIE_REPLAY_COUNTER: '0', GPU_UTIL: '64', MEM_COPY_UTIL: '22', ENC_UTIL: '0', DEC_UTIL: '0', XID_ERRORS: '0', FB_FREE: '21504', FB_USED: '60416', UNCORRECTABLE_REMAPPED_ROWS: '3', CORRECTABLE_REMAPPED_ROWS: '0', ROW_REMAP_FAILURE: '1' }),
      },
      {
        gpu: 1, uuid: 'GPU-0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f1', busId: '00000000:0F:00.0',
        values: prefixed({ SM_CLOCK: '210', MEM_CLOCK: '1593', GPU_TEMP: '29', MEMORY_TEMP: BLANK, POWER_USAGE: '58.318', TOTAL_ENERGY_CONSUMPTION: '701118004', PCIE_REPLAY_COUNTER: '0', GPU_UTIL: '0', MEM_COPY_UTIL: '0', ENC_UTIL: '0', DEC_UTIL: '0', XID_ERRORS: '0', FB_FREE: '81050', FB_USED: '870', UNCORRECTABLE_REMAPPED_ROWS: '0', CORRECTABLE_REMAPPED_ROWS: '0', ROW_REMAP_FAILURE: '0' }),
      },
    ],
  },
];
