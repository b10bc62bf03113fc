import { resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { snapshotSamples } from '../../core/efficiency/history';
import { GpuRecordFile } from '../../io/efficiency/recordFile';
import { formatSampleLines, toSampleRecord } from '../../core/gpu/sampleRecord';
import type { GpuSnapshot } from '../../core/gpu/types';
import { HostMetricsSampler } from '../../io/hostMetrics';
import { parseGpuBackend, type GpuBackend } from '../../core/gpu/backend';
import { createGpuSource, resolveGpuTool, sampleOnce, type ResolvedGpuTool } from '../../io/gpu/gpuSource';
import { noGpuMessage, noToolMessage, smiPaths } from './gpuTools';
import { LatestSamplePrinter } from '../latestSample';
import { parseLabelMatchers, type LabelMatcher } from '../../core/gpu/dcgmLabels';
import { parsePrometheusUrl, queryClusterGpus } from '../../io/gpu/prometheus';
import { PrometheusGpuSource } from '../../io/gpu/prometheusSource';
import { EXIT_NO_GPU, EXIT_OK, EXIT_USAGE, UsageError, type CliCommand, type CliIO } from '../io';

const USAGE = `usage: modelmon gpu [--once] [--interval MS] [--json] [--record FILE] [--backend TOOL] [--smi PATH] [--gpu INDEX]
       modelmon gpu --prometheus URL [--match '{LABEL="VALUE",...}'] [--once] [--interval MS] [--json] [--record FILE] [--gpu INDEX]

Samples every GPU through one long-running nvidia-smi (NVIDIA) or amd-smi (AMD; rocm-smi is
polled), with host CPU, memory, disk and network figures, until interrupted or until the reader
of the output leaves ('| head -1').

  --once           print one sample and exit (nvidia-smi gets 5 s to answer)
  --interval MS    sampling interval in milliseconds (default 1000, at least 100)
  --json           one JSON object per sample: {"ts","gpus":[...],"host":{...}}, null for absent values
  --record FILE    also append every sample to FILE, a compact GPU history bounded at 64 MiB (its
                   older half dropped when full) that modelmon efficiency --gpu-log FILE reads
  --backend TOOL   auto (default: the first of nvidia-smi, amd-smi, rocm-smi found), nvidia-smi, amd-smi or rocm-smi
  --smi PATH       the tool to run (default: the one on PATH; with auto, the file name says which tool it is)
  --gpu INDEX      only this GPU (default: all)
  --prometheus URL read the cluster's GPUs from Prometheus (NVIDIA dcgm-exporter's DCGM_FI_* series)
                   instead of this machine's tool; each GPU gains "host", "source": "dcgm" and "job"
  --match M        a Prometheus label matcher that picks the GPUs, e.g. '{Hostname="node-a"}' or
                   '{namespace="ml-team",pod=~"train-.*"}' (default: every GPU)

exit codes: 0 ok (also when the reader of the output left), 2 bad arguments or tool failure, 3 no GPU (no tool, driver, device or permission)`;

interface GpuArgs {
  once: boolean;
  json: boolean;
  intervalMs: number;
  smi: string | null;
  gpuIndex: number | 'all';
  backend: GpuBackend;
  prometheus: URL | null;
  matchers: LabelMatcher[];
  record: string | null;
}

function parseGpuArgs(args: string[]): GpuArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        once: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        interval: { type: 'string' },
        smi: { type: 'string' },
        gpu: { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        prometheus: { type: 'string' },
        match: { type: 'string' },
        record: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  // Prometheus holds what exporters scraped every 15-30 s: polling it every second would only repeat values.
  const intervalMs = values.interval === undefined ? (values.prometheus !== undefined ? 5000 : 1000) : Number(values.interval);
  if (!Number.isInteger(intervalMs) || intervalMs < 100 || intervalMs > 3_600_000) {
    throw new UsageError(`--interval must be a whole number of milliseconds from 100 to 3600000, got '${values.interval}'`);
  }
  let gpuIndex: number | 'all' = 'all';
  if (values.gpu !== undefined && values.gpu !== 'all') {
    if (!/^\d{1,3}$/.test(values.gpu)) throw new UsageError(`--gpu must be a GPU index or 'all', got '${values.gpu}'`);
    gpuIndex = Number(values.gpu);
  }
  if (values.smi === '') throw new UsageError('--smi needs a path');
  if (values.record === '') throw new UsageError('--record needs a file');
  const backend = parseGpuBackend(values.backend ?? 'auto');
  if (!backend) throw new UsageError(`--backend must be auto, nvidia-smi, amd-smi or rocm-smi, got '${values.backend}'`);
  let prometheus: URL | null = null;
  let matchers: LabelMatcher[] = [];
  if (values.prometheus !== undefined) {
    const parsed = parsePrometheusUrl(values.prometheus);
    if ('error' in parsed) throw new UsageError(`--prometheus: ${parsed.error}`);
    prometheus = parsed.url;
    if (values.smi !== undefined || values.backend !== 'auto') throw new UsageError('--prometheus reads the GPUs from Prometheus; --smi and --backend choose a local tool and cannot go with it');
  }
  if (values.match !== undefined) {
    if (!prometheus) throw new UsageError('--match needs --prometheus');
    try {
      matchers = parseLabelMatchers(values.match);
    } catch (e) {
      throw new UsageError(`--match: ${(e as Error).message}`);
    }
  }
  return { once: values.once === true, json: values.json === true, intervalMs, smi: values.smi ?? null, gpuIndex, backend, prometheus, matchers, record: values.record ?? null };
}

/** `modelmon gpu`: GPU and host samples, once or until SIGINT/SIGTERM. */
export const gpuCommand: CliCommand = {
  name: 'gpu',
  usage: USAGE,
  async run(args, io) {
    const opts = parseGpuArgs(args);
    let file: GpuRecordFile | null = null;
    if (opts.record !== null) {
      try {
        file = await GpuRecordFile.open(resolvePath(io.cwd, opts.record));
      } catch (error) {
        io.err(`modelmon gpu: cannot open the GPU record ${opts.record}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
        return EXIT_USAGE;
      }
    }
    const record = recorder(file, io);
    const code = await sample(opts, io, record);
    // Every queued write lands before the command ends; a failed one turns the exit status.
    try {
      await file?.close();
    } catch (error) {
      if (code === EXIT_OK) {
        io.err(`modelmon gpu: ${(error as Error).message}\n`);
        return EXIT_USAGE;
      }
    }
    return code;
  },
};

/** Appends a snapshot to the record file; false (after saying why, once) when the file cannot be written. */
type Recorder = (snapshot: GpuSnapshot) => boolean;

function recorder(file: GpuRecordFile | null, io: CliIO): Recorder {
  let failed = false;
  return (snapshot) => {
    if (!file) return true;
    if (failed) return false;
    try {
      file.append(snapshotSamples(snapshot));
      return true;
    } catch (error) {
      failed = true;
      io.err(`modelmon gpu: ${(error as Error).message}\n`);
      return false;
    }
  };
}

/** Samples this machine's GPUs or the cluster's, once or until interrupted. */
async function sample(opts: GpuArgs, io: CliIO, record: Recorder): Promise<number> {
  if (opts.prometheus) return clusterGpus(opts.prometheus, opts, io, record);
  const paths = smiPaths(opts.backend, opts.smi);
  const { resolved } = resolveGpuTool(opts.backend, paths, io.env, io.cwd);
  if (!resolved) {
    io.err(`modelmon gpu: ${noToolMessage(opts.backend, paths)}\n`);
    return EXIT_NO_GPU;
  }
  const host = new HostMetricsSampler();
  const print = async (snapshot: GpuSnapshot) => {
    const metrics = await host.sample();
    if (opts.json) io.out(JSON.stringify(toSampleRecord(snapshot, metrics)) + '\n');
    else io.out(formatSampleLines(snapshot, metrics).join('\n') + '\n');
    // A reader slower than the samples holds the next print back instead of our memory growing.
    await io.writable?.();
  };
  return opts.once ? runOnce(resolved, opts, io, host, print, record) : follow(resolved, opts, io, print, record);
}

async function runOnce(resolved: ResolvedGpuTool, opts: GpuArgs, io: CliIO, host: HostMetricsSampler, print: (s: GpuSnapshot) => Promise<void>, record: Recorder): Promise<number> {
  await host.sample(); // a baseline, so the printed sample has CPU and throughput rates
  // amd-smi starts a Python interpreter, so the AMD tools get longer to answer.
  const timeoutMs = resolved.tool === 'nvidia-smi' ? 5000 : 10_000;
  const r = await sampleOnce(resolved, { gpuIndex: opts.gpuIndex, env: io.env, timeoutMs, signal: io.signal });
  // Ctrl-C during the probe: the dispatcher reports the interruption, not a failed tool.
  io.signal.throwIfAborted();
  if (r.kind === 'no-gpu') {
    io.err(`modelmon gpu: ${noGpuMessage(resolved.tool, r.message)}\n`);
    return EXIT_NO_GPU;
  }
  if (r.kind === 'error') {
    io.err(`modelmon gpu: ${r.message}\n`);
    return EXIT_USAGE;
  }
  for (const notice of r.notices) io.err(`modelmon gpu: ${notice}\n`);
  if (!record(r.snapshot)) return EXIT_USAGE;
  await print(r.snapshot);
  return EXIT_OK;
}

/** Samples until interrupted, printed one at a time with only the newest kept while one prints. */
function follow(resolved: ResolvedGpuTool, opts: GpuArgs, io: CliIO, print: (s: GpuSnapshot) => Promise<void>, record: Recorder): Promise<number> {
  const source = createGpuSource(resolved, { intervalMs: opts.intervalMs, gpuIndex: opts.gpuIndex, env: io.env, computeAppsIntervalMs: 0 });
  return new Promise<number>((resolve) => {
    let exitCode = EXIT_OK;
    const printer = new LatestSamplePrinter(print);
    const finish = () => {
      io.signal.removeEventListener('abort', finish);
      void source.dispose().then(() => printer.idle()).then(() => resolve(exitCode));
    };
    source.on((event) => {
      if (event.type === 'snapshot') {
        // Every sample is recorded, even those a slow reader of the output never sees printed.
        if (!record(event.snapshot)) {
          exitCode = EXIT_USAGE;
          return finish();
        }
        printer.offer(event.snapshot);
      }
      else if (event.type === 'notice') io.err(`modelmon gpu: ${event.message}\n`);
      else if (event.type === 'status') {
        const s = event.status;
        if (s.state === 'retrying') io.err(`modelmon gpu: ${s.reason}; retrying in ${(s.delayMs / 1000).toFixed(1)} s (attempt ${s.attempt})\n`);
        else if (s.state === 'no-gpu') {
          io.err(`modelmon gpu: ${noGpuMessage(resolved.tool, s.message)}\n`);
          exitCode = EXIT_NO_GPU;
          finish();
        }
      }
    });
    if (io.signal.aborted) return finish();
    io.signal.addEventListener('abort', finish);
    io.watchOutput?.();
    source.start();
  });
}

/** Only the GPU `--gpu` names (on every host), or all of them. */
function selectGpus(snapshot: GpuSnapshot, index: number | 'all'): GpuSnapshot {
  return index === 'all' ? snapshot : { ...snapshot, gpus: snapshot.gpus.filter((g) => g.index === index) };
}

/** `modelmon gpu --prometheus URL`: the cluster's GPUs from dcgm-exporter's series, once or polled. */
async function clusterGpus(url: URL, opts: GpuArgs, io: CliIO, record: Recorder): Promise<number> {
  // This machine's load says nothing about the cluster's GPUs: no host figures here.
  const print = async (snapshot: GpuSnapshot) => {
    const shown = selectGpus(snapshot, opts.gpuIndex);
    if (opts.json) io.out(JSON.stringify(toSampleRecord(shown, null)) + '\n');
    else io.out(formatSampleLines(shown, null).join('\n') + '\n');
    await io.writable?.();
  };
  if (opts.once) {
    const r = await queryClusterGpus(url, opts.matchers, { timeoutMs: 10_000, signal: io.signal });
    io.signal.throwIfAborted();
    if (r.kind === 'error') {
      io.err(`modelmon gpu: ${r.message}\n`);
      return EXIT_USAGE;
    }
    for (const w of r.warnings) io.err(`modelmon gpu: Prometheus warning: ${w}\n`);
    const shown = selectGpus(r.value, opts.gpuIndex);
    if (!shown.gpus.length) {
      io.err(`modelmon gpu: no GPU found: Prometheus at ${url.origin} holds no DCGM series${opts.matchers.length ? ' matching --match' : ''}${opts.gpuIndex !== 'all' ? ` for GPU ${opts.gpuIndex}` : ''} (is dcgm-exporter scraped?)\n`);
      return EXIT_NO_GPU;
    }
    if (!record(shown)) return EXIT_USAGE;
    await print(r.value);
    return EXIT_OK;
  }
  const source = new PrometheusGpuSource({ url, matchers: opts.matchers, intervalMs: opts.intervalMs, request: { timeoutMs: Math.min(10_000, Math.max(2000, opts.intervalMs)) } });
  return new Promise<number>((resolve) => {
    let exitCode = EXIT_OK;
    const printer = new LatestSamplePrinter(print);
    const finish = () => {
      io.signal.removeEventListener('abort', finish);
      void source.dispose().then(() => printer.idle()).then(() => resolve(exitCode));
    };
    source.on((event) => {
      if (event.type === 'snapshot') {
        if (!record(selectGpus(event.snapshot, opts.gpuIndex))) {
          exitCode = EXIT_USAGE;
          return finish();
        }
        printer.offer(event.snapshot);
      }
      else if (event.type === 'notice') io.err(`modelmon gpu: ${event.message}\n`);
      else if (event.type === 'status') {
        const s = event.status;
        if (s.state === 'retrying') io.err(`modelmon gpu: ${s.reason}; retrying in ${(s.delayMs / 1000).toFixed(1)} s (attempt ${s.attempt})\n`);
        else if (s.state === 'no-gpu') {
          io.err(`modelmon gpu: ${s.message}\n`);
          exitCode = EXIT_USAGE;
          finish();
        }
      }
    });
    if (io.signal.aborted) return finish();
    io.signal.addEventListener('abort', finish);
    io.watchOutput?.();
    source.start();
  });
}
