import type { RunData, RunStore, TrainingFinding } from '../tfevents';
import type { FindingView, RunSummary, TaggedSeries } from '../../protocol';
import type { TrainingView } from '../report/types';
import type { MonitorObservation, RawFinding } from './types';
import type { RunEfficiency } from '../efficiency/types';
import { plural } from '../charts/format';

export interface TrainingObservationInput {
  readonly store: RunStore;
  readonly findings: readonly TrainingFinding[];
  /** Damaged stretches of event files (`file` relative to the log dir). */
  readonly corruptions: readonly { readonly file: string; readonly offset: number; readonly message: string; readonly partial?: true }[];
  /** The monitor's name: the label of a run whose event files sit in the log dir itself. */
  readonly monitorName: string;
  /** The log dir as the config names it. */
  readonly logdir: string;
  /** Tag filters (`*` wildcards); empty = all. */
  readonly tags: readonly string[];
  /** Each run joined with the monitor's GPU log, when it names one. */
  readonly efficiency?: readonly RunEfficiency[];
}

/** Glob-ish tag filter: `*` matches any run of characters, everything else literally. */
export function tagMatcher(patterns: readonly string[]): (tag: string) => boolean {
  if (!patterns.length) return () => true;
  const res = patterns.map((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  return (tag) => res.some((re) => re.test(tag));
}

/** A TensorBoard log dir read once, as findings, a runs table and the dashboards' series. */
export function observeTraining(input: TrainingObservationInput): { observation: MonitorObservation; view: TrainingView } {
  const wanted = tagMatcher(input.tags);
  const label = (run: string) => (run === '.' ? input.monitorName : run);
  const runs = input.store.runs.filter((r) => [...r.tags.values()].some((s) => s.kind === 'scalar' && wanted(s.tag)));
  const health = input.findings.filter((f) => wanted(f.tag) && runs.some((r) => r.name === f.run));
  const findings: RawFinding[] = health.map((f) => ({
    kind: f.kind,
    severity: f.severity,
    message: f.message,
    subject: `${label(f.run)}/${f.tag}`,
    location: { file: joinPath(input.logdir, f.run), step: f.step, tag: f.tag },
  }));
  for (const c of input.corruptions) {
    // A record read in part (a tensor too large to decode whole) is intact data, not damage.
    findings.push({
      kind: c.partial ? 'partly-read-record' : 'corrupt-record',
      severity: c.partial ? 'info' : 'warning',
      message: c.partial ? `event record at byte ${c.offset}: ${c.message}` : `damaged event record at byte ${c.offset}: ${c.message}`,
      subject: c.file,
      location: { file: joinPath(input.logdir, c.file) },
    });
  }
  // Efficiency is a run's, not a tag's: every run measured, whatever the tag filter.
  for (const e of input.efficiency ?? []) {
    for (const f of e.findings) {
      findings.push({ kind: f.kind, severity: f.severity, message: f.message, subject: label(e.run), location: { file: joinPath(input.logdir, e.run) } });
    }
  }
  if (!runs.length) {
    findings.push({
      kind: 'no-runs',
      severity: 'warning',
      message: input.tags.length ? `no run logs a scalar tag matching ${input.tags.join(', ')}` : 'no TensorBoard event files with scalars found',
      subject: input.logdir,
      location: { file: input.logdir },
    });
  }
  const scalarTags = (r: RunData) => r.tagList().filter((s) => s.kind === 'scalar' && wanted(s.tag));
  const rows = runs.map((r) => {
    const tags = scalarTags(r);
    const lastStep = Math.max(...tags.map((s) => s.lastStep ?? 0));
    const count = health.filter((f) => f.run === r.name).length;
    const kinds = [...new Set(health.filter((f) => f.run === r.name).map((f) => f.kind))];
    return [label(r.name), String(tags.length), String(lastStep), count ? `${count} (${kinds.join(', ')})` : 'none'];
  });
  const tagCount = new Set(runs.flatMap((r) => scalarTags(r).map((s) => s.tag))).size;
  const observation: MonitorObservation = {
    findings,
    runDirs: runs.map((r) => joinPath(input.logdir, r.name)),
    summary: `${plural(runs.length, 'run')}, ${plural(tagCount, 'scalar tag')}, ${plural(health.length, 'health finding')}`,
    tables: runs.length ? [{ caption: 'Runs', columns: ['Run', 'Scalar tags', 'Last step', 'Findings'], rows }] : [],
  };
  return { observation, view: trainingView(runs, health, label, scalarTags) };
}

function trainingView(
  runs: readonly RunData[],
  health: readonly TrainingFinding[],
  label: (run: string) => string,
  scalarTags: (r: RunData) => ReturnType<RunData['tagList']>,
): TrainingView {
  const summaries: RunSummary[] = [];
  const series: TaggedSeries[] = [];
  for (const r of runs) {
    const tags = scalarTags(r);
    let lastStep: number | null = null;
    let lastWallTime: number | null = null;
    for (const s of tags) {
      const steps: number[] = [];
      const values: (number | null)[] = [];
      const wallTimes: number[] = [];
      for (let i = 0; i < s.size; i++) {
        const v = s.valueAt(i);
        steps.push(s.stepAt(i));
        values.push(Number.isFinite(v) ? v : null);
        wallTimes.push(s.wallTimeAt(i));
      }
      if (steps.length) {
        lastStep = Math.max(lastStep ?? -Infinity, steps[steps.length - 1]!);
        lastWallTime = Math.max(lastWallTime ?? -Infinity, wallTimes[wallTimes.length - 1]!);
      }
      series.push({ run: label(r.name), tag: s.tag, series: { steps, values, wallTimes } });
    }
    summaries.push({ name: label(r.name), tags: tags.map((s) => s.tag), lastStep, lastWallTime });
  }
  const findings: FindingView[] = health.map((f) => ({ run: label(f.run), tag: f.tag, step: f.step, kind: f.kind, message: f.message, severity: f.severity }));
  return { runs: summaries, series, findings };
}

function joinPath(dir: string, child: string): string {
  if (child === '.' || child === '') return dir;
  return `${dir.replace(/[\\/]+$/, '')}/${child}`;
}

