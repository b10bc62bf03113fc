import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { childEnded, childStarted } from './liveChildren';

export { liveChildCount, onLiveChildrenChange } from './liveChildren';

/** How a child ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the program could not be started (ENOENT, EACCES, ...); code and signal are then null. */
  readonly spawnError: NodeJS.ErrnoException | null;
}

/** Where and how to start a supervised child. */
export interface SupervisedChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Aborting kills the child's whole process group at once (SIGKILL). */
  readonly signal?: AbortSignal;
}

/**
 * How long output may still arrive after the child itself exited. Its group is killed at exit,
 * so only a grandchild that left the group (setsid) can hold a pipe open that long.
 */
const DRAIN_AFTER_EXIT_MS = 250;
const POSIX = process.platform !== 'win32';

/**
 * A child process started in a process group of its own (`detached`), so that it and everything
 * it forks are signalled together: a wrapper script that runs `sleep 1000` without `exec` dies
 * whole, and cannot keep our pipes open or outlive us.
 *
 * - `exited` settles when the child itself exits, never waiting on the pipes (a grandchild could
 *   hold them forever): at that moment what is left of its group gets SIGKILL, and output still
 *   in flight gets at most 250 ms more.
 * - `kill()` and `stop()` signal the whole group; `stop()` escalates SIGTERM to SIGKILL.
 * - An abort of `options.signal` kills the group; our own exit (`process.exit`, the extension
 *   host shutting down) SIGKILLs every group still alive.
 *
 * Being in its own group, the child does not get the terminal's Ctrl-C: whoever starts one
 * must stop it (the CLI keeps its signal handlers while any child lives, see
 * `onLiveChildrenChange`). On Windows it is a plain child and only the child itself is killed.
 *
 * @example
 * const child = spawnSupervised('amd-smi', ['metric', '--json'], { signal });
 * child.stdout.setEncoding('utf8').on('data', onData);
 * const { code } = await child.exited;
 */
export class SupervisedChild {
  /** Undefined when the program could not be started. */
  readonly pid: number | undefined;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<ChildExit>;
  private readonly child: ChildProcess;
  private ended = false;
  private detachAbort: () => void = () => undefined;

  constructor(executable: string, args: readonly string[], options: SupervisedChildOptions = {}) {
    this.child = spawn(executable, args, {
      env: options.env ?? process.env,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: POSIX,
      windowsHide: true,
    });
    this.pid = this.child.pid;
    this.stdout = this.child.stdout!;
    this.stderr = this.child.stderr!;
    this.exited = new Promise((resolve) => this.watch(resolve));
    if (this.pid !== undefined) {
      childStarted(this);
    }
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) this.kill();
      else {
        const onAbort = () => this.kill();
        signal.addEventListener('abort', onAbort, { once: true });
        this.detachAbort = () => signal.removeEventListener('abort', onAbort);
      }
    }
  }

  /** True until the child has exited (or failed to start). */
  get running(): boolean {
    return !this.ended && this.pid !== undefined;
  }

  /** Sends `sig` to the child's whole process group; nothing once the child has exited. */
  kill(sig: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.signalGroup(sig);
  }

  /**
   * SIGTERM to the group, SIGKILL after `graceMs`; settles on the child's exit, or after
   * `graceMs` + 5 s at most: a process stuck in the kernel (a hung driver) ignores even SIGKILL.
   */
  stop(graceMs: number): Promise<ChildExit | 'stuck'> {
    if (!this.running) return this.exited;
    this.kill('SIGTERM');
    const escalate = setTimeout(() => this.kill('SIGKILL'), graceMs);
    let giveUp: NodeJS.Timeout | undefined;
    const bound = new Promise<'stuck'>((resolve) => (giveUp = setTimeout(() => resolve('stuck'), graceMs + 5000)));
    return Promise.race([this.exited, bound]).finally(() => {
      clearTimeout(escalate);
      clearTimeout(giveUp);
    });
  }

  private signalGroup(sig: NodeJS.Signals): void {
    try {
      if (POSIX) process.kill(-this.pid!, sig);
      else this.child.kill(sig);
    } catch {
      // ESRCH: the group is already gone. EPERM (a setuid wrapper): the child itself may still be ours.
      try {
        this.child.kill(sig);
      } catch {
        /* gone */
      }
    }
  }

  private watch(resolve: (exit: ChildExit) => void): void {
    const child = this.child;
    let spawnError: NodeJS.ErrnoException | null = null;
    child.on('error', (e: NodeJS.ErrnoException) => {
      // 'error' also reports a failed kill; only a failed start ends the child.
      if (child.pid !== undefined) return;
      spawnError = e;
      this.ended = true;
      this.detachAbort();
      resolve({ code: null, signal: null, spawnError });
    });
    child.once('exit', (code, signal) => {
      // The leader is reaped, but its group lives on while any member does: end them too.
      // (The group id cannot be reused while a member holds it.)
      if (POSIX) this.signalGroup('SIGKILL');
      this.ended = true;
      this.detachAbort();
      childEnded(this);
      const done = () => {
        clearTimeout(drainTimer);
        // A pipe still open (a grandchild that escaped the group) must not keep us running.
        this.stdout.destroy();
        this.stderr.destroy();
        resolve({ code, signal, spawnError });
      };
      const drainTimer = setTimeout(done, DRAIN_AFTER_EXIT_MS);
      let open = 2;
      const closed = () => void (--open === 0 && done());
      for (const s of [this.stdout, this.stderr]) {
        if (s.closed || s.destroyed) closed();
        else s.once('close', closed);
      }
    });
  }
}

/** Starts `executable` as a supervised child: see `SupervisedChild`. */
export function spawnSupervised(executable: string, args: readonly string[], options: SupervisedChildOptions = {}): SupervisedChild {
  return new SupervisedChild(executable, args, options);
}

/** What a run to completion ended with. */
export interface CapturedRun extends ChildExit {
  readonly stdout: string;
  readonly stderr: string;
  /** The time limit ran out and the group was killed. */
  readonly timedOut: boolean;
}

/** Limits of a run to completion. */
export interface CaptureOptions extends SupervisedChildOptions {
  /** After this long the child's group is killed and the run settles, output so far kept. */
  readonly timeoutMs: number;
  /** Output beyond this many characters per stream is discarded. Default 1,000,000. */
  readonly maxChars?: number;
}

/** How long a killed run waits for the exit before settling anyway (a child stuck in the kernel). */
const KILLED_EXIT_WAIT_MS = 2000;

/**
 * Runs a program once, bounded in time and memory: on timeout or abort its whole group is
 * killed, and the promise settles within `timeoutMs` + 2 s even if the child cannot die.
 */
export function runCaptured(executable: string, args: readonly string[], options: CaptureOptions): Promise<CapturedRun> {
  const maxChars = options.maxChars ?? 1_000_000;
  const child = spawnSupervised(executable, args, options);
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    if (stdout.length < maxChars) stdout += d.slice(0, maxChars - stdout.length);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < maxChars) stderr += d.slice(0, maxChars - stderr.length);
  });
  return new Promise((resolve) => {
    let settled = false;
    let stuckTimer: NodeJS.Timeout | undefined;
    const settle = (exit: ChildExit) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(stuckTimer);
      options.signal?.removeEventListener('abort', onKilled);
      resolve({ ...exit, stdout, stderr, timedOut });
    };
    const onKilled = () => {
      stuckTimer ??= setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        settle({ code: null, signal: 'SIGKILL', spawnError: null });
      }, KILLED_EXIT_WAIT_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
      onKilled();
    }, options.timeoutMs);
    if (options.signal?.aborted) onKilled();
    else options.signal?.addEventListener('abort', onKilled, { once: true });
    void child.exited.then(settle);
  });
}
