// Regenerates test/fixtures/dcgm: a real Prometheus scrapes the replay of both nodes, and its API answers are saved as they came.
// Run from the repository root: npx tsx test/servers/dcgm-exporter/capture.ts
import { writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { startPrometheus } from '../prometheus/harness';
import { startDcgmReplay } from './server';
import { CLUSTER, renderExposition } from './exposition';
import { dcgmSelector } from '../../../src/core/gpu/dcgm';

const get = (url: string) => new Promise<string>((res, rej) => http.get(url, (r) => { const c: Buffer[] = []; r.on('data', (b) => c.push(b)); r.on('end', () => res(Buffer.concat(c).toString())); }).on('error', rej));
(async () => {
  const a = await startDcgmReplay(CLUSTER[0]!);
  const b = await startDcgmReplay(CLUSTER[1]!);
  const prom = await startPrometheus({ scrapeConfigs: [{ job_name: 'dcgm-exporter', targets: [a.target, b.target] }] });
  try {
    await prom.waitFor('count(DCGM_FI_DEV_GPU_UTIL)', (s) => s[0]?.value[1] === '6', 30000);
    await new Promise((r) => setTimeout(r, 3500));
    const q = encodeURIComponent(dcgmSelector());
    const now = Math.floor(Date.now() / 1000);
    writeFileSync('test/fixtures/dcgm/query.json', await get(`${prom.url}/api/v1/query?query=${q}&time=${now}`));
    writeFileSync('test/fixtures/dcgm/query_range.json', await get(`${prom.url}/api/v1/query_range?query=${q}&start=${now - 3}&end=${now}&step=1s`));
    writeFileSync('test/fixtures/dcgm/bad_query.json', await get(`${prom.url}/api/v1/query?query=${encodeURIComponent('{Hostname=~"("}')}`));
    writeFileSync('test/fixtures/dcgm/node-a.prom', renderExposition(CLUSTER[0]!));
    writeFileSync('test/fixtures/dcgm/node-b.prom', renderExposition(CLUSTER[1]!));
    console.log('ok', now);
  } finally {
    await prom.stop(); await a.stop(); await b.stop();
  }
})();
