/** What a CLI command may touch: its streams, environment and working directory. Tests pass their own. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /**
   * Aborted with reason OUTPUT_CLOSED once nobody reads stdout any more, and on SIGINT/SIGTERM
   * while there is cleanup to do (a follow mode started with `watchOutput`, or a child process
   * alive); long-running commands (`--follow`, `gpu`) stop their children and return. Otherwise
   * a signal ends the process at once, even in the middle of a long synchronous loop.
   */
  readonly signal: AbortSignal;
  /**
   * Called by long-running modes as they start following. From then on SIGINT/SIGTERM abort
   * `signal` and the mode gets a grace period to stop; and a reader of stdout that leaves between
   * two writes then aborts `signal` within a second where the platform lets us see it (a socket;
   * a macOS or BSD pipe), else at the next write. Absent where the output cannot go away (tests'
   * recording IO).
   */
  watchOutput?(): void;
  /**
   * Resolves once stdout can take more (its buffer is under its high-water mark), or the command
   * is aborted. Modes that print without end await it, so a slow reader bounds their memory.
   */
  writable?(): Promise<void>;
}

/** A command's usage and what it does; its name and summary are listed in commands/index.ts. */
export interface CliCommand {
  readonly name: string;
  readonly usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** The brand of a usage error, registered process-wide: each command's bundle has its own copy of this module. */
const USAGE_ERROR = Symbol.for('modelmon.UsageError');

/**
 * Thrown for unusable arguments; the dispatcher prints its message and the usage, and exits 2.
 * `instanceof` looks for the brand, not the class: a command's bundle throws its own copy of this
 * class (scripts/cli-bundles.mjs), which cli-main.js's copy must still recognise.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly [USAGE_ERROR] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [USAGE_ERROR]?: unknown })[USAGE_ERROR] === true;
  }
}

/** Runs fn (argument parsing, parameter checks) and turns what it throws into a usage error. */
export function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(((error as Error).message.split('\n')[0] ?? 'bad arguments').split('. To specify')[0]!);
  }
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_NO_GPU = 3;

/** The abort reason when stdout lost its reader: the command ends quietly, with status 0. */
export const OUTPUT_CLOSED = 'output-closed';
