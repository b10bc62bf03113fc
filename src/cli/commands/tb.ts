import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { HealthMonitor, type TrainingFinding } from '../../core/tfevents/health';
import type { RunStore } from '../../core/tfevents/run-store';
import { summarizeRun } from '../../core/tfevents/summary';
import type { TagSeries } from '../../core/tfevents/tag-series';
import { LogdirError, LogdirWatcher, readLogdir, type FileCorruption, type LogdirOptions } from '../../io/tfevents/logdir';
import { EXIT_OK, UsageError, type CliCommand, type CliIO } from '../io';
// Run and tag names come from the event files: their control characters must not reach the terminal.
import { printable, terminalJson } from '../../core/terminalText';

const USAGE = `usage: modelmon tb <logdir> [--json] [--follow] [--no-data-crc] [--max-points N] [--threads N]

Reads TensorBoard event files under <logdir> (or one event file) and prints each run's tags
(kind, points, first and last step, last value), training-health findings and any corruption.
  --json          one JSON document: {runs, findings, corruptions}
  --follow        keep tailing; print new findings and corruptions as they appear (Ctrl-C ends)
  --no-data-crc   skip payload checksums (length checksums are always verified)
  --max-points N  scalar points kept per tag before downsampling (default 10000)
  --threads N     worker threads for a first read of 64 runs or more (default: one a core, up
                  to 4; 0 reads on the main thread only)
Exit status: 0 when the logs were read (damage is listed, not fatal), also when --follow ends
because the reader of the output left ('| head -1'); 2 for unusable arguments.`;

function findingJson(f: TrainingFinding) {
  return { run: f.run, tag: f.tag, step: f.step, kind: f.kind, severity: f.severity, message: f.message };
}

function describeLast(s: TagSeries): string {
  const d = s.lastData;
  if (s.kind === 'scalar') return formatValue(s.lastValue);
  if (!d) return '';
  switch (d.kind) {
    case 'histogram':
      return `${d.histogram.bucketCounts.length} buckets, n=${d.histogram.count}, [${formatValue(d.histogram.min)}, ${formatValue(d.histogram.max)}]`;
    case 'text': {
      const line = d.text.split('\n')[0] ?? '';
      return JSON.stringify(line.length > 40 ? line.slice(0, 40) + '…' : line);
    }
    case 'image':
      return `${d.image.width}x${d.image.height}, ${d.image.encodedBytes} bytes`;
    case 'audio':
      return `${d.audio.frames} frames @ ${d.audio.sampleRate} Hz`;
    case 'tensor':
      return `dtype ${d.tensor.dtype} [${d.tensor.shape.join(',')}]`;
    default:
      return '';
  }
}

function formatValue(x: number | undefined): string {
  if (x === undefined) return '';
  if (!Number.isFinite(x) || x === 0) return String(x);
  const a = Math.abs(x);
  return a >= 1e6 || a < 1e-4 ? x.toExponential(4) : String(Number(x.toPrecision(6)));
}

function table(rows: string[][], indent: string): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n') + '\n';
}

function renderText(store: RunStore, findings: TrainingFinding[], corruptions: FileCorruption[], root: string): string {
  let text = '';
  const runs = store.runs;
  if (runs.length === 0) text += `no TensorBoard event files (names containing 'tfevents') under ${root}\n`;
  for (const run of runs) {
    const relation = run.relation;
    const note = relation ? `  [${relation.relation} ${relation.key} of ${relation.parent}]` : '';
    text += `${run.name}  (${run.files.length} file${run.files.length === 1 ? '' : 's'})${note}\n`;
    for (const r of run.restarts) text += `  restart at step ${r.step} (${r.cause}): ${r.droppedPoints} earlier points dropped\n`;
    const tags = run.tagList();
    if (tags.length === 0) {
      text += '  (no events yet)\n';
      continue;
    }
    const rows = [['tag', 'kind', 'points', 'steps', 'last']];
    for (const s of tags) rows.push([s.tag, s.kind, String(s.totalPoints), `${s.firstStep}..${s.lastStep}`, describeLast(s)]);
    text += table(rows, '  ');
  }
  text += findings.length ? `\nfindings (${findings.length}):\n` : '\nfindings: none\n';
  for (const f of findings) text += `  ${findingLine(f)}\n`;
  if (corruptions.length) {
    text += `\ncorruptions (${corruptions.length}):\n`;
    for (const c of corruptions) text += `  ${corruptionLine(c)}\n`;
  }
  return text;
}

function findingLine(f: TrainingFinding): string {
  return `${f.severity === 'error' ? 'error' : 'warn '} ${f.run} ${f.tag} step ${f.step} ${f.kind}: ${f.message}`;
}

function corruptionLine(c: FileCorruption): string {
  return `${c.file} @ byte ${c.offset}: ${c.message}`;
}

function parse(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        follow: { type: 'boolean', default: false },
        'no-data-crc': { type: 'boolean', default: false },
        'max-points': { type: 'string' },
        threads: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(positionals.length ? 'expected exactly one <logdir>' : 'missing <logdir>');
  const options: LogdirOptions = { verifyDataCrc: !values['no-data-crc'] };
  if (values['max-points'] !== undefined) {
    const n = Number(values['max-points']);
    if (!Number.isInteger(n) || n < 16) throw new UsageError(`--max-points must be an integer >= 16, got '${values['max-points']}'`);
    options.maxScalarPoints = n;
  }
  if (values.threads !== undefined) {
    const n = Number(values.threads);
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new UsageError(`--threads must be an integer from 0 to 64, got '${values.threads}'`);
    options.threads = n;
  }
  return { root: positionals[0]!, json: values.json!, follow: values.follow!, options };
}

export const tbCommand: CliCommand = {
  name: 'tb',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { root: given, json, follow, options } = parse(args);
    const root = resolve(io.cwd, given);
    try {
      if (follow) return await runFollow(root, given, json, options, io);
      // One read to the end and nothing else to serve meanwhile: blocking file calls, as the read
      // workers use, leave no idle round trips through libuv's pool (a sixth of the 27 MB read).
      // Ctrl-C still ends the process at once: no handler is installed outside follow mode.
      const { store, corruptions } = await readLogdir(root, { ...options, signal: io.signal, blockingReads: true });
      const findings = new HealthMonitor().update(store).findings;
      if (json) {
        io.out(terminalJson(JSON.stringify({ runs: store.runs.map(summarizeRun), findings: findings.map(findingJson), corruptions }, null, 2)) + '\n');
      } else {
        io.out(printable(renderText(store, findings, corruptions, given)));
      }
      return EXIT_OK;
    } catch (error) {
      if (error instanceof LogdirError) throw new UsageError(error.message);
      throw error;
    }
  },
};

async function runFollow(root: string, given: string, json: boolean, options: LogdirOptions, io: CliIO): Promise<number> {
  const monitor = new HealthMonitor();
  const watcher = new LogdirWatcher(root, { ...options, pollIntervalMs: 500, signal: io.signal });
  const done = new Promise<void>((resolveDone) => {
    if (io.signal.aborted) resolveDone();
    io.signal.addEventListener('abort', () => resolveDone(), { once: true });
  });
  io.watchOutput?.();
  try {
    // The first pass prints the full picture; afterwards only what is new.
    try {
      await watcher.start();
    } catch (error) {
      // Ctrl-C during the first read ends the follow as it would later: quietly, status 0.
      if (io.signal.aborted) return EXIT_OK;
      throw error;
    }
    const { findings } = monitor.update(watcher.store);
    if (json) {
      io.out(terminalJson(JSON.stringify({ runs: watcher.store.runs.map(summarizeRun), findings: findings.map(findingJson), corruptions: watcher.corruptions })) + '\n');
    } else {
      io.out(printable(renderText(watcher.store, findings, watcher.corruptions, given)));
      io.out(`\nfollowing ${given} (Ctrl-C to stop)\n`);
    }
    watcher.onChange = (change) => {
      const { added } = monitor.update(watcher.store);
      for (const name of change.runsAdded) if (!json) io.out(`+ run ${printable(name)}\n`);
      for (const name of change.runsRemoved) if (!json) io.out(`- run ${printable(name)}\n`);
      for (const f of added) io.out(json ? terminalJson(JSON.stringify({ finding: findingJson(f) })) + '\n' : `${printable(findingLine(f))}\n`);
      for (const c of change.corruptions) io.out(json ? terminalJson(JSON.stringify({ corruption: c })) + '\n' : `corrupt ${printable(corruptionLine(c))}\n`);
    };
    await done;
  } finally {
    watcher.dispose();
  }
  return EXIT_OK;
}
