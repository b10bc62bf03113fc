// Prometheus scrapes `modelmon watch` on the example workspace (with a stand-in nvidia-smi and two
// endpoints, one up, one down), and node-exporter reads its textfile; the values that arrive
// through Prometheus's API agree with `modelmon check --json` on the same files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse as parseJsonc } from '../../../src/core/config/jsonc';
import { formatNumber } from '../../../src/core/charts';
import { PROMTOOL, startNodeExporter, startPrometheus, type VectorSample } from '../../servers/prometheus/harness';
import { scratchDir } from '../helpers/scratch';
import { captureIO } from '../helpers/cli';
import { main } from '../../../src/cli/main';
import { get, startWatch } from './watchProcess';

const FAKE_SMI = resolve('test/fixtures/nvidia-smi/bin');
const RANK = { info: 0, warning: 1, error: 2 } as const;

interface CheckJson {
  verdict: 'pass' | 'fail';
  failOn: 'warning' | 'error';
  monitors: {
    name: string;
    type: string;
    failed: boolean;
    summary: string;
    driftedFeatures: string[];
    tables: { caption: string; rows: string[][] }[];
    findings: { kind: string; severity: 'info' | 'warning' | 'error'; acknowledged?: string; subject?: string; location?: { tag?: string } }[];
  }[];
}

/** "name{k=v,...}" without job and instance, for comparing vectors. */
function key(s: VectorSample, without = ['job', 'instance']): string {
  const labels = Object.entries(s.metric).filter(([k]) => k !== '__name__' && !without.includes(k)).sort(([a], [b]) => (a < b ? -1 : 1));
  return `${s.metric.__name__ ?? ''}{${labels.map(([k, v]) => `${k}=${v}`).join(',')}}`;
}
const asMap = (samples: VectorSample[]) => new Map(samples.map((s) => [key(s), Number(s.value[1])]));

function countBy<T>(items: T[], keyOf: (t: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of items) out.set(keyOf(i), (out.get(keyOf(i)) ?? 0) + 1);
  return out;
}

function endpointServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      done({ url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) });
    }),
  );
}

test('Prometheus scrapes modelmon watch and its textfile; every value agrees with modelmon check --json', async () => {
  const workspace = scratchDir('fleet-example');
  cpSync('examples', workspace, { recursive: true });
  const textfiles = scratchDir('fleet-textfile');
  const api = await endpointServer();
  // A port nobody listens on: the endpoint is down.
  const downUrl = await new Promise<string>((done) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => done(`http://127.0.0.1:${port}/`));
    });
  });
  const example = parseJsonc(readFileSync('examples/modelmon.json', 'utf8'), [], { allowTrailingComma: true }) as Record<string, unknown>;
  const config = {
    ...example,
    gpu: { enabled: true, maxTemperatureC: 85 },
    endpoints: [
      { name: 'api', url: api.url, protocol: 'http', requests: 2, intervalMs: 1000, timeoutMs: 2000 },
      { name: 'down', url: downUrl, protocol: 'http', requests: 2, intervalMs: 1000, timeoutMs: 2000 },
    ],
  };
  writeFileSync(join(workspace, 'modelmon.json'), JSON.stringify(config, null, 2));
  const env = { PATH: `${FAKE_SMI}${delimiter}${process.env.PATH}` };

  const watch = await startWatch(workspace, ['--textfile', textfiles, '--gpu-interval', '1'], env);
  const exporter = await startNodeExporter(textfiles);
  const prom = await startPrometheus({ scrapeConfigs: [{ job_name: 'modelmon', targets: [watch.target] }, { job_name: 'node', targets: [exporter.target] }] });
  try {
    // The check of the same files, while watch keeps them published.
    const io = { ...captureIO({ cwd: workspace }), env };
    assert.equal(await main(['check', '--json'], io), 1, io.stderr());
    const check = JSON.parse(io.stdout()) as CheckJson;
    assert.deepEqual(check.monitors.map((m) => m.name), ['lightning_digits', 'tf2_style', 'nan_divergence', 'overfit_small_data', 'diverge_lr5', 'tabular', 'digits', 'checkpoints', 'gpu', 'api', 'down']);

    for (const job of ['modelmon', 'node']) {
      await prom.waitFor(`count(modelmon_monitor_failed{job="${job}"}) == ${check.monitors.length}`, undefined, 60_000);
    }
    const q = async (promql: string) => asMap(await prom.query(promql));

    // The verdict and each monitor's.
    assert.deepEqual(await q('modelmon_check_failed{job="modelmon"}'), new Map([['modelmon_check_failed{}', 1]]));
    assert.deepEqual(await q('modelmon_monitor_failed{job="modelmon"}'), new Map(check.monitors.map((m) => [`modelmon_monitor_failed{monitor=${m.name},type=${m.type}}`, m.failed ? 1 : 0])));

    // Findings by monitor, kind and severity; acknowledged ones apart; failing ones as alerts.
    const all = check.monitors.flatMap((m) => m.findings.map((f) => ({ ...f, monitor: m.name })));
    const active = all.filter((f) => f.acknowledged === undefined);
    assert.deepEqual(await q('modelmon_findings{job="modelmon"}'), countBy(active, (f) => `modelmon_findings{kind=${f.kind},monitor=${f.monitor},severity=${f.severity}}`));
    assert.deepEqual(await q('modelmon_findings_acknowledged{job="modelmon"}'), countBy(all.filter((f) => f.acknowledged !== undefined), (f) => `modelmon_findings_acknowledged{kind=${f.kind},monitor=${f.monitor}}`));
    const failing = active.filter((f) => RANK[f.severity] >= RANK[check.failOn]);
    assert.deepEqual(await q('modelmon_alerts_active{job="modelmon"}'), countBy(failing, (f) => `modelmon_alerts_active{kind=${f.kind},monitor=${f.monitor}}`));
    // The example's own figures, so a change in both at once cannot pass unseen.
    assert.equal(Number((await prom.query('sum(modelmon_findings{job="modelmon",severity="error"})'))[0]!.value[1]), 10);
    assert.equal(Number((await prom.query('sum(modelmon_alerts_active{job="modelmon"})'))[0]!.value[1]), 10);

    // Drift: the latest window's drifted features, exactly the check's list.
    for (const m of check.monitors.filter((x) => x.type === 'predictions')) {
      const drifted = await prom.query(`modelmon_feature_drifted{job="modelmon",monitor="${m.name}"} == 1`);
      assert.deepEqual(drifted.map((s) => s.metric.feature).sort(), [...m.driftedFeatures].sort(), m.name);
      const rows = Number(/^(\d+) rows/.exec(m.summary)![1]);
      assert.deepEqual(await q(`modelmon_prediction_rows_total{job="modelmon",monitor="${m.name}"}`), new Map([[`modelmon_prediction_rows_total{monitor=${m.name}}`, rows]]));
      const accuracy = /latest accuracy ([\d.]+)/.exec(m.summary)?.[1];
      const published = await prom.query(`modelmon_prediction_accuracy_ratio{job="modelmon",monitor="${m.name}"}`);
      if (accuracy === undefined) assert.deepEqual(published, []);
      else assert.equal(formatNumber(Number(published[0]!.value[1])), accuracy, m.name);
      // The estimate from confidences (no labels needed): the latest window's, as modelmon predictions --json gives it.
      const spec = (example.predictions as { name: string; log: string; window: number }[]).find((p) => p.name === m.name)!;
      const pio = captureIO({ cwd: workspace });
      assert.equal(await main(['predictions', spec.log, '--window', String(spec.window), '--json'], pio), 0, pio.stderr());
      const estimated = (JSON.parse(pio.stdout()) as { windows: { estimatedAccuracy?: number }[] }).windows.at(-1)!.estimatedAccuracy;
      assert.deepEqual(await q(`modelmon_prediction_estimated_accuracy_ratio{job="modelmon",monitor="${m.name}"}`), new Map([[`modelmon_prediction_estimated_accuracy_ratio{monitor=${m.name}}`, estimated]]));
    }
    assert.deepEqual(await q('modelmon_prediction_estimated_accuracy_ratio{job="modelmon"}'), new Map([['modelmon_prediction_estimated_accuracy_ratio{monitor=tabular}', 0.9782], ['modelmon_prediction_estimated_accuracy_ratio{monitor=digits}', 0.9401]]));
    assert.deepEqual((await prom.query('modelmon_feature_drifted{job="modelmon",monitor="tabular"} == 1')).map((s) => s.metric.feature).sort(), ['mean_radius', 'mean_texture', 'segment', 'worst_area']);
    // Training: each run's last step, as the check's runs table.
    for (const m of check.monitors.filter((x) => x.type === 'training')) {
      const table = m.tables.find((t) => t.caption === 'Runs')!;
      assert.deepEqual(await q(`modelmon_training_last_step{job="modelmon",monitor="${m.name}"}`), new Map(table.rows.map((r) => [`modelmon_training_last_step{monitor=${m.name},run=${r[0]}}`, Number(r[2])])), m.name);
    }
    // Per tag, only the tags with findings (nan_divergence's loss and grad-norm tags, ...).
    const tagged = active.filter((f) => f.location?.tag !== undefined);
    assert.ok(tagged.length >= 5);
    assert.deepEqual(
      await q('modelmon_training_tag_findings{job="modelmon"}'),
      countBy(tagged, (f) => `modelmon_training_tag_findings{kind=${f.kind},monitor=${f.monitor},run=${f.subject!.slice(0, -f.location!.tag!.length - 1)},tag=${f.location!.tag}}`),
    );
    assert.deepEqual(await q('modelmon_checkpoint_verified{job="modelmon"}'), new Map([['modelmon_checkpoint_verified{monitor=checkpoints}', 1]]));
    assert.deepEqual(await q('modelmon_endpoint_up{job="modelmon"}'), new Map([['modelmon_endpoint_up{endpoint=api}', 1], ['modelmon_endpoint_up{endpoint=down}', 0]]));
    // Every successful probe lands in the histogram; the down endpoint has none.
    const probes = await prom.waitFor('modelmon_endpoint_probe_duration_seconds_count{job="modelmon"} >= 4');
    assert.deepEqual(probes.map((s) => s.metric.endpoint), ['api']);
    assert.deepEqual(await prom.query('modelmon_endpoint_probe_duration_seconds_count{endpoint="down"}'), []);

    // The stand-in nvidia-smi's recorded H100.
    const gpu = { gpu: '0', uuid: 'GPU-c8c15712-c8dc-d96a-c46e-698c8453498d', name: 'NVIDIA H100 80GB HBM3' };
    const gpuKey = (name: string) => `${name}{gpu=0,name=${gpu.name},uuid=${gpu.uuid}}`;
    assert.deepEqual(await q('{__name__=~"modelmon_gpu_(utilization_ratio|memory_used_bytes|memory_total_bytes|temperature_celsius|power_watts)",job="modelmon"}'), new Map([
      [gpuKey('modelmon_gpu_utilization_ratio'), 0],
      [gpuKey('modelmon_gpu_memory_used_bytes'), 0],
      [gpuKey('modelmon_gpu_memory_total_bytes'), 81559 * 1048576],
      [gpuKey('modelmon_gpu_temperature_celsius'), 49],
      [gpuKey('modelmon_gpu_power_watts'), 128.01],
    ]));
    // At a constant 128.01 W, joules grow by 128.01 per second sampled.
    const energy = await prom.waitFor('modelmon_gpu_energy_joules_total{job="modelmon"} > 128');
    assert.equal(energy[0]!.metric.uuid, gpu.uuid);
    assert.deepEqual((await prom.query('modelmon_build_info{job="modelmon"}')).map((s) => s.metric.version), ['0.1.0']);

    // The textfile carries the same series through node-exporter (what moves each second aside).
    const moving = /^modelmon_(gpu_energy_joules_total|endpoint_probe_duration_seconds)/;
    const series = async (job: string) => new Map([...asMap(await prom.query(`{__name__=~"modelmon_.*",job="${job}"}`))].filter(([k]) => !moving.test(k)));
    const [viaNode, viaWatch] = [await series('node'), await series('modelmon')];
    const onlyIn = (a: Map<string, number>, b: Map<string, number>) => [...a.keys()].filter((k) => !b.has(k) || b.get(k) !== a.get(k));
    assert.deepEqual({ node: onlyIn(viaNode, viaWatch), watch: onlyIn(viaWatch, viaNode) }, { node: [], watch: [] });
    assert.equal((await prom.query('node_textfile_scrape_error{job="node"}'))[0]!.value[1], '0');

    // Both pages pass promtool's linter.
    const page = await get(`http://${watch.target}/metrics`);
    assert.match(String(page.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    for (const text of [page.body, readFileSync(join(textfiles, 'modelmon.prom'), 'utf8')]) {
      const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    }
    assert.equal(watch.child.exitCode, null);
  } finally {
    await prom.stop();
    await exporter.stop();
    assert.equal(await watch.stop(), 0);
    await api.close();
  }
});
