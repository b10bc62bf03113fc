// The cluster's GPUs end to end: a real Prometheus (Debian's 2.42) scrapes the replay of two
// dcgm-exporter nodes, and `modelmon gpu --prometheus` reads them back through its HTTP API. Then
// the client against servers that misbehave: down, slow, erroring, huge, garbled.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPrometheus, freePort, type Prometheus } from '../../servers/prometheus/harness';
import { startDcgmReplay, type DcgmReplay } from '../../servers/dcgm-exporter/server';
import { CLUSTER } from '../../servers/dcgm-exporter/exposition';
import { buildCliBundle } from '../helpers/cliBundle';
import { runCli, captureIO } from '../helpers/cli';
import { main } from '../../../src/cli/main';
import { parsePrometheusUrl, queryClusterGpus } from '../../../src/io/gpu/prometheus';
import { PrometheusGpuSource } from '../../../src/io/gpu/prometheusSource';
import type { GpuSourceEvent } from '../../../src/io/gpu/gpuSource';

let prom: Prometheus;
let nodes: DcgmReplay[] = [];
let cli: string;

before(async () => {
  nodes = [await startDcgmReplay(CLUSTER[0]!), await startDcgmReplay(CLUSTER[1]!)];
  prom = await startPrometheus({ scrapeConfigs: [{ job_name: 'dcgm-exporter', targets: nodes.map((n) => n.target) }] });
  await prom.waitFor('count(DCGM_FI_DEV_GPU_UTIL)', (s) => s[0]?.value[1] === '6', 30_000);
  cli = await buildCliBundle('dcgm-prometheus');
});

after(async () => {
  await prom?.stop();
  for (const n of nodes) await n.stop();
});

function runBundle(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

test('modelmon gpu --prometheus URL --once --json lists every GPU of both nodes with host and source "dcgm"', async () => {
  const r = await runBundle(['gpu', '--prometheus', prom.url, '--once', '--json']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  const record = JSON.parse(r.out) as { ts: string; host: unknown; gpus: Array<Record<string, unknown>> };
  assert.equal(record.host, null);
  assert.deepEqual(
    record.gpus.map((g) => [g.host, g.source, g.index, g.uuid, g.utilizationGpu, g.memoryUsedMiB, g.memoryTotalMiB, g.temperatureC, g.memoryTemperatureC, g.powerW, g.job, g.xid, g.rowRemapFailure]),
    [
      ['node-a', 'dcgm', 0, 'GPU-5f2a1c3e-9d41-4b7a-8e0c-1a2b3c4d5e60', 97, 71234, 81559, 71, 78, 612.482, 'ml-team/train-llm-0', 0, 0],
      ['node-a', 'dcgm', 1, 'GPU-5f2a1c3e-9d41-4b7a-8e0c-1a2b3c4d5e61', 0, 1347, 81559, 34, 36, 71.207, 'ml-team/train-llm-0', 0, 0],
      ['node-a', 'dcgm', 2, 'GPU-5f2a1c3e-9d41-4b7a-8e0c-1a2b3c4d5e62', 0, 0, 81559, 31, 33, 69.9, null, 79, 0],
      ['node-a', 'dcgm', 3, 'GPU-5f2a1c3e-9d41-4b7a-8e0c-1a2b3c4d5e63', 100, 40960, 81559, 88, 92, 699.03, null, 0, 0],
      ['node-b', 'dcgm', 0, 'GPU-0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f0', 64, 60416, 81920, 55, 61, 301.5, 'research/eval-7f9c', 0, 1],
      ['node-b', 'dcgm', 1, 'GPU-0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f1', 0, 870, 81920, 29, null, 58.318, null, 0, 0],
    ],
  );
  // Today's per-GPU fields are all still there, in their order, before the cluster ones.
  assert.deepEqual(Object.keys(record.gpus[0]!), [
    'index', 'vendor', 'name', 'uuid', 'utilizationGpu', 'utilizationMemory', 'memoryUsedMiB', 'memoryTotalMiB', 'temperatureC', 'powerW', 'powerLimitW',
    'smClockMHz', 'pstate', 'throttleReasons', 'fanPercent', 'memoryTemperatureC', 'eccUncorrectedVolatile', 'migEnabled', 'host', 'source', 'job', 'xid', 'rowRemapFailure',
  ]);
});

test('--match narrows the query to one node, one pod, or a regex; --gpu picks an index on every node', async () => {
  const pick = async (args: string[]) => {
    const r = await runCli(['gpu', '--prometheus', prom.url, '--once', '--json', ...args]);
    assert.equal(r.code, 0, r.err);
    return (JSON.parse(r.out) as { gpus: Array<{ host: string; index: number }> }).gpus.map((g) => `${g.host}/${g.index}`);
  };
  assert.deepEqual(await pick(['--match', '{Hostname="node-b"}']), ['node-b/0', 'node-b/1']);
  assert.deepEqual(await pick(['--match', '{namespace="ml-team",pod=~"train-.*"}']), ['node-a/0', 'node-a/1']);
  assert.deepEqual(await pick(['--match', 'modelName=~".*A100.*"']), ['node-b/0', 'node-b/1']);
  assert.deepEqual(await pick(['--gpu', '0']), ['node-a/0', 'node-b/0']);
});

test('the text form names each GPU by host', async () => {
  const r = await runCli(['gpu', '--prometheus', prom.url, '--once', '--match', '{Hostname="node-a",gpu="3"}']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^\d\d:\d\d:\d\d node-a GPU3 NVIDIA H100 80GB HBM3  util 100%  mem 40960\/81559 MiB  88°C  699\/- W  SM 1980 MHz  -\n$/);
});

test('a range query reads the scraped history back, one cluster snapshot per step', async () => {
  const { queryClusterGpuHistory } = await import('../../../src/io/gpu/prometheus');
  // Three steps need three seconds of scrapes behind them.
  await prom.waitFor('min(count_over_time(DCGM_FI_DEV_GPU_TEMP[1m])) >= 4', undefined, 15_000);
  const end = Date.now();
  const r = await queryClusterGpuHistory(new URL(prom.url + '/'), [], { startMs: end - 2000, endMs: end, stepMs: 1000 });
  assert.equal(r.kind, 'ok');
  if (r.kind !== 'ok') return;
  assert.equal(r.value.length, 3);
  for (const s of r.value) assert.deepEqual(s.gpus.map((g) => g.temperatureC), [71, 34, 31, 88, 55, 29]);
});

test('no matching series, a bad matcher, a bad URL: clear messages and exit codes', async () => {
  const none = await runCli(['gpu', '--prometheus', prom.url, '--once', '--match', '{Hostname="node-z"}']);
  assert.deepEqual([none.code, none.out], [3, '']);
  assert.equal(none.err, `modelmon gpu: no GPU found: Prometheus at ${prom.url} holds no DCGM series matching --match (is dcgm-exporter scraped?)\n`);
  const bad = await runCli(['gpu', '--prometheus', prom.url, '--once', '--match', '{pod=~"("}']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--match: label matcher '\{pod=~"\("\}': the regular expression for 'pod' is invalid/);
  const url = await runCli(['gpu', '--prometheus', 'prometheus:9090', '--once']);
  assert.equal(url.code, 2);
  assert.match(url.err, /--prometheus: 'prometheus:9090' is not an http or https URL/);
  const creds = await runCli(['gpu', '--prometheus', 'http://admin:secret@127.0.0.1:9090', '--once']);
  assert.match(creds.err, /must not carry a user name or password/);
  assert.doesNotMatch(creds.err, /secret/);
  const mixed = await runCli(['gpu', '--prometheus', prom.url, '--smi', '/usr/bin/nvidia-smi', '--once']);
  assert.match(mixed.err, /--smi and --backend choose a local tool and cannot go with it/);
  const lone = await runCli(['gpu', '--match', '{a="b"}', '--once']);
  assert.match(lone.err, /--match needs --prometheus/);
});

/** A stand-in that misbehaves in one given way; each request is answered by `handler`. */
async function misbehaving(handler: http.RequestListener): Promise<{ url: URL; requests: () => number; stop: () => Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    n++;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/`),
    requests: () => n,
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

test('Prometheus down, slow, erroring, huge or garbled: a message saying which, within the deadline', async () => {
  const down = new URL(`http://127.0.0.1:${await freePort()}/`);
  const r1 = await queryClusterGpus(down, []);
  assert.deepEqual(r1, { kind: 'error', message: `cannot reach Prometheus at ${down.origin}: nothing listens there (is Prometheus running?)`, retry: true });

  const slow = await misbehaving(() => undefined); // never answers
  const t0 = Date.now();
  const r2 = await queryClusterGpus(slow.url, [], { timeoutMs: 300 });
  assert.deepEqual(r2, { kind: 'error', message: `Prometheus at ${slow.url.origin} did not answer within 0.3 s`, retry: true });
  assert.ok(Date.now() - t0 < 2000);
  await slow.stop();

  const overloaded = await misbehaving((_, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}'));
  assert.deepEqual(await queryClusterGpus(overloaded.url, []), { kind: 'error', message: `Prometheus at ${overloaded.url.origin}: Prometheus answered an error (timeout): query timed out in expression evaluation`, retry: true });
  await overloaded.stop();

  const proxy = await misbehaving((_, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>'));
  assert.deepEqual(await queryClusterGpus(proxy.url, []), { kind: 'error', message: `Prometheus at ${proxy.url.origin} answered HTTP 502: <html><body><h1>502 Bad Gateway</h1></body></html>`, retry: true });
  await proxy.stop();

  // A body with no length that goes on and on: cut at the cap, not buffered.
  const huge = await misbehaving((_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    res.on('error', () => undefined);
    pump();
  });
  const r5 = await queryClusterGpus(huge.url, [], { maxBytes: 1024 * 1024 });
  assert.deepEqual(r5, { kind: 'error', message: `Prometheus at ${huge.url.origin} answered more than the 1.0 MiB allowed; narrow the label matcher`, retry: false });
  await huge.stop();

  const declared = await misbehaving((_, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(64 * 1024 * 1024) }).end());
  assert.match((await queryClusterGpus(declared.url, [], { maxBytes: 1024 * 1024 })).kind === 'error' ? 'answered 64.0 MiB' : '', /answered 64.0 MiB/);
  await declared.stop();

  const garbled = await misbehaving((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"DCGM_FI_DEV_GPU_TEMP"},"value":[1,"warm"]}]}}'));
  assert.deepEqual(await queryClusterGpus(garbled.url, []), { kind: 'error', message: `Prometheus at ${garbled.url.origin}: data.result[0].value: 'warm' is not a number`, retry: true });
  await garbled.stop();

  const badQuery = await misbehaving((_, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"status":"error","errorType":"bad_data","error":"parse error"}'));
  const r8 = await queryClusterGpus(badQuery.url, []);
  assert.equal(r8.kind === 'error' && r8.retry, false);
  await badQuery.stop();
});

test('the CLI says when Prometheus is down, and exits 2', async () => {
  const port = await freePort();
  const r = await runCli(['gpu', '--prometheus', `http://127.0.0.1:${port}`, '--once', '--json']);
  assert.deepEqual(r, { code: 2, out: '', err: `modelmon gpu: cannot reach Prometheus at http://127.0.0.1:${port}: nothing listens there (is Prometheus running?)\n` });
});

test('follow mode polls; while Prometheus errors it backs off (doubling to its cap) and resumes when it answers again', async () => {
  let failing = true;
  const flaky = await misbehaving((req, res) => {
    if (failing) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
    // Relay to the real Prometheus once it "recovers".
    http.get(new URL(req.url!, prom.url), (up) => {
      res.writeHead(up.statusCode ?? 500, up.headers);
      up.pipe(res);
    });
  });
  const source = new PrometheusGpuSource({ url: flaky.url, matchers: [], intervalMs: 200, backoff: { initialMs: 100, maxMs: 400 } });
  const events: GpuSourceEvent[] = [];
  source.on((e) => events.push(e));
  source.start();
  const until = async (ok: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out; events: ${JSON.stringify(events.map((e) => e.type))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until(() => events.filter((e) => e.type === 'status').length >= 4);
  const delays = events.flatMap((e) => (e.type === 'status' && e.status.state === 'retrying' ? [e.status.delayMs] : []));
  assert.deepEqual(delays.slice(0, 4), [100, 200, 400, 400]);
  const first = events[0];
  assert.equal(first?.type === 'status' && first.status.state === 'retrying' && first.status.reason, `Prometheus at ${flaky.url.origin} answered HTTP 503: Service Unavailable`);
  failing = false;
  await until(() => events.filter((e) => e.type === 'snapshot').length >= 2);
  const snaps = events.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : []));
  assert.deepEqual(snaps[0]!.gpus.map((g) => `${g.cluster?.host}/${g.index}`), ['node-a/0', 'node-a/1', 'node-a/2', 'node-a/3', 'node-b/0', 'node-b/1']);
  await source.dispose();
  const seen = flaky.requests();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(flaky.requests(), seen, 'no query after dispose');
  await flaky.stop();
});

test('modelmon gpu --prometheus follows until interrupted, printing each poll', async () => {
  const controller = new AbortController();
  const io = captureIO({ signal: controller.signal });
  const done = main(['gpu', '--prometheus', prom.url, '--json', '--interval', '200', '--match', '{Hostname="node-b"}'], io);
  const deadline = Date.now() + 10_000;
  while (io.stdout().split('\n').filter(Boolean).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  controller.abort();
  await done;
  const lines = io.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { gpus: Array<{ host: string }> });
  assert.ok(lines.length >= 2, io.stderr());
  for (const l of lines) assert.deepEqual(l.gpus.map((g) => g.host), ['node-b', 'node-b']);
});

test('parsePrometheusUrl keeps a path prefix and drops query and fragment', () => {
  const r = parsePrometheusUrl('https://mon.example/prometheus?x=1#y');
  assert.equal('url' in r && r.url.href, 'https://mon.example/prometheus/');
});
