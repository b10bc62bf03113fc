import type { CliCommand } from '../io';

/**
 * Every command by name and one-line summary, and how to load it. A command's module, and all it
 * imports (the TensorBoard reader, Prometheus' client, Parquet's decoders, node:http...), is
 * loaded only when that command runs: `modelmon --version` or `modelmon tb` initialise none of
 * the others' modules, which was most of the CLI's start-up.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<CliCommand>;
}

export const commands: readonly CommandEntry[] = [
  { name: 'tb', summary: 'TensorBoard runs: tags, last values, training-health findings, corruption', load: async () => (await import('./tb')).tbCommand },
  { name: 'predictions', summary: 'monitor a prediction log: drift, performance, data quality, suspicious inputs', load: async () => (await import('./predictions')).predictionsCommand },
  { name: 'detect', summary: 'run a streaming drift detector (ADWIN, Page-Hinkley, KSWIN, CUSUM, DDM, ...) over numbers', load: async () => (await import('./detect')).detectCommand },
  { name: 'stats', summary: 'drift statistics between two samples: ks, wasserstein, jensenshannon, psi, hellinger, chi2', load: async () => (await import('./stats')).statsCommand },
  { name: 'integrity', summary: 'scan checkpoints for unsafe pickles; snapshot, verify and diff their tensors', load: async () => (await import('./integrity')).integrityCommand },
  { name: 'gpu', summary: 'sample NVIDIA and AMD GPUs (utilisation, memory, power, throttling) and host load', load: async () => (await import('./gpu')).gpuCommand },
  { name: 'check', summary: 'run every configured monitor once, for CI (exit 1 on findings)', load: async () => (await import('./check')).checkCommand },
  { name: 'report', summary: 'write a self-contained HTML report of every configured monitor', load: async () => (await import('./report')).reportCommand },
  { name: 'probe', summary: 'probe a served model (HTTP, KServe v2, TorchServe, OpenAI-compatible, TCP): availability, latency, golden answers', load: async () => (await import('./probe')).probeCommand },
  { name: 'traffic', summary: "summarise a model server's access log: request rate, errors, latency, payload sizes per route", load: async () => (await import('./traffic')).trafficCommand },
  { name: 'watch', summary: 'run every configured monitor continuously and publish Prometheus metrics', load: async () => (await import('./watch')).watchCommand },
  { name: 'efficiency', summary: 'Training efficiency: each run joined with its GPU samples (pace, utilisation, energy, cost, input-bound, stalls)', load: async () => (await import('./efficiency')).efficiencyCommand },
];
