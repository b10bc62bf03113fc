import * as os from 'node:os';
import { EXIT_OK, EXIT_USAGE, OUTPUT_CLOSED, UsageError, type CliCommand, type CliIO } from './io';
import { commands } from './commands';
import { onLiveChildrenChange } from '../io/liveChildren';
import { InterruptPolicy } from './interrupts';
import { OutputWatch } from './outputWatch';
import { VERSION } from './version';

/** How long a follow mode may clean up after SIGINT/SIGTERM or a closed stdout before the process leaves anyway. */
const SHUTDOWN_GRACE_MS = 3000;

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'modelmon: training-run, drift, integrity and GPU checks for ML models',
    '',
    'usage: modelmon <command> [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'modelmon <command> --help' for a command's options.",
  ].join('\n');
}

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    // Asked for, help is output; without a command it is a usage error, and goes to stderr.
    if (name) io.out(help() + '\n');
    else io.err(help() + '\n');
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version') {
    io.out(VERSION + '\n');
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.err(`modelmon: unknown command '${name}'\n\n${help()}\n`);
    return EXIT_USAGE;
  }
  let command: CliCommand;
  try {
    command = await entry.load();
  } catch (error) {
    // Its bundle missing or unreadable (a damaged install): say so, with no stack trace.
    io.err(`modelmon ${name}: cannot load the command (${error instanceof Error ? error.message.split('\n')[0] : String(error)})\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // Nobody reads the output any more (`| head -1`): ending is what the user asked for.
    if (io.signal.aborted && io.signal.reason === OUTPUT_CLOSED) return EXIT_OK;
    // Work cut short by Ctrl-C or SIGTERM is not a usage error; exit as a shell reports a signal.
    if (io.signal.aborted) {
      io.err(`modelmon ${name}: interrupted\n`);
      return signalExitCode(io.signal.reason);
    }
    if (error instanceof UsageError) {
      io.err(`modelmon ${name}: ${error.message}\n${command.usage}\n`);
      return EXIT_USAGE;
    }
    // A user never sees a stack trace; MODELMON_DEBUG=1 shows it for bug reports.
    const message = error instanceof Error ? error.message : String(error);
    io.err(`modelmon ${name}: ${message}\n`);
    if (io.env.MODELMON_DEBUG) io.err(String((error as Error)?.stack) + '\n');
    return EXIT_USAGE;
  }
}

/** 128 + the signal's number, as shells report a process a signal ended (130 for SIGINT). */
function signalExitCode(signal: unknown): number {
  const signals: Record<string, number | undefined> = os.constants.signals;
  return 128 + ((typeof signal === 'string' ? signals[signal] : undefined) ?? os.constants.signals.SIGINT);
}

/** Resolves when `stream` may be written again without growing its buffer, or it closes, or `signal` aborts. */
function stdoutWritable(stream: NodeJS.WriteStream, signal: AbortSignal): Promise<void> {
  if (!stream.writableNeedDrain || stream.destroyed || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done).off('close', done).off('error', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    stream.once('drain', done).once('close', done).once('error', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

if (require.main === module) {
  const controller = new AbortController();
  let signalled = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signalled++;
    const code = signalExitCode(sig);
    if (signalled > 1) process.exit(code);
    controller.abort(sig);
    // A read blocked in the kernel (a FIFO nobody writes) cannot see the abort; do not outlive it.
    setTimeout(() => process.exit(code), SHUTDOWN_GRACE_MS).unref();
  };
  const interrupts = new InterruptPolicy(onSignal);
  // Children live in process groups of their own, out of the terminal's reach: while any lives,
  // a signal must reach us so that we can kill them.
  let childHold: (() => void) | undefined;
  onLiveChildrenChange((count) => {
    if (count > 0) childHold ??= interrupts.hold();
    else {
      childHold?.();
      childHold = undefined;
    }
  });
  let followHold: (() => void) | undefined;
  // A reader that leaves early (modelmon ... | head -1) is a normal end, not a failure: the
  // command stops, its children with it, and the process exits quietly with status 0.
  let outputClosed = false;
  const output = new OutputWatch(process.stdout, () => {
    outputClosed = true;
    controller.abort(OUTPUT_CLOSED);
    setTimeout(() => process.exit(EXIT_OK), SHUTDOWN_GRACE_MS).unref();
  });
  process.on('exit', () => output.dispose());
  const io: CliIO = {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    // Created on first use: constructing the stdin stream costs 5 ms, and few commands read it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    watchOutput: () => {
      output.watch();
      followHold ??= interrupts.hold();
    },
    writable: () => stdoutWritable(process.stdout, controller.signal),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      const status = outputClosed ? EXIT_OK : code;
      process.exitCode = status;
      // Let stdout drain, then leave even if a handle lingers.
      process.stdout.write('', () => process.exit(status));
    },
    () => process.exit(EXIT_USAGE),
  );
}
