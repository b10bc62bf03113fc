// Runs CLI commands in-process: one recording CliIO for every area's CLI tests.
import { Readable } from 'node:stream';
import type { CliIO } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';

export interface CapturedIO extends CliIO {
  /** Everything the command wrote to stdout so far. */
  readonly stdout: () => string;
  /** Everything the command wrote to stderr so far. */
  readonly stderr: () => string;
}

export interface CaptureOptions {
  readonly cwd?: string;
  /** What the command reads from stdin; empty by default. */
  readonly stdin?: string;
  readonly signal?: AbortSignal;
}

/** A CliIO that records the command's output, with an empty environment. */
export function captureIO(options: CaptureOptions = {}): CapturedIO {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: Readable.from([Buffer.from(options.stdin ?? '')]),
    env: {},
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
    stdout: () => out,
    stderr: () => err,
  };
}

/** Runs `modelmon <argv>` through the dispatcher; returns exit code, stdout and stderr. */
export async function runCli(argv: string[], stdin = '', cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({ stdin, cwd });
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}
