import { readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { GPU_FIELDS, SnapshotAssembler, parseGpuLine, type QueryField } from '../src/core/gpu';
import { GpuSampler } from '../src/io/gpu';
import type { BenchFigure } from './harness';

const FIXTURES = resolve('test/fixtures/nvidia-smi');

/** Parses the recorded 250 ms loop (as the sampler would, with nounits) many times over. */
function parseRate(): BenchFigure {
  const names = readFileSync(join(FIXTURES, 'fields.txt'), 'utf8').trim().split(',');
  const query: QueryField[] = names.map((n) => {
    const field = GPU_FIELDS.find((f) => f.names.includes(n))!;
    return { field, nameIndex: field.names.indexOf(n) };
  });
  const lines = readFileSync(join(FIXTURES, 'query-gpu-loop-250ms.csv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => l.replace(/ (%|MiB|W|MHz)(?=,|$)/g, ''));
  let best = Infinity;
  const rounds = 20;
  for (let r = 0; r < 5; r++) {
    const assembler = new SnapshotAssembler(1);
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (let k = 0; k < rounds; k++) {
      for (const line of lines) {
        const p = parseGpuLine(line, query);
        if (p.ok) n += assembler.push(p.values, 0).length;
      }
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (n !== lines.length * rounds) throw new Error(`parsed ${n} of ${lines.length * rounds} lines`);
    best = Math.min(best, s / n);
  }
  return { engine: 'gpu', name: 'parse nvidia-smi lines (25 fields, 1 GPU)', value: 1 / best, unit: 'lines/s' };
}

/** The sampler's own CPU (this process only) at a 1 s interval, over 10 s of the stand-in streaming at real pace. */
async function samplerCpu(): Promise<BenchFigure[]> {
  const env = { ...process.env, PATH: `${join(FIXTURES, 'bin')}${delimiter}${process.env.PATH}`, MODELMON_FAKE_SMI_SPEED: '1' };
  const sampler = new GpuSampler({ intervalMs: 1000, env });
  let samples = 0;
  sampler.on((e) => {
    if (e.type === 'snapshot') samples++;
  });
  sampler.start();
  // Let the probe and stream start-up pass; the steady state is what runs for hours.
  await new Promise((r) => setTimeout(r, 1500));
  const startSamples = samples;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, 10_000));
  const cpu = process.cpuUsage(cpu0);
  const wallUs = Number(process.hrtime.bigint() - t0) / 1e3;
  const got = samples - startSamples;
  await sampler.dispose();
  const pct = (100 * (cpu.user + cpu.system)) / wallUs;
  return [
    { engine: 'gpu', name: 'sampler CPU at 1 s interval (10 s, incl. compute-apps polls)', value: pct, unit: '% of core', anchor: '< 0.5%' },
    { engine: 'gpu', name: 'samples received in those 10 s', value: got, unit: 'samples', anchor: '10' },
  ];
}

export async function bench(): Promise<BenchFigure[]> {
  return [parseRate(), ...(await samplerCpu())];
}
