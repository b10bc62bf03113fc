import { mean, sum } from 'simple-statistics';
import type { GpuAlert } from './alerts';
import { gpuLabel, gpuModelsLabel } from './backend';
import type { GpuReading, GpuSnapshot } from './types';
import { formatLabelMatchers, labelPredicate, type LabelMatcher } from './dcgmLabels';

/** What the status bar can show, in the order given by `modelmon.gpu.statusBar.show`. */
export type StatusMetric = 'utilization' | 'memory' | 'temperature' | 'power';

/** Every metric, in the default display order. */
export const STATUS_METRICS: readonly StatusMetric[] = ['utilization', 'memory', 'temperature', 'power'];

/** The one state value the status bar is driven by. */
export type GpuMonitorState =
  | { readonly kind: 'disabled' }
  | { readonly kind: 'starting' }
  | { readonly kind: 'no-gpu'; readonly message: string }
  | { readonly kind: 'retrying'; readonly reason: string; readonly delayMs: number; readonly last: GpuSnapshot | null }
  | { readonly kind: 'sampling'; readonly snapshot: GpuSnapshot; readonly alerts: readonly GpuAlert[] };

/** Drives the item's background: none, `statusBarItem.warningBackground`, `statusBarItem.errorBackground`. */
export type StatusSeverity = 'normal' | 'warning' | 'error';

/** How the status bar item should look; the host copies this onto a `StatusBarItem`. */
export interface StatusView {
  readonly visible: boolean;
  /** With `$(codicon)` references. */
  readonly text: string;
  readonly severity: StatusSeverity;
  /** Markdown: one table row per GPU, then the active alerts. */
  readonly tooltip: string;
}

/** Which GPU and figures the item shows (`modelmon.gpu.index`, `modelmon.gpu.statusBar.show`). */
export interface StatusViewOptions {
  /** One GPU by index, or an aggregate over all of them. */
  readonly gpuIndex: number | 'all';
  readonly metrics: readonly StatusMetric[];
  /** Set when the tool is a stand-in that replays recorded output: what it replays. */
  readonly replay?: string;
  /** Cluster GPUs (read through Prometheus): only those whose labels match count, the workspace's own node or job. */
  readonly match?: readonly LabelMatcher[];
  /** What samples the GPUs, for the starting and retrying texts (default nvidia-smi). */
  readonly sourceName?: string;
}

const ICON: Record<StatusSeverity, string> = { normal: '$(pulse)', warning: '$(warning)', error: '$(error)' };

/** Escapes text for a Markdown table cell. */
function md(text: string): string {
  return text.replace(/[\\`*_[\]|<>]/g, '\\$&');
}

const fmt = (v: number | null, unit: string, digits = 0) => (v === null ? '–' : `${v.toFixed(digits)}${unit}`);
/** One rounding for memory everywhere (tree, status bar, tooltip): 79.6 GiB, never 80 beside it. */
const gib = (mib: number) => (mib / 1024).toFixed(1);

/**
 * One GPU's reading as the tree and the status bar both print it: `37% · 12.3/79.6 GiB · 62°C`,
 * with the status bar's rounding, so the two never disagree about the same sample.
 */
export function gpuReadingSummary(g: GpuReading): string {
  const util = g.migEnabled && g.utilizationGpu === null ? 'MIG' : g.utilizationGpu !== null ? fmt(g.utilizationGpu, '%') : '';
  const mem = g.memoryUsedMiB !== null && g.memoryTotalMiB !== null ? `${gib(g.memoryUsedMiB)}/${gib(g.memoryTotalMiB)} GiB` : '';
  return [util, mem, g.temperatureC !== null ? fmt(g.temperatureC, '°C') : ''].filter(Boolean).join(' · ');
}

const ICON_WORD: Record<string, string> = { warning: 'warning', error: 'error', 'sync~spin': 'starting' };

/**
 * The status bar text as a screen reader should say it: codicon references such as `$(warning)`
 * become words (or nothing, for decoration), e.g. `Model Monitor GPU: warning, 40% 20.0/79.6 GiB 60°C`.
 */
export function accessibleStatusText(text: string): string {
  const words: string[] = [];
  const rest = text.replace(/\$\(([\w~-]+)\)\s*/g, (_, icon: string) => {
    if (ICON_WORD[icon]) words.push(ICON_WORD[icon]);
    return '';
  });
  return `Model Monitor GPU: ${[...words, rest.trim()].filter(Boolean).join(', ')}`;
}

/** A GPU group's figures: one GPU as it is, several as mean utilisation, summed memory and power, hottest temperature. */
function aggregate(gpus: readonly GpuReading[]) {
  const vals = (pick: (g: GpuReading) => number | null) => gpus.map(pick).filter((v): v is number => v !== null);
  const util = vals((g) => g.utilizationGpu);
  const used = vals((g) => g.memoryUsedMiB);
  const total = vals((g) => g.memoryTotalMiB);
  const temp = vals((g) => g.temperatureC);
  const power = vals((g) => g.powerW);
  return {
    utilization: util.length ? mean(util) : null,
    memoryUsedMiB: used.length === gpus.length && used.length ? sum(used) : null,
    memoryTotalMiB: total.length === gpus.length && total.length ? sum(total) : null,
    temperatureC: temp.length ? Math.max(...temp) : null,
    powerW: power.length ? sum(power) : null,
    mig: gpus.some((g) => g.migEnabled === true),
  };
}

function severityOf(alerts: readonly GpuAlert[]): StatusSeverity {
  if (alerts.some((a) => a.severity === 'error')) return 'error';
  return alerts.length ? 'warning' : 'normal';
}

/** The GPU table every tooltip shows. */
export function gpuTableMarkdown(gpus: readonly GpuReading[]): string {
  const rows = gpus.map((g) => {
    const mem = g.memoryUsedMiB !== null && g.memoryTotalMiB !== null ? `${gib(g.memoryUsedMiB)} / ${gib(g.memoryTotalMiB)} GiB` : '–';
    const util = g.migEnabled && g.utilizationGpu === null ? 'MIG' : fmt(g.utilizationGpu, '%');
    const power = `${fmt(g.powerW, ' W')}${g.powerLimitW !== null ? ` / ${g.powerLimitW.toFixed(0)} W` : ''}`;
    const reasons = g.throttleReasons === null ? '–' : g.throttleReasons.length ? g.throttleReasons.join(', ') : 'none';
    return `| ${g.cluster ? `${md(g.cluster.host)}/` : ''}${g.index} | ${md(gpuLabel(g))} | ${util} | ${mem} | ${fmt(g.temperatureC, '°C')} | ${power} | ${fmt(g.smClockMHz, ' MHz')} | ${md(reasons)} |`;
  });
  return ['| GPU | Name | Util | Memory | Temp | Power | SM clock | Clock events |', '|---:|---|---:|---:|---:|---:|---:|---|', ...rows].join('\n');
}

/**
 * Maps the monitor's state to the status bar's text, severity and tooltip. Pure, so every case is
 * tested without VS Code.
 *
 * @example
 * describeGpuStatus({ kind: 'sampling', snapshot, alerts: [] }, { gpuIndex: 'all', metrics: ['utilization', 'memory'] })
 * // { visible: true, text: '$(pulse) 37% 12.3/79.6 GiB', severity: 'normal', tooltip: '| GPU | ...' }
 */
export function describeGpuStatus(state: GpuMonitorState, options: StatusViewOptions): StatusView {
  switch (state.kind) {
    case 'disabled':
    case 'no-gpu':
      return { visible: false, text: '', severity: 'normal', tooltip: state.kind === 'no-gpu' ? md(state.message) : '' };
    case 'starting':
      return { visible: true, text: '$(sync~spin) GPU', severity: 'normal', tooltip: `Starting ${md(options.sourceName ?? 'nvidia-smi')}…` };
    case 'retrying': {
      const tooltip = `${md(options.sourceName ?? 'nvidia-smi')}: ${md(state.reason)}; retrying in ${(state.delayMs / 1000).toFixed(0)} s`;
      return { visible: true, text: '$(warning) GPU', severity: 'warning', tooltip: state.last ? `${tooltip}\n\nLast sample:\n\n${gpuTableMarkdown(state.last.gpus)}` : tooltip };
    }
    case 'sampling': {
      const own = ownGpus(state.snapshot.gpus, options.match);
      const gpus = options.gpuIndex === 'all' ? own : own.filter((g) => g.index === options.gpuIndex);
      const alerts = state.alerts.filter((a) => gpus.some((g) => g.index === a.gpuIndex && (g.cluster?.host ?? undefined) === a.host));
      const severity = severityOf(alerts);
      if (!gpus.length) {
        if (options.match?.length && !own.length) {
          return { visible: true, text: `${ICON.warning} GPU?`, severity: 'warning', tooltip: `No cluster GPU matches {${md(formatLabelMatchers(options.match))}}; ${state.snapshot.gpus.length} GPUs read` };
        }
        return { visible: true, text: `${ICON.warning} GPU ${options.gpuIndex}?`, severity: 'warning', tooltip: `No GPU with index ${options.gpuIndex}; found ${own.map((g) => g.index).join(', ') || 'none'}` };
      }
      const a = aggregate(gpus);
      const parts: string[] = [];
      for (const m of options.metrics) {
        if (m === 'utilization') parts.push(a.mig && a.utilization === null ? 'MIG' : fmt(a.utilization, '%'));
        if (m === 'memory' && a.memoryUsedMiB !== null && a.memoryTotalMiB !== null) parts.push(`${gib(a.memoryUsedMiB)}/${gib(a.memoryTotalMiB)} GiB`);
        if (m === 'temperature') parts.push(fmt(a.temperatureC, '°C'));
        if (m === 'power') parts.push(fmt(a.powerW, ' W'));
      }
      const label = gpus.length > 1 ? `${gpus.length} GPUs ` : '';
      const alertLines = alerts.map((x) => `- ${x.severity === 'error' ? '$(error)' : '$(warning)'} ${md(x.message)}`);
      // Vendor and model first: on a mixed fleet the same figures mean different cards.
      // A replayed recording must never pass for the machine's own GPU.
      const replay = options.replay ? [`Replay: ${md(options.replay)}`, ''] : [];
      const tooltip = [`**${md(gpuModelsLabel(gpus))}**`, '', ...replay, gpuTableMarkdown(gpus), ...(alertLines.length ? ['', ...alertLines] : []), '', 'Click to open the GPU dashboard.'].join('\n');
      return { visible: true, text: `${ICON[severity]} ${label}${parts.join(' ')}${options.replay ? ' (replay)' : ''}`.trimEnd(), severity, tooltip };
    }
  }
}

/** The workspace's own GPUs of a cluster sample: those whose series labels match; every GPU without a matcher. */
export function ownGpus(gpus: readonly GpuReading[], match: readonly LabelMatcher[] | undefined): readonly GpuReading[] {
  if (!match?.length) return gpus;
  const test = labelPredicate(match);
  return gpus.filter((g) => g.cluster !== undefined && test(g.cluster.labels));
}
