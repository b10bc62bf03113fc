// The families modelmon watch publishes: each value read off the check's verdicts and views, the
// pages prom-client renders in both formats (promtool-clean), and the shared, once-per-change page.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as http from 'node:http';
import { test } from 'node:test';
import { decide, judgeMonitor, type MonitorObservation, type MonitorType } from '../../../src/core/check';
import type { Acknowledgement } from '../../../src/core/config';
import { samplesOf, type FleetSnapshot, type Sample } from '../../../src/core/fleet/families';
import type { MonitorView } from '../../../src/core/report/types';
import type { GpuReading } from '../../../src/core/gpu/types';
import { MetricsExposition, negotiate } from '../../../src/io/fleet/exposition';
import { startMetricsServer, parseListen } from '../../../src/io/fleet/metricsServer';
import { PROMTOOL } from '../../servers/prometheus/harness';
import { get, pageValue } from './watchProcess';

const observation = (findings: MonitorObservation['findings']): MonitorObservation => ({ findings, summary: '', tables: [] });
const acks: Acknowledgement[] = [{ monitor: 'run', kind: 'overfitting', reason: 'known' }];

function judged(name: string, type: MonitorType, findings: MonitorObservation['findings']) {
  return judgeMonitor({ name, type, target: name, severity: {} }, observation(findings), acks, 'error', 0);
}

const reading = (over: Partial<GpuReading>): GpuReading =>
  ({ index: 0, vendor: 'nvidia', name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-1', utilizationGpu: 37, memoryUsedMiB: 1024, memoryTotalMiB: 81559, temperatureC: 61, powerW: 250.5, ...over }) as GpuReading;

function snapshot(): FleetSnapshot {
  const monitors = [
    judged('run', 'training', [
      { kind: 'non-finite', severity: 'error', message: 'loss is NaN', subject: 'run/loss', location: { tag: 'loss', step: 10 } },
      { kind: 'non-finite', severity: 'error', message: 'loss is Inf', subject: 'run/loss', location: { tag: 'loss', step: 11 } },
      { kind: 'non-finite', severity: 'error', message: 'acc is NaN', subject: 'run/train/acc', location: { tag: 'train/acc', step: 10 } },
      { kind: 'overfitting', severity: 'warning', message: 'val rises', subject: 'run/val', location: { tag: 'val' } },
      { kind: 'lr-step-change', severity: 'warning', message: 'lr dropped', subject: 'run/lr', location: { tag: 'lr' } },
    ]),
    judged('tabular', 'predictions', [{ kind: 'data_drift', severity: 'warning', message: 'drift', subject: 'age' }]),
    judged('ckpt', 'integrity', [{ kind: 'modified', severity: 'error', message: 'changed', subject: 'a.pt' }]),
    judged('api', 'endpoint', []),
    judged('down', 'endpoint', [{ kind: 'endpoint-down', severity: 'error', message: 'refused', subject: 'http://x' }]),
  ];
  const result = decide('modelmon.json', 'error', monitors, '2026-12-02T00:00:00.000Z', 0);
  const views: (MonitorView | undefined)[] = [
    { type: 'training', view: { runs: [{ name: 'run', tags: ['loss'], lastStep: 1200, lastWallTime: 1 }, { name: 'empty', tags: [], lastStep: null, lastWallTime: null }], series: [], findings: [] } },
    {
      type: 'predictions',
      view: {
        log: 'p.csv',
        rows: 4000,
        windows: [
          { start: 0, end: 499, metrics: { accuracy: 0.5, estimatedAccuracy: 0.6 } },
          { start: 500, end: 999, metrics: { accuracy: 0.912, estimatedAccuracy: null } },
        ],
        features: [
          { feature: 'age', kind: 'numeric', statistic: 'ks', value: 0.31, test: 'ks', pValue: 1e-9, drifted: true },
          { feature: 'city', kind: 'categorical', statistic: 'psi', value: 0.02, test: null, pValue: null, drifted: false },
        ],
        alerts: [],
        segments: [],
        suspicious: [],
      },
    },
    undefined,
    undefined,
    undefined,
  ];
  return { version: '9.9.9', result, views, gpu: { snapshot: { timeMs: 0, gpus: [reading({}), reading({ index: 1, uuid: null, name: null, utilizationGpu: null, powerW: null })] }, energyJoules: new Map([['GPU-1', 3600.5]]) } };
}

const flat = (samples: Sample[]) => samples.map((s) => `${s.family.name}{${Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(',')}} ${s.value}`);

test('samplesOf reads every value off the check result and views', () => {
  assert.deepEqual(flat(samplesOf(snapshot())), [
    'modelmon_build_info{version="9.9.9"} 1',
    'modelmon_check_failed{} 1',
    'modelmon_monitor_failed{monitor="run",type="training"} 1',
    'modelmon_findings{monitor="run",kind="non-finite",severity="error"} 3',
    'modelmon_findings{monitor="run",kind="lr-step-change",severity="warning"} 1',
    'modelmon_findings_acknowledged{monitor="run",kind="overfitting"} 1',
    'modelmon_alerts_active{monitor="run",kind="non-finite"} 3',
    // Only tags with an active finding; the step is never a label, the acknowledged tag has none.
    'modelmon_training_tag_findings{monitor="run",run="run",tag="loss",kind="non-finite"} 2',
    'modelmon_training_tag_findings{monitor="run",run="run",tag="train/acc",kind="non-finite"} 1',
    'modelmon_training_tag_findings{monitor="run",run="run",tag="lr",kind="lr-step-change"} 1',
    'modelmon_training_last_step{monitor="run",run="run"} 1200',
    'modelmon_monitor_failed{monitor="tabular",type="predictions"} 0',
    'modelmon_findings{monitor="tabular",kind="data_drift",severity="warning"} 1',
    'modelmon_prediction_rows_total{monitor="tabular"} 4000',
    'modelmon_prediction_accuracy_ratio{monitor="tabular"} 0.912',
    'modelmon_feature_drifted{monitor="tabular",feature="age"} 1',
    'modelmon_feature_drift_score{monitor="tabular",feature="age",test="ks"} 0.31',
    'modelmon_feature_drift_p_value{monitor="tabular",feature="age",test="ks"} 1e-9',
    'modelmon_feature_drifted{monitor="tabular",feature="city"} 0',
    'modelmon_feature_drift_score{monitor="tabular",feature="city",test="psi"} 0.02',
    'modelmon_monitor_failed{monitor="ckpt",type="integrity"} 1',
    'modelmon_findings{monitor="ckpt",kind="modified",severity="error"} 1',
    'modelmon_alerts_active{monitor="ckpt",kind="modified"} 1',
    'modelmon_checkpoint_verified{monitor="ckpt"} 0',
    'modelmon_monitor_failed{monitor="api",type="endpoint"} 0',
    'modelmon_endpoint_up{endpoint="api"} 1',
    'modelmon_monitor_failed{monitor="down",type="endpoint"} 1',
    'modelmon_findings{monitor="down",kind="endpoint-down",severity="error"} 1',
    'modelmon_alerts_active{monitor="down",kind="endpoint-down"} 1',
    'modelmon_endpoint_up{endpoint="down"} 0',
    'modelmon_gpu_utilization_ratio{gpu="0",uuid="GPU-1",name="NVIDIA H100 80GB HBM3"} 0.37',
    'modelmon_gpu_memory_used_bytes{gpu="0",uuid="GPU-1",name="NVIDIA H100 80GB HBM3"} 1073741824',
    'modelmon_gpu_memory_total_bytes{gpu="0",uuid="GPU-1",name="NVIDIA H100 80GB HBM3"} 85520809984',
    'modelmon_gpu_temperature_celsius{gpu="0",uuid="GPU-1",name="NVIDIA H100 80GB HBM3"} 61',
    'modelmon_gpu_power_watts{gpu="0",uuid="GPU-1",name="NVIDIA H100 80GB HBM3"} 250.5',
    'modelmon_gpu_energy_joules_total{gpu="0",uuid="GPU-1",name="NVIDIA H100 80GB HBM3"} 3600.5',
    // A GPU without a reading publishes what it has, never a made-up zero.
    'modelmon_gpu_memory_used_bytes{gpu="1",uuid="",name=""} 1073741824',
    'modelmon_gpu_memory_total_bytes{gpu="1",uuid="",name=""} 85520809984',
    'modelmon_gpu_temperature_celsius{gpu="1",uuid="",name=""} 61',
    'modelmon_gpu_energy_joules_total{gpu="1",uuid="",name=""} 0',
  ]);
});

test('the check-wide figures agree with the verdict: alerts sum to the failing findings, findings to the counts', () => {
  const s = snapshot();
  const samples = samplesOf(s);
  const sum = (name: string, severity?: string) => samples.filter((x) => x.family.name === name && (severity === undefined || x.labels.severity === severity)).reduce((a, x) => a + x.value, 0);
  assert.equal(sum('modelmon_findings', 'error'), s.result.counts.error);
  assert.equal(sum('modelmon_findings', 'warning'), s.result.counts.warning);
  assert.equal(sum('modelmon_findings_acknowledged'), s.result.counts.acknowledged);
  assert.equal(sum('modelmon_alerts_active'), s.result.monitors.flatMap((m) => m.findings).filter((f) => !f.acknowledged && f.severity === 'error').length);
});

test('both formats render the same values and pass promtool; counters keep _total in the text page after an OpenMetrics render', async () => {
  const exposition = new MetricsExposition();
  exposition.apply(samplesOf(snapshot()));
  exposition.observeProbes('api', [0.004, 0.02, 0.3]);
  const open = (await exposition.render('openmetrics')).body.toString();
  const text = (await exposition.render('prometheus')).body.toString();
  assert.match(open, /# EOF\n$/);
  assert.equal(pageValue(open, 'modelmon_prediction_rows_total{monitor="tabular"}'), 4000);
  assert.equal(pageValue(text, 'modelmon_prediction_rows_total{monitor="tabular"}'), 4000);
  assert.equal(pageValue(text, 'modelmon_endpoint_probe_duration_seconds_bucket{le="0.005",endpoint="api"}'), 1);
  assert.equal(pageValue(text, 'modelmon_endpoint_probe_duration_seconds_bucket{le="0.025",endpoint="api"}'), 2);
  assert.equal(pageValue(text, 'modelmon_endpoint_probe_duration_seconds_count{endpoint="api"}'), 3);
  assert.equal(pageValue(open, 'modelmon_endpoint_probe_duration_seconds_count{endpoint="api"}'), 3);
  const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(lint.status, 0, lint.stdout + lint.stderr);
  // A cleared finding leaves no stale series, and a dropped endpoint loses its histogram.
  exposition.apply(samplesOf({ ...snapshot(), views: [], result: decide('modelmon.json', 'error', [], '', 0) }));
  exposition.keepEndpoints(new Set());
  const after = (await exposition.render('prometheus')).body.toString();
  assert.equal(pageValue(after, 'modelmon_findings{monitor="run",kind="non-finite",severity="error"}'), undefined);
  assert.equal(pageValue(after, 'modelmon_endpoint_probe_duration_seconds_count{endpoint="api"}'), undefined);
  assert.equal(pageValue(after, 'modelmon_check_failed'), 0);
});

test('a page is rendered once per change and shared by every scrape', async () => {
  const exposition = new MetricsExposition();
  exposition.apply(samplesOf(snapshot()));
  const a = await exposition.render('prometheus');
  const b = await exposition.render('prometheus');
  assert.equal(a.body, b.body);
  exposition.apply(samplesOf(snapshot()));
  assert.notEqual((await exposition.render('prometheus')).body, a.body);
});

test('Accept picks the format: OpenMetrics when asked (as Prometheus asks), text otherwise', () => {
  assert.equal(negotiate('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), 'openmetrics');
  assert.equal(negotiate('text/plain;version=0.0.4'), 'prometheus');
  assert.equal(negotiate('*/*'), 'prometheus');
  assert.equal(negotiate(undefined), 'prometheus');
});

test('--listen values: HOST:PORT, [IPv6]:PORT, and a message naming the flag otherwise', () => {
  assert.deepEqual(parseListen('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseListen('[::1]:9464'), { host: '::1', port: 9464 });
  assert.deepEqual(parseListen(':9464'), { host: '0.0.0.0', port: 9464 });
  for (const bad of ['9464', 'localhost', 'host:99999', 'a:b']) assert.match((parseListen(bad) as { error: string }).error, /^--listen must be HOST:PORT/);
});

test('the server: 503 before the first check, then the page in the asked format; 404 and 405 elsewhere', async () => {
  const exposition = new MetricsExposition();
  const server = await startMetricsServer(exposition, { host: '127.0.0.1', port: 0 });
  try {
    const url = `http://${server.address}`;
    const early = await get(`${url}/metrics`);
    assert.equal(early.status, 503);
    assert.equal(early.body, 'modelmon watch is running its first check\n');
    exposition.apply(samplesOf(snapshot()));
    const text = await get(`${url}/metrics`);
    assert.equal(text.status, 200);
    assert.equal(text.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(pageValue(text.body, 'modelmon_check_failed'), 1);
    const open = await get(`${url}/metrics`, { accept: 'application/openmetrics-text; version=1.0.0' });
    assert.equal(open.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.match(open.body, /# EOF\n$/);
    assert.equal((await get(`${url}/nope`)).status, 404);
    const post = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${url}/metrics`, { method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(post, 405);
  } finally {
    await server.close();
  }
});
