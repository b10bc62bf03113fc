import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { runCaptured, type CaptureOptions, type CapturedRun } from '../childProcess';

/**
 * Finds the nvidia-smi to run: `explicit` when given (it must exist and be executable), else the
 * first `nvidia-smi` on `env.PATH` (relative entries resolved against `cwd`, as a shell does).
 * Null when there is none: on most machines that means no GPU.
 */
export function locateNvidiaSmi(env: NodeJS.ProcessEnv, explicit?: string | null, cwd = process.cwd()): string | null {
  const candidates: string[] = [];
  if (explicit) {
    candidates.push(resolve(cwd, explicit));
  } else {
    const names = process.platform === 'win32' ? ['nvidia-smi.exe'] : ['nvidia-smi'];
    const path = env.PATH ?? env.Path ?? '';
    for (const dir of path.split(delimiter)) if (dir) for (const n of names) candidates.push(resolve(cwd, join(dir, n)));
  }
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* not this one */
    }
  }
  return null;
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
