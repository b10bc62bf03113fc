import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { samplesOf } from '../../core/fleet/families';
import { printable } from '../../core/terminalText';
import { ConfigError } from '../../io/check';
import { MetricsExposition } from '../../io/fleet/exposition';
import { DEFAULT_LISTEN, parseListen, startMetricsServer, type MetricsServer } from '../../io/fleet/metricsServer';
import { writeTextfile } from '../../io/fleet/textfile';
import { FleetWatcher } from '../../io/fleet/watcher';
import { EXIT_OK, UsageError, type CliCommand } from '../io';
import { VERSION } from '../version';
import { locateConfig, reportConfigError } from './check';
import { snapshotSamples } from '../../core/efficiency/history';
import type { GpuSnapshot } from '../../core/gpu/types';
import { GpuRecordFile } from '../../io/efficiency/recordFile';

const USAGE = `usage: modelmon watch [--config modelmon.json] [--listen HOST:PORT | --no-listen] [--textfile DIR]
                      [--interval S] [--gpu-interval S] [--gpu-record FILE] [--scrape-timeout S]

Runs every monitor of modelmon.json continuously and publishes what it finds as Prometheus
metrics: the same findings and verdicts \`modelmon check --json\` gives on the same files.
A monitor re-runs when its files change; the GPU is sampled and endpoints probed on their intervals.

  --config FILE      the config (default: modelmon.json here or in a parent directory); an edit is
                     reloaded, and an invalid one keeps the last good config and says why on stderr
  --listen HOST:PORT serve /metrics here (default ${DEFAULT_LISTEN}; Prometheus text, or
                     OpenMetrics when the scraper's Accept asks for it)
  --textfile DIR     also write DIR/modelmon.prom for node-exporter's textfile collector (atomically)
  --no-listen        no HTTP listener (with --textfile)
  --interval S       seconds between looks at the monitors' files (default 5)
  --gpu-interval S   seconds between GPU samples (default 15), when the config enables the GPU
  --gpu-record FILE  also append every GPU sample to FILE, the compact history modelmon efficiency
                     reads (--gpu-log), bounded at 64 MiB as modelmon gpu --record
  --scrape-timeout S a scraper must send its request and take the page within this (default 10)

Stops cleanly on SIGTERM or SIGINT, with every child process (nvidia-smi, amd-smi).
exit status: 0 stopped, 2 a usage or config error`;

export const watchCommand: CliCommand = {
  name: 'watch',
  usage: USAGE,
  async run(args, io) {
    const values = parse(args);
    const listen = values['no-listen'] ? undefined : parseListen(values.listen ?? DEFAULT_LISTEN);
    if (listen && 'error' in listen) throw new UsageError(listen.error);
    if (values['no-listen'] && values.listen !== undefined) throw new UsageError('--listen and --no-listen cannot be combined');
    if (!listen && values.textfile === undefined) throw new UsageError('--no-listen needs --textfile DIR: otherwise nothing is published');
    const intervalMs = seconds(values.interval, 5, '--interval');
    const gpuIntervalMs = seconds(values['gpu-interval'], 15, '--gpu-interval');
    const scrapeTimeoutMs = seconds(values['scrape-timeout'], 10, '--scrape-timeout');
    const textfileDir = values.textfile !== undefined ? resolve(io.cwd, values.textfile) : undefined;
    if (textfileDir !== undefined) {
      const info = statSync(textfileDir, { throwIfNoEntry: false });
      if (!info?.isDirectory()) throw new UsageError(`--textfile ${values.textfile}: ${info ? 'not a folder' : 'no such folder'}`);
    }
    const located = locateConfig(values.config, io);
    let record: GpuRecordFile | undefined;
    if (values['gpu-record'] !== undefined) {
      try {
        record = await GpuRecordFile.open(resolve(io.cwd, values['gpu-record']));
      } catch (error) {
        throw new UsageError(`--gpu-record ${values['gpu-record']}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    let recordedUntil = -Infinity;
    let recordProblem = false;
    const recordGpu = (gpu: GpuSnapshot | undefined) => {
      if (!record || recordProblem || !gpu || gpu.timeMs <= recordedUntil) return;
      recordedUntil = gpu.timeMs;
      try {
        record.append(snapshotSamples(gpu));
      } catch (error) {
        recordProblem = true;
        io.err(printable(`modelmon watch: ${(error as Error).message}; GPU samples are no longer recorded`) + '\n');
      }
    };

    const exposition = new MetricsExposition();
    let textfileProblem: string | undefined;
    const publishTextfile = async () => {
      if (textfileDir === undefined) return;
      try {
        writeTextfile(textfileDir, (await exposition.render('prometheus')).body);
        textfileProblem = undefined;
      } catch (error) {
        const why = `modelmon watch: cannot write ${textfileDir}/modelmon.prom: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
        if (why !== textfileProblem) io.err(printable(why) + '\n');
        textfileProblem = why;
      }
    };
    const watcher = new FleetWatcher({
      configPath: located.path,
      displayPath: located.display,
      version: VERSION,
      env: io.env,
      signal: io.signal,
      intervalMs,
      gpuIntervalMs,
      onSnapshot: (snapshot) => {
        exposition.apply(samplesOf(snapshot));
        recordGpu(snapshot.gpu?.snapshot);
        void publishTextfile();
      },
      onProbes: (endpoint, results) => {
        exposition.observeProbes(endpoint, results.filter((r) => r.ok).map((r) => r.timing.totalMs / 1000));
      },
      onEndpoints: (names) => exposition.keepEndpoints(names),
      warn: (line) => io.err(printable(line) + '\n'),
    });

    // Listening first: a port in use is a usage error before any monitor runs.
    let server: MetricsServer | undefined;
    if (listen) {
      try {
        server = await startMetricsServer(exposition, { host: listen.host, port: listen.port, timeoutMs: scrapeTimeoutMs });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    io.watchOutput?.();
    try {
      try {
        await watcher.start();
      } catch (error) {
        if (error instanceof ConfigError) return reportConfigError(error, io);
        throw error;
      }
      if (io.signal.aborted) return EXIT_OK;
      io.err(`modelmon watch: ${watcher.snapshot?.result.monitors.length ?? 0} monitors of ${located.display}${server ? `; metrics at http://${server.address}/metrics` : ''}${textfileDir !== undefined ? `; textfile ${textfileDir}/modelmon.prom` : ''}\n`);
      await watcher.run();
      return EXIT_OK;
    } finally {
      await server?.close();
      await record?.close().catch((error: Error) => io.err(printable(`modelmon watch: ${error.message}`) + '\n'));
    }
  },
};

function seconds(given: string | undefined, fallback: number, flag: string): number {
  if (given === undefined) return fallback * 1000;
  const value = Number(given);
  if (!Number.isFinite(value) || value < 0.1 || value > 86_400) throw new UsageError(`${flag} must be a number of seconds from 0.1 to 86400, got '${given}'`);
  return Math.round(value * 1000);
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        listen: { type: 'string' },
        'no-listen': { type: 'boolean' },
        textfile: { type: 'string' },
        interval: { type: 'string' },
        'gpu-interval': { type: 'string' },
        'gpu-record': { type: 'string' },
        'scrape-timeout': { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
