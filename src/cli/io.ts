/** What a CLI command may touch: its streams, environment and working directory. Tests pass their own. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborted on SIGINT/SIGTERM; long-running commands (`--follow`, `gpu`) stop their children and return. */
  readonly signal: AbortSignal;
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** Thrown for unusable arguments; the dispatcher prints its message and the usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
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
