import { locateExecutable } from './locate';
import { runCaptured, type CaptureOptions, type CapturedRun } from '../childProcess';

/** The nvidia-smi to run: `explicit` when given, else the first on PATH; null when there is none (on most machines: no GPU). */
export function locateNvidiaSmi(env: NodeJS.ProcessEnv, explicit?: string | null, cwd = process.cwd()): string | null {
  return locateExecutable('nvidia-smi', env, explicit, cwd);
}

/** What a one-off nvidia-smi run ended with. */
export type SmiRunResult = CapturedRun;

/** Limits for a one-off nvidia-smi run. */
export type SmiRunOptions = CaptureOptions;

/** Runs nvidia-smi once, bounded in time and memory; its process group is killed on timeout or abort. */
export function runSmi(executable: string, args: readonly string[], options: SmiRunOptions): Promise<SmiRunResult> {
  return runCaptured(executable, args, options);
}

/** True for nvidia-smi's answers that mean "no usable GPU here", as opposed to a transient failure. */
export function meansNoGpu(output: string): boolean {
  return /couldn't communicate with the NVIDIA driver|No devices were found|NVIDIA driver is not loaded|Failed to initialize NVML/i.test(output);
}
