// The join of real runs with the H100's real -lms 250 nvidia-smi series (test/fixtures/efficiency/NOTES.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeRunEfficiency } from '../../../src/core/efficiency/compute';
import { GpuLogReader } from '../../../src/core/efficiency/gpuLog';
import { runTimeline } from '../../../src/core/efficiency/timeline';
import type { RunTimeline } from '../../../src/core/efficiency/types';
import { readLogdir } from '../../../src/io/tfevents/logdir';

const dir = join(__dirname, '../../fixtures/efficiency');
const csv = readFileSync(join(dir, 'gpu-h100-250ms.csv'), 'utf8');
// The VM's clock was UTC, so nvidia-smi's local timestamps are UTC.
const log = new GpuLogReader();
for (const line of csv.split('\n')) log.line(line);

async function recorded(): Promise<RunTimeline> {
  const { store } = await readLogdir(join(dir, 'runs'));
  const run = store.runs.find((r) => r.name === 'resumed_purge');
  assert.ok(run);
  return runTimeline(run);
}

/** The run moved by a constant, so its first step falls at `startIso` (aligning a run recorded at another time). */
function shifted(run: RunTimeline, startIso: string): RunTimeline {
  const first = Math.min(...run.steps.map((s) => s.wallTime));
  const delta = Date.parse(startIso) / 1000 - first;
  return { ...run, steps: run.steps.map((s) => ({ step: s.step, wallTime: s.wallTime + delta })) };
}

/** Independent of the engine: trapezoids over the CSV's own rows, the run's ends interpolated. */
function trapezoidWh(startMs: number, endMs: number): number {
  const rows = csv.trim().split('\n').slice(1).map((l) => {
    const c = l.split(', ');
    return { t: Date.parse(c[0]!.replace(/\//g, '-').replace(' ', 'T') + 'Z'), w: parseFloat(c[14]!) };
  });
  const at = (t: number) => {
    const i = rows.findIndex((r) => r.t >= t);
    const a = rows[i - 1]!;
    const b = rows[i]!;
    return a.w + ((b.w - a.w) * (t - a.t)) / (b.t - a.t);
  };
  const pts = [{ t: startMs, w: at(startMs) }, ...rows.filter((r) => r.t > startMs && r.t < endMs), { t: endMs, w: at(endMs) }];
  let joules = 0;
  for (let i = 1; i < pts.length; i++) joules += ((pts[i]!.w + pts[i - 1]!.w) / 2) * ((pts[i]!.t - pts[i - 1]!.t) / 1000);
  return joules / 3600;
}

test('the real nvidia-smi log reads as 386 samples of one H100', () => {
  assert.equal(log.format, 'nvidia-smi');
  assert.equal(log.samples, 386);
  assert.equal(log.problemCount, 0);
  assert.deepEqual(log.history.span(), { startMs: Date.parse('2026-11-23T03:53:52.381Z'), endMs: Date.parse('2026-11-23T03:55:29.787Z') });
});

test('input-bound on the run whose GPU was busy a third of its time, not on the one the burn kept busy', async () => {
  const run = await recorded();
  // The run's 2.28 s placed over the end of the first burn: 3 of its 9 samples at 99-100%.
  // Judged as it ends: the GPU still holds memory, and the stall rule must not see the minutes after.
  const justEnded = (r: RunTimeline) => ({ nowMs: Math.max(...r.steps.map((s) => s.wallTime)) * 1000 + 1000 });
  const thirdRun = shifted(run, '2026-11-23T03:54:06.950Z');
  const third = computeRunEfficiency(thirdRun, log.history, justEnded(thirdRun));
  assert.equal(third.gpu.samples, 9);
  assert.equal(third.gpu.shareUnder50, 6 / 9);
  assert.equal(third.gpu.utilizationMean, (100 + 100 + 99 + 10) / 9);
  assert.deepEqual(third.findings.map((f) => [f.kind, f.severity]), [['input-bound', 'warning'], ['memory-underused', 'info']]);
  const busyRun = shifted(run, '2026-11-23T03:54:01.000Z');
  const busy = computeRunEfficiency(busyRun, log.history, justEnded(busyRun));
  assert.equal(busy.gpu.samples, 9);
  assert.equal(busy.gpu.shareUnder50, 0);
  assert.ok(busy.gpu.utilizationMean! > 99);
  assert.deepEqual(busy.findings.map((f) => f.kind), ['memory-underused']);
});

test('the run as recorded (events and nvidia-smi on the same VM): 6% busy, input-bound; energy within 1% of the trapezoids', async () => {
  const run = await recorded();
  const e = computeRunEfficiency(run, log.history, { pricePerKWh: 0.3, nowMs: Date.parse('2026-11-23T03:54:20Z') });
  assert.equal(e.start, '2026-11-23T03:54:16.911Z');
  assert.equal(e.steps, 559);
  assert.equal(e.gpu.samples, 9);
  assert.equal(e.gpu.memoryPeakMiB, 1315);
  assert.ok(e.findings.some((f) => f.kind === 'input-bound'));
  const independent = trapezoidWh(e.startMs, e.endMs);
  assert.ok(Math.abs(e.gpu.energyWh! - independent) / independent < 0.01, `${e.gpu.energyWh} Wh vs ${independent} Wh`);
  assert.equal(e.gpu.cost, (e.gpu.energyWh! / 1000) * 0.3);
});

test('stalled: the process lives and 70 s pass with no event after the last step', async () => {
  const run = await recorded();
  const e = computeRunEfficiency({ ...run, processAlive: true }, log.history, { nowMs: Date.parse('2026-11-23T03:55:29.787Z') });
  const stall = e.findings.find((f) => f.kind === 'stalled');
  assert.ok(stall, JSON.stringify(e.findings));
  assert.equal(stall.severity, 'warning');
  assert.equal(stall.message, 'stalled: no new events for 1.2 min after step 560, 41796 times the usual 1.7 ms between logged steps, while the process lives');
  const alive = computeRunEfficiency({ ...run, processAlive: false }, log.history, { nowMs: Date.parse('2026-11-23T03:55:29.787Z') });
  assert.equal(alive.findings.some((f) => f.kind === 'stalled'), false);
});
