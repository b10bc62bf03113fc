// Runs a GpuSampler against the stand-in nvidia-smi and records what it reports.
import { after } from 'node:test';
import { readFileSync, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { GpuSampler, type GpuSamplerEvent, type GpuSamplerOptions, type GpuSamplerStatus } from '../../../src/io/gpu';
import type { ComputeApp, GpuSnapshot, ListedGpu } from '../../../src/core/gpu';
import { STAND_IN_BIN, waitForExit } from './helpers';
import { scratchDir } from '../helpers/scratch';

export const scratch = scratchDir('gpu');
let runs = 0;
const samplers: GpuSampler[] = [];
// A failed assertion must not leave a stand-in streaming (and this file never ending).
after(() => Promise.all(samplers.map((s) => s.dispose())));

/** A sampler over the stand-in, with a fresh invocation log; collects everything it reports. */
export function harness(fake: Record<string, string>, options: Partial<GpuSamplerOptions> = {}) {
  const log = join(scratch, `smi-${++runs}.log`);
  const env = { ...process.env, PATH: `${STAND_IN_BIN}${delimiter}${process.env.PATH}`, MODELMON_FAKE_SMI_LOG: log, MODELMON_FAKE_SMI_SPEED: '10', ...fake };
  const sampler = new GpuSampler({ intervalMs: 250, env, computeAppsIntervalMs: 0, backoffInitialMs: 50, backoffMaxMs: 200, probeTimeoutMs: 3000, ...options });
  samplers.push(sampler);
  const snapshots: GpuSnapshot[] = [];
  const statuses: GpuSamplerStatus[] = [];
  const notices: string[] = [];
  const apps: Array<readonly ComputeApp[]> = [];
  const inventories: Array<readonly ListedGpu[]> = [];
  sampler.on((e: GpuSamplerEvent) => {
    if (e.type === 'snapshot') snapshots.push(e.snapshot);
    else if (e.type === 'status') statuses.push(e.status);
    else if (e.type === 'notice') notices.push(e.message);
    else if (e.type === 'migInventory') inventories.push(e.gpus);
    else apps.push(e.apps);
  });
  /** Every nvidia-smi run so far: its pid and arguments. */
  const invocations = () =>
    existsSync(log)
      ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => ({ pid: Number(l.split(' ')[0]), args: l.slice(l.indexOf(' ') + 1) }))
      : [];
  /** Disposes, then asserts that no stand-in process started for this sampler survives. */
  const disposeAndCheck = async () => {
    await sampler.dispose();
    for (const { pid } of invocations()) await waitForExit(pid, 3000);
  };
  return { sampler, snapshots, statuses, notices, apps, inventories, invocations, disposeAndCheck };
}

export const power = (s: GpuSnapshot) => s.gpus.map((g) => g.powerW);
export const retries = (statuses: GpuSamplerStatus[]) => statuses.filter((s): s is Extract<GpuSamplerStatus, { state: 'retrying' }> => s.state === 'retrying');

