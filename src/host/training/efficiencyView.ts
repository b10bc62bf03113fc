import type { RunEfficiency, RunStepTime } from '../../core/efficiency/types';
import { formatCount, formatNumber } from '../../core/charts/format';
import type { RunEfficiencyView } from '../../protocol/views';

/**
 * The engine's figures for one run in the shape the dashboard, tree and report draw. Nothing is
 * judged here: findings and figures pass through; only the utilisation samples are placed on the
 * run's step axis, so the strip lines up under the loss curve.
 */
export function efficiencyView(e: RunEfficiency, steps: readonly RunStepTime[], currency: string | null): RunEfficiencyView {
  const g = e.gpu;
  const toStep = stepAtTime(steps);
  return {
    run: e.run,
    steps: e.steps,
    stepsPerSecond: e.stepsPerSecond,
    wallSeconds: e.wallSeconds,
    activeSeconds: e.activeSeconds,
    gpu: g.samples > 0
      ? {
          utilizationMean: g.utilizationMean,
          utilizationMedian: g.utilizationMedian,
          lowUtilizationShare: g.shareUnder50,
          memoryPeakMiB: g.memoryPeakMiB,
          memoryTotalMiB: g.memoryTotalMiB,
          energyWh: g.energyWh,
          cost: g.cost,
          costPer1kSteps: g.costPer1000Steps,
          samples: g.samples,
        }
      : null,
    currency,
    findings: e.findings.map(({ kind, severity, message }) => ({ kind, severity, message })),
    utilization: stripPoints(g.utilization, toStep),
  };
}

/** Columns the utilisation strip is drawn with at most: more than a card is pixels wide. */
export const MAX_STRIP_POINTS = 1_000;

/** The utilisation samples on the step axis, as the mean of each of at most MAX_STRIP_POINTS equal runs of samples. */
function stripPoints(samples: readonly { readonly timeMs: number; readonly percent: number }[], toStep: (t: number) => number): RunEfficiencyView['utilization'] {
  const per = Math.max(1, Math.ceil(samples.length / MAX_STRIP_POINTS));
  const steps: number[] = [];
  const percent: number[] = [];
  for (let i = 0; i < samples.length; i += per) {
    const chunk = samples.slice(i, i + per);
    steps.push(toStep(chunk[0]!.timeMs));
    percent.push(chunk.reduce((n, s) => n + s.percent, 0) / chunk.length);
  }
  return { steps, percent };
}

/**
 * The step a run had reached at a time (ms), interpolated linearly between its logged steps'
 * wall times and held at the ends. Steps logged out of time order (a restart) are taken by time.
 */
export function stepAtTime(steps: readonly RunStepTime[]): (timeMs: number) => number {
  const points = steps.map((s) => [s.wallTime * 1000, s.step] as const).sort((a, b) => a[0] - b[0]);
  return (t) => {
    if (!points.length) return 0;
    if (t <= points[0]![0]) return points[0]![1];
    const last = points[points.length - 1]!;
    if (t >= last[0]) return last[1];
    let lo = 0;
    let hi = points.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (points[mid]![0] <= t) lo = mid;
      else hi = mid;
    }
    const [t0, s0] = points[lo]!;
    const [t1, s1] = points[hi]!;
    return t1 === t0 ? s1 : s0 + ((t - t0) / (t1 - t0)) * (s1 - s0);
  };
}

/**
 * The columns a run's tooltip in the tree shows: a one-row Markdown table of steps/s, GPU
 * utilisation, peak memory, energy and cost, then the efficiency findings. Markdown-escaped.
 */
export function efficiencyTooltipMarkdown(v: RunEfficiencyView): string {
  const g = v.gpu;
  const n = (x: number | null | undefined, unit = '') => (x === null || x === undefined ? '–' : `${formatNumber(x, 3)}${unit}`);
  const money = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${formatNumber(x, 3)}${v.currency ? ` ${escapeMarkdown(v.currency)}` : ''}`);
  const lines = [
    '| Steps/s | GPU busy | Under 50% | Peak memory | Energy | Cost |',
    '|---:|---:|---:|---:|---:|---:|',
    `| ${n(v.stepsPerSecond)} | ${n(g?.utilizationMean, '%')} | ${g?.lowUtilizationShare == null ? '–' : `${Math.round(g.lowUtilizationShare * 100)}%`} | ${g?.memoryPeakMiB == null ? '–' : `${formatCount(Math.round(g.memoryPeakMiB))} MiB`} | ${n(g?.energyWh, ' Wh')} | ${money(g?.cost)} |`,
  ];
  if (!g) lines.push('', 'No GPU samples while this run trained.');
  for (const f of v.findings) lines.push('', `- **${escapeMarkdown(f.kind)}**: ${escapeMarkdown(f.message)}`);
  return lines.join('\n');
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
