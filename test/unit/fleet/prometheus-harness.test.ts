// The Prometheus test server the fleet tests share: it starts on loopback, scrapes what it is told,
// answers PromQL through its HTTP API, and leaves no process or folder behind.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { startPrometheus } from '../../servers/prometheus/harness';

test('startPrometheus scrapes itself, answers PromQL and stops with its data directory', async () => {
  const prom = await startPrometheus({ scrapeConfigs: [] });
  const dir = dirname(prom.configPath);
  try {
    const two = await prom.query('1 + 1');
    assert.equal(two[0]!.value[1], '2');
    await assert.rejects(prom.query('sum('), /bad_data|parse error/);
  } finally {
    await prom.stop();
  }
  assert.equal(existsSync(dir), false);
});

test('a scrape job of targets is scraped every second and its samples arrive through the API', async () => {
  const first = await startPrometheus({ scrapeConfigs: [] });
  const prom = await startPrometheus({ scrapeConfigs: [{ job_name: 'peer', targets: [`127.0.0.1:${first.port}`], labels: { team: 'ml' } }] });
  try {
    const up = await prom.waitFor('up{job="peer"} == 1');
    assert.equal(up.length, 1);
    assert.equal(up[0]!.metric.team, 'ml');
    assert.equal(up[0]!.metric.instance, `127.0.0.1:${first.port}`);
    const targets = await prom.targets();
    assert.deepEqual(targets.map((t) => t.health), ['up']);
  } finally {
    await prom.stop();
    await first.stop();
  }
});
