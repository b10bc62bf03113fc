import { dirname, resolve } from 'node:path';
import { findHealthProblems } from '../../core/tfevents';
import { observeTraining } from '../../core/check/training';
import { readLogdir } from '../tfevents';
import { observeIntegrity } from '../../core/check/integrity';
import { fromManifestPath, readManifest, verifyManifest } from '../integrity/manifest-store';
import { scanCheckpointFile } from '../integrity/checkpoint-scan';
import { observeGpu } from '../../core/check/gpu';
import { GpuAlertRules } from '../../core/gpu/alerts';
import { resolveGpuTool, sampleOnce } from '../gpu/gpuSource';
import { observePredictions } from '../../core/check/predictions';
import type { EnvelopeMapping } from '../../core/predictions/envelopes';
import { analyzePredictionSet } from '../predictions/analyzeSet';
import type { CheckEngines } from './engines';
import { endpointEngine } from './endpoints';
import { measureStoreEfficiency } from '../efficiency/logdirEfficiency';

/** The real engines, each run once. */
export const defaultEngines: CheckEngines = {
  async training(monitor, logdir, context) {
    const { store, corruptions } = await readLogdir(logdir);
    const findings = findHealthProblems(store);
    const e = monitor.efficiency;
    // The GPU log is relative to the config, as the log dir is; a check judges the runs as they stand now.
    const efficiency = e
      ? (
          await measureStoreEfficiency(store, logdir, {
            gpuLogs: [resolve(context.dir, e.gpuLog)],
            ...(e.utcOffsetMinutes !== undefined ? { gpuLogUtcOffsetMinutes: e.utcOffsetMinutes } : {}),
            ...(e.pricePerKWh !== undefined ? { pricePerKWh: e.pricePerKWh } : {}),
            ...(e.thresholds ? { thresholds: e.thresholds } : {}),
            computeApps: [],
            nowMs: Date.now(),
          })
        ).runs
      : undefined;
    return observeTraining({ store, findings, corruptions, monitorName: monitor.name, logdir: monitor.logdir, tags: monitor.tags, ...(efficiency ? { efficiency } : {}) });
  },
  async predictions(monitor, paths, context) {
    // The config's paths are relative to the config; the engine's labelsFile to the log: make it absolute.
    const schema = monitor.schema.labelsFile !== undefined ? { ...monitor.schema, labelsFile: resolve(context.dir, monitor.schema.labelsFile) } : monitor.schema;
    // A log may be a file, a directory or a glob of rotated files, in any readable format.
    const report = await analyzePredictionSet(paths.log, {
      ...(monitor.format !== undefined || monitor.fieldMapping !== undefined ? { format: (monitor.fieldMapping as EnvelopeMapping | undefined) ?? monitor.format! } : {}),
      schema,
      window: monitor.window,
      source: monitor.log,
      ...(paths.reference !== undefined ? { referenceFile: paths.reference } : {}),
      ...(monitor.reference.rows !== undefined ? { referenceRows: monitor.reference.rows } : {}),
      ...(monitor.step !== undefined ? { step: monitor.step } : {}),
      ...(monitor.alertPValue !== undefined ? { alertPValue: monitor.alertPValue } : {}),
      ...(monitor.multipleTesting !== undefined ? { multipleTesting: monitor.multipleTesting } : {}),
      ...(monitor.anomalyQuantile !== undefined ? { anomalyQuantile: monitor.anomalyQuantile } : {}),
      ...(monitor.multivariate !== undefined ? { multivariate: monitor.multivariate } : {}),
      ...(monitor.embedding !== undefined ? { embedding: monitor.embedding } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
    });
    return observePredictions({
      log: monitor.log,
      report,
      ...(monitor.alertPValue !== undefined ? { alertPValue: monitor.alertPValue } : {}),
      ...(monitor.multipleTesting !== undefined ? { multipleTesting: monitor.multipleTesting } : {}),
    });
  },
  async integrity(monitor, manifestFile, context) {
    const manifestDir = dirname(manifestFile);
    // A manifest may name any path; unless the config allows it, only the config's folder is read.
    const confine = monitor.allowOutside ? {} : { within: context.dir };
    const report = await verifyManifest(manifestFile, manifestDir, context.signal, confine);
    const manifest = await readManifest(manifestFile);
    const present = new Set([...report.unchanged, ...report.changed.map((c) => c.path), ...report.added]);
    const scans = [];
    for (const entry of manifest.files.map((f) => f.path).concat(report.added)) {
      if (!present.has(entry)) continue;
      present.delete(entry);
      scans.push(await scanCheckpointFile(fromManifestPath(manifestDir, entry), entry));
    }
    return observeIntegrity({ manifest: monitor.manifest, report, scans });
  },
  async gpu(monitor, context) {
    // PATH only: a config (possibly from an untrusted checkout) never names an executable.
    const { resolved, tried } = resolveGpuTool('auto', {}, context.env);
    if (!resolved) return observeGpu({ kind: 'no-gpu', message: `no GPU tool found: ${tried}` });
    const probe = await sampleOnce(resolved, { env: context.env, timeoutMs: 10_000, ...(context.signal ? { signal: context.signal } : {}) });
    if (probe.kind !== 'ok') return observeGpu({ ...probe, tool: resolved.tool });
    const rules = new GpuAlertRules({
      ...(monitor.maxTemperatureC !== undefined ? { temperatureC: monitor.maxTemperatureC } : {}),
      ...(monitor.maxMemoryPercent !== undefined ? { memoryPercent: monitor.maxMemoryPercent } : {}),
    });
    const alerts = rules.update(probe.snapshot).filter((e) => e.type === 'raised').map((e) => e.alert);
    return observeGpu({ kind: 'ok', snapshot: probe.snapshot, alerts });
  },
  endpoint: endpointEngine,
};
