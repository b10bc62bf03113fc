import { Readable } from 'node:stream';
import { main } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';

/** Runs the CLI in-process with the given stdin; returns exit code, stdout and stderr. */
export async function runCli(argv: string[], stdin = '', cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: Readable.from([Buffer.from(stdin)]),
    env: {},
    cwd,
    signal: new AbortController().signal,
  };
  const code = await main(argv, io);
  return { code, out, err };
}
