import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

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
export interface SmiRunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Set when the process could not be started (ENOENT, EACCES, ...). */
  readonly spawnError: NodeJS.ErrnoException | null;
}

/** Limits for a one-off nvidia-smi run. */
export interface SmiRunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  /** Output beyond this many characters per stream is discarded. */
  readonly maxChars?: number;
  readonly signal?: AbortSignal;
}

/** Runs nvidia-smi once, bounded in time and memory; the child is killed on timeout or abort. */
export function runSmi(executable: string, args: readonly string[], options: SmiRunOptions): Promise<SmiRunResult> {
  const maxChars = options.maxChars ?? 1_000_000;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | null = null;
    let settled = false;
    const child = spawn(executable, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const onAbort = () => kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) kill();
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < maxChars) stdout += d.slice(0, maxChars - stdout.length);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < maxChars) stderr += d.slice(0, maxChars - stderr.length);
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, stdout, stderr, timedOut, spawnError });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
      // A failed spawn emits no 'close' on some platforms.
      if (child.pid === undefined) finish(null, null);
    });
    child.on('close', finish);
  });
}

/** True for nvidia-smi's answers that mean "no usable GPU here", as opposed to a transient failure. */
export function meansNoGpu(output: string): boolean {
  return /couldn't communicate with the NVIDIA driver|No devices were found|NVIDIA driver is not loaded|Failed to initialize NVML/i.test(output);
}
