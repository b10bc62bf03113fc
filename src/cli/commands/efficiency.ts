import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunEfficiency } from '../../core/efficiency/types';
import { parseLabelMatchers, type LabelMatcher } from '../../core/gpu/dcgmLabels';
import { printable, terminalJson } from '../../core/terminalText';
import { GpuLogFileError } from '../../io/efficiency/gpuLogFile';
import { measureLogdirEfficiency, type LogdirEfficiencyOptions } from '../../io/efficiency/logdirEfficiency';
import { parsePrometheusUrl } from '../../io/gpu/prometheus';
import { LogdirError } from '../../io/tfevents/logdir';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliCommand, type CliIO } from '../io';

const USAGE = `usage: modelmon efficiency <logdir> [--gpu-log FILE]... [--price-per-kwh X] [--json]
                  [--prometheus URL [--match M]] [--gpus ID,...] [--batch-size N] [--utc-offset MIN] [--no-processes]

Joins each TensorBoard run under <logdir> with the GPU samples of its time: steps per second,
active time, GPU utilisation (mean, median, share under 50%), peak memory, energy and cost, and
the findings input-bound, stalled, memory nearly full or mostly unused, GPUs allocated but idle.
  --gpu-log FILE     GPU samples: an nvidia-smi --query-gpu=timestamp,index,uuid,utilization.gpu,
                     memory.used,memory.total,power.draw --format=csv -lms 250 log, modelmon gpu
                     --json lines, or a modelmon gpu --record file (may be repeated)
  --price-per-kwh X  price of one kWh, for the costs
  --prometheus URL   read the runs' GPUs from dcgm-exporter's series in Prometheus; --match picks them
  --gpus ID,...      the GPUs of the runs (UUIDs or #INDEX) where no live process ties them
  --batch-size N     samples per step, where the hparams do not say
  --utc-offset MIN   the zone nvidia-smi's timestamps were written in, minutes east of UTC
                     (default this machine's zone)
  --no-processes     do not ask nvidia-smi which live processes hold which GPUs
  --json             {"runs":[{run,start,end,steps,stepsPerSecond,gpu:{...},findings:[...]}],"sources":[...]}
Exit status: 0 when the runs were measured (findings are listed, not fatal: a training monitor's
"efficiency" in modelmon.json makes them part of modelmon check); 2 for unusable
arguments, an unreadable log directory, or a GPU log with a line that is not a sample (its
file and line are named).`;

interface Parsed {
  root: string;
  json: boolean;
  options: LogdirEfficiencyOptions;
}

function parse(args: string[], io: CliIO): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        'gpu-log': { type: 'string', multiple: true },
        'price-per-kwh': { type: 'string' },
        prometheus: { type: 'string' },
        match: { type: 'string' },
        gpus: { type: 'string' },
        'batch-size': { type: 'string' },
        'utc-offset': { type: 'string' },
        'no-processes': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(positionals.length ? 'expected exactly one <logdir>' : 'missing <logdir>');
  const number = (flag: string, text: string | undefined, check: (n: number) => boolean, want: string): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${flag} must be ${want}, got '${text}'`);
    return n;
  };
  const price = number('price-per-kwh', values['price-per-kwh'], (n) => n >= 0, 'a number >= 0');
  const batchSize = number('batch-size', values['batch-size'], (n) => Number.isInteger(n) && n > 0, 'an integer > 0');
  const offset = number('utc-offset', values['utc-offset'], (n) => Number.isInteger(n) && Math.abs(n) <= 18 * 60, 'whole minutes between -1080 and 1080');
  let prometheus: LogdirEfficiencyOptions['prometheus'];
  if (values.prometheus !== undefined) {
    const url = parsePrometheusUrl(values.prometheus);
    if ('error' in url) throw new UsageError(`--prometheus: ${url.error}`);
    let matchers: LabelMatcher[] = [];
    if (values.match !== undefined) {
      try {
        matchers = parseLabelMatchers(values.match);
      } catch (error) {
        throw new UsageError(`--match: ${(error as Error).message}`);
      }
    }
    prometheus = { url: url.url, matchers };
  } else if (values.match !== undefined) throw new UsageError('--match needs --prometheus');
  const gpus = values.gpus?.split(',').map((g) => g.trim()).filter((g) => g !== '');
  if (values.gpus !== undefined && !gpus?.length) throw new UsageError('--gpus needs at least one GPU UUID or #INDEX');
  const options: LogdirEfficiencyOptions = {
    gpuLogs: (values['gpu-log'] ?? []).map((p) => resolve(io.cwd, p)),
    ...(price !== undefined ? { pricePerKWh: price } : {}),
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(offset !== undefined ? { gpuLogUtcOffsetMinutes: offset } : {}),
    ...(prometheus ? { prometheus } : {}),
    ...(gpus?.length ? { gpus } : {}),
    computeApps: values['no-processes'] ? [] : 'query',
    env: io.env,
    signal: io.signal,
    nowMs: Date.now(),
  };
  return { root: positionals[0]!, json: values.json!, options };
}

/** A run as `--json` prints it: every figure but the chart series. */
export function efficiencyJson(e: RunEfficiency) {
  const { utilization: _chart, ...gpu } = e.gpu;
  return {
    run: e.run,
    start: e.start,
    end: e.end,
    steps: e.steps,
    stepsPerSecond: e.stepsPerSecond,
    samplesPerSecond: e.samplesPerSecond,
    batchSize: e.batchSize,
    wallSeconds: e.wallSeconds,
    activeSeconds: e.activeSeconds,
    secondsPerStep: e.secondsPerStep,
    gpu,
    findings: e.findings.map((f) => ({ kind: f.kind, severity: f.severity, message: f.message, ...(f.gpu ? { gpu: f.gpu } : {}) })),
  };
}

const fixed = (v: number | null, digits: number, unit = '') => (v === null ? '-' : `${v.toFixed(digits)}${unit}`);

function renderText(runs: readonly RunEfficiency[], sources: readonly string[], price: number | undefined): string {
  let text = sources.length ? sources.map((s) => `GPU samples: ${s}\n`).join('') : 'GPU samples: none (give --gpu-log FILE or --prometheus URL)\n';
  if (!runs.length) return text + 'no runs with logged steps\n';
  const rows = [['run', 'steps', 'steps/s', 'active', 'util mean', 'median', '<50%', 'peak mem', 'energy', price === undefined ? 'cost' : `cost @${price}/kWh`, 'per 1k steps']];
  for (const e of runs) {
    const g = e.gpu;
    rows.push([
      e.run,
      String(e.steps),
      fixed(e.stepsPerSecond, 2),
      `${e.activeSeconds.toFixed(1)} s`,
      fixed(g.utilizationMean, 1, '%'),
      fixed(g.utilizationMedian, 0, '%'),
      g.shareUnder50 === null ? '-' : `${Math.round(g.shareUnder50 * 100)}%`,
      g.memoryPeakMiB === null ? '-' : `${g.memoryPeakMiB}/${g.memoryTotalMiB ?? '-'} MiB`,
      fixed(g.energyWh, 3, ' Wh'),
      fixed(g.cost, 4),
      fixed(g.costPer1000Steps, 4),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  text += rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n') + '\n';
  const findings = runs.flatMap((e) => e.findings.map((f) => ({ run: e.run, f })));
  text += findings.length ? `\nfindings (${findings.length}):\n` : '\nfindings: none\n';
  for (const { run, f } of findings) text += `  ${f.severity.padEnd(7)} ${run} ${f.kind}: ${f.message}\n`;
  return text;
}

export const efficiencyCommand: CliCommand = {
  name: 'efficiency',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { root: given, json, options } = parse(args, io);
    try {
      const result = await measureLogdirEfficiency(resolve(io.cwd, given), options);
      if (json) io.out(terminalJson(JSON.stringify({ runs: result.runs.map(efficiencyJson), sources: result.sources }, null, 2)) + '\n');
      else io.out(printable(renderText(result.runs, result.sources, options.pricePerKWh)));
      return EXIT_OK;
    } catch (error) {
      // A log that cannot be used is the input's fault, not the arguments': its file and line, no usage text.
      if (error instanceof GpuLogFileError) {
        io.err(`modelmon efficiency: ${error.message}\n`);
        return EXIT_USAGE;
      }
      if (error instanceof LogdirError) throw new UsageError(error.message);
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
  },
};
