import { writeFileSync } from 'node:fs';
import type { BenchFigure } from './harness';
import { bench as tfevents } from './tfevents.bench';
import { bench as tfeventsScale } from './tfevents-scale.bench';
import { bench as drift } from './drift.bench';
import { bench as gpu } from './gpu.bench';
import { bench as integrity } from './integrity.bench';
import { bench as predictions, benchMultivariate as multivariate } from './predictions.bench';
import { bench as predictionsFormats } from './predictions-formats.bench';
import { bench as endpoints } from './endpoints.bench';
import { bench as estimation } from './estimation.bench';
import { bench as falseAlarms } from './false-alarms.bench';
import { bench as dcgm } from './dcgm.bench';
import { bench as fleet } from './fleet.bench';
import { bench as cli } from './cli.bench';
import { bench as efficiency } from './efficiency.bench';
import { bench as floors } from './floors.bench';

const engines: Record<string, () => Promise<BenchFigure[]>> = { tfevents, 'tfevents-scale': tfeventsScale, drift, gpu, integrity, predictions, multivariate, 'predictions-formats': predictionsFormats, endpoints, dcgm, estimation, 'false-alarms': falseAlarms, fleet, cli, efficiency, floors };

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const all: BenchFigure[] = [];
  for (const [name, run] of Object.entries(engines)) {
    if (only.length && !only.includes(name)) continue;
    process.stdout.write(`\n== ${name}\n`);
    const figures = await run();
    for (const f of figures) {
      const v = f.value >= 100 ? f.value.toFixed(0) : f.value.toPrecision(3);
      process.stdout.write(`  ${f.name.padEnd(52)} ${v.padStart(12)} ${f.unit.padEnd(10)} ${f.anchor ?? ''}\n`);
    }
    all.push(...figures);
  }
  writeFileSync('dist/bench-results.json', JSON.stringify(all, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
