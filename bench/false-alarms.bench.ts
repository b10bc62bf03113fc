/**
 * False alarms at the defaults: long clean streams resampled (seeded, with replacement) from the
 * clean phases of the two example logs, run through the whole prediction monitor with every
 * option at its default; every alert is false, and each kind's count per 20,000 monitored rows is
 * the figure (target: at most 1). Ids and timestamps are rewritten so each row is new and time
 * moves forward: a repeated id or a clock going back would be a true data-quality finding.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PredictionMonitor } from '../src/core/predictions';
import { seededRandom } from '../src/core/random';
import type { BenchFigure } from './harness';
import { withLinearShap } from '../test/unit/helpers/attributionLog';

const FIXTURES = 'test/fixtures/predictions';
/** Monitored rows a stream (the 1,000 reference rows come on top). */
const ROWS = Number(process.env.MODELMON_BENCH_FALSE_ALARM_ROWS ?? 100_000);
const PER = 20_000;

/** Every kind the monitor raises (others seen are added as they come). */
const KINDS = ['data_drift', 'multivariate_drift', 'attribution_drift', 'concept_drift', 'prior_shift', 'performance', 'data_quality', 'anomaly'];

interface CleanSource {
  readonly file: string;
  /** Rows [0, end) are the clean phase (from the truth file; the monitor never reads it). */
  readonly end: number;
  readonly id: string;
  /** Give each row the SHAP values of a logistic regression fitted on the clean phase (attribution_drift). */
  readonly shap?: boolean;
}

function sources(): CleanSource[] {
  const tabular = JSON.parse(readFileSync(join(FIXTURES, 'tabular_dev.truth.json'), 'utf8')) as { onset: number };
  const digits = JSON.parse(readFileSync(join(FIXTURES, 'digits_dev.truth.json'), 'utf8')) as { phases: { kind: string; to: number }[] };
  return [
    { file: 'tabular_dev.jsonl', end: tabular.onset, id: 'id', shap: true },
    { file: 'digits_dev.jsonl', end: digits.phases.find((p) => p.kind === 'clean')!.to, id: 'request_id' },
  ];
}

export interface FalseAlarmRun {
  readonly log: string;
  readonly monitored: number;
  readonly seconds: number;
  readonly counts: Map<string, number>;
  /** The first alert of each kind, to say which rule raised it. */
  readonly first: Map<string, string>;
}

/** Runs the monitor at its defaults over `reference + rows` rows drawn from the clean phase. */
export function falseAlarmRun(src: CleanSource, rows = ROWS, seed = 17): FalseAlarmRun {
  const clean = readFileSync(join(FIXTURES, src.file), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, src.end);
  const lines = src.shap ? withLinearShap(clean).lines : clean;
  const pool = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const random = seededRandom(seed);
  const monitor = new PredictionMonitor();
  const total = rows + 1000;
  const start = Date.parse('2026-03-01T00:00:00Z');
  const t0 = process.hrtime.bigint();
  const chunk: string[] = [];
  for (let i = 0; i < total; i++) {
    const row = { ...pool[Math.floor(random() * pool.length)]! };
    row[src.id] = `${src.file}-${i}`;
    if ('ts' in row) row.ts = new Date(start + i * 1000).toISOString().replace('.000Z', 'Z');
    chunk.push(JSON.stringify(row));
    if (chunk.length === 2000 || i === total - 1) {
      monitor.pushText(chunk.join('\n') + '\n');
      chunk.length = 0;
    }
  }
  monitor.end();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const report = monitor.snapshot();
  // A log without attributions cannot raise attribution_drift: its zero would say nothing.
  const counts = new Map<string, number>(KINDS.filter((k) => src.shap || k !== 'attribution_drift').map((k) => [k, 0]));
  const first = new Map<string, string>();
  for (const a of report.alerts) {
    counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
    if (!first.has(a.kind)) first.set(a.kind, `row ${a.index}: ${a.message}`);
  }
  return { log: src.file, monitored: report.rows - report.reference.rows, seconds, counts, first };
}

export async function bench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  for (const src of sources()) {
    const run = falseAlarmRun(src);
    const scale = PER / run.monitored;
    for (const [kind, count] of run.counts) {
      figures.push({ engine: 'false-alarms', name: `${src.file} ${kind}: false alerts per ${PER / 1000}k clean rows (${count} in ${Math.round(run.monitored / 1000)}k)`, value: count * scale, unit: 'alerts', anchor: '<= 1 per 20k rows' });
    }
    figures.push({ engine: 'false-alarms', name: `${src.file}: monitored rows/s while counting`, value: (run.monitored + 1000) / run.seconds, unit: 'rows/s' });
    if (process.env.MODELMON_BENCH_VERBOSE) for (const [kind, text] of run.first) process.stdout.write(`  first ${kind}: ${text}\n`);
  }
  return figures;
}
