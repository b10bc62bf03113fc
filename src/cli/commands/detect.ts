import { constants as bufferConstants } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createDetector,
  DETECTOR_NAMES,
  detectorParams,
  isBinaryDetector,
  isDetectorName,
  parseDetectorParam,
  type DriftDetector,
  type ParamValue,
} from '../../core/drift';
import { parseNumberLines } from '../../core/stats';
import { asUsage, UsageError, type CliCommand, type CliIO } from '../io';

const USAGE = `usage: modelmon detect <${DETECTOR_NAMES.join('|')}> [--param name=value ...] [--input FILE]

Runs a streaming drift detector (river 0.26 semantics) over one number per line read from FILE
or stdin (blank lines skipped). Binary detectors (ddm, eddm, hddm-a, hddm-w, fhddm) read an
error stream: 1 = error, 0 = correct (fhddm alarms when the share of 1s drops).
Parameters use river's names, e.g. --param delta=0.01 --param mode=up.

Prints one JSON line: {"detector", "params" (all effective), "drift": [0-based indices after
whose update a drift was signalled], "warning": [same for warnings]}; "warning" appears for the
binary detectors only.`;

/** The longest text one string can hold: the input is read whole. */
const MAX_INPUT_BYTES = bufferConstants.MAX_STRING_LENGTH;

function tooLarge(source: string): UsageError {
  return new UsageError(`${source} is over ${Math.floor(MAX_INPUT_BYTES / 2 ** 20)} MiB, more than one read can hold; pass a sample or split it`);
}

/** Reads FILE (relative to the working directory) or all of stdin as text. */
export async function readInput(io: CliIO, file: string | undefined): Promise<{ text: string; source: string }> {
  if (file !== undefined) {
    try {
      const path = resolve(io.cwd, file);
      // Opening a FIFO waits for a writer, perhaps forever; only regular files are read by name.
      const info = await stat(path);
      if (info.isDirectory()) throw new UsageError(`cannot read ${file}: it is a folder`);
      if (!info.isFile()) throw new UsageError(`cannot read ${file}: not a regular file (a FIFO, socket or device); pipe it to stdin instead`);
      if (info.size > MAX_INPUT_BYTES) throw tooLarge(file);
      return { text: await readFile(path, 'utf8'), source: file };
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read ${file}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
    }
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    size += chunks[chunks.length - 1]!.length;
    if (size > MAX_INPUT_BYTES) throw tooLarge('stdin');
  }
  return { text: Buffer.concat(chunks).toString('utf8'), source: 'stdin' };
}

/** Numbers of a text, with a bad line reported as a usage error. */
export function numbersOf(text: string, source: string): Float64Array {
  return asUsage(() => parseNumberLines(text, source));
}

export const detectCommand: CliCommand = {
  name: 'detect',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        options: {
          param: { type: 'string', short: 'p', multiple: true },
          input: { type: 'string', short: 'i' },
        },
        allowPositionals: true,
        strict: true,
      }),
    );
    const [name, ...extra] = positionals;
    if (name === undefined) throw new UsageError('which detector? one of ' + DETECTOR_NAMES.join(', '));
    if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
    if (!isDetectorName(name)) throw new UsageError(`unknown detector '${name}' (known: ${DETECTOR_NAMES.join(', ')})`);

    const detector = asUsage(() => {
      const params: Record<string, ParamValue> = {};
      for (const p of values.param ?? []) {
        const eq = p.indexOf('=');
        if (eq <= 0) throw new UsageError(`--param '${p}' must look like name=value`);
        const key = p.slice(0, eq).trim();
        params[key] = parseDetectorParam(name, key, p.slice(eq + 1).trim());
      }
      return createDetector(name, params);
    });

    const { text, source } = await readInput(io, values.input);
    const xs = numbersOf(text, source);
    const binary = isBinaryDetector(name);
    const warner = detector as DriftDetector & { warningDetected?: boolean };
    const drift: number[] = [];
    const warning: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      detector.update(xs[i]!);
      if (detector.driftDetected) drift.push(i);
      if (binary && warner.warningDetected) warning.push(i);
    }
    const result: Record<string, unknown> = { detector: name, params: detectorParams(detector), drift };
    if (binary) result.warning = warning;
    io.out(JSON.stringify(result) + '\n');
    return 0;
  },
};
