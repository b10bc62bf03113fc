// Probes, golden answers and traffic against a real model server (FastAPI + uvicorn +
// scikit-learn, KServe v2, prometheus_client) behind a real nginx, all on 127.0.0.1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { join } from 'node:path';
import { freePort, NO_FAULTS, startModelServer, startNginx, type ModelServer, type Nginx } from '../../servers/model-server/harness';
import { httpProbe, probeHealth, probeSeries, readAccessLog, fetchServerMetrics, type EndpointTarget } from '../../../src/io/endpoints';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';

let server: ModelServer;
let nginx: Nginx;
const iris = [5.1, 3.5, 1.4, 0.2];
const kserveBody = (rows: number[][]) => ({ inputs: [{ name: 'input-0', datatype: 'FP64', shape: [rows.length, 4], data: rows.flat() }] });

before(async () => {
  server = await startModelServer();
  nginx = await startNginx(server.port);
});
after(async () => {
  await server?.stop();
  await nginx?.stop();
});

const target = (over: Partial<EndpointTarget> = {}): EndpointTarget => ({ url: server.url, protocol: 'auto', timeoutMs: 3000, ...over });
const probeJson = async (args: string[], cwd?: string) => {
  const r = await runCli(['probe', ...args, '--json'], '', cwd);
  return { code: r.code, report: r.out ? JSON.parse(r.out) : null, err: r.err };
};

test('auto detects KServe v2 and reads the model version from the model metadata', async () => {
  const { code, report } = await probeJson([server.url, '--model', 'iris', '--requests', '3', '--interval', '0']);
  assert.equal(code, 0);
  assert.equal(report.protocol, 'kserve-v2');
  assert.equal(report.target, `${server.url}/v2/models/iris/ready`);
  assert.equal(report.requests, 3);
  assert.equal(report.ok, 3);
  assert.equal(report.availability, 1);
  assert.equal(report.model_version, '1');
  assert.deepEqual(report.errors, {});
  assert.equal(report.verdict, 'ok');
  assert.ok(report.latency_ms.p50 > 0 && report.latency_ms.p50 <= report.latency_ms.max);
});

test('every protocol path the server speaks: KServe health and ready, TorchServe ping, OpenAI models, plain HTTP, TCP', async () => {
  const cases: [EndpointTarget['protocol'], string | undefined, string][] = [
    ['kserve-v2', undefined, '/v2/health/ready'],
    ['kserve-v2', 'iris', '/v2/models/iris/ready'],
    ['torchserve', undefined, '/ping'],
    ['openai', undefined, '/v1/models'],
  ];
  for (const [protocol, model, path] of cases) {
    const r = await probeHealth(target({ protocol, ...(model ? { model } : {}) }), protocol as never);
    assert.equal(r.ok, true, `${protocol} ${path}: ${r.message}`);
    assert.equal(r.url, `${server.url}${path}`);
    assert.equal(r.status, 200);
    assert.ok(r.timing.connectMs !== null && r.timing.firstByteMs !== null && r.timing.firstByteMs <= r.timing.totalMs);
    assert.equal(r.timing.tlsMs, null);
  }
  const plain = await probeHealth(target({ url: `${server.url}/v2/health/live`, protocol: 'http' }), 'http');
  assert.equal(plain.ok, true);
  assert.equal(plain.bytes, '{"ready":true}'.length);
  const tcp = await runCli(['probe', `127.0.0.1:${server.port}`, '--protocol', 'tcp', '--json']);
  assert.equal(tcp.code, 0);
  assert.equal(JSON.parse(tcp.out).target, `tcp://127.0.0.1:${server.port}`);
  const openai = await probeJson([server.url, '--protocol', 'openai', '--model', 'iris']);
  assert.equal(openai.report.model_version, 'iris-v1');
});

test('failure classes: refused, dns, timeout, http-4xx, http-5xx, malformed, reset, too-large, tls, each named in its message', async () => {
  const closed = await freePort();
  const refused = await probeJson([`http://127.0.0.1:${closed}/`, '--protocol', 'http']);
  assert.equal(refused.code, 1);
  assert.equal(refused.report.availability, 0);
  assert.deepEqual(refused.report.errors, { refused: 1 });
  assert.match(refused.report.breaches[0], /^availability 0\.0% is below 99\.0% \(connection refused: ECONNREFUSED/);
  const tcpRefused = await probeJson([`127.0.0.1:${closed}`, '--protocol', 'tcp']);
  assert.deepEqual(tcpRefused.report.errors, { refused: 1 });

  const notFound: NonNullable<EndpointTarget['lookup']> = (hostname, _options, callback) =>
    (callback as (err: NodeJS.ErrnoException | null, address: string, family: number) => void)(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
  const dns = await probeHealth(target({ url: 'http://model.invalid:8080/', protocol: 'http', lookup: notFound }), 'http');
  assert.equal(dns.failure, 'dns');
  assert.equal(dns.message, 'host name not found: ENOTFOUND (http://model.invalid:8080/)');

  const wrongModel = await probeHealth(target({ protocol: 'kserve-v2', model: 'nope' }), 'kserve-v2');
  assert.equal(wrongModel.failure, 'http-4xx');
  assert.equal(wrongModel.message, `client error: HTTP 404 (${server.url}/v2/models/nope/ready)`);

  const faulted = async (faults: object, timeoutMs = 1000) => {
    await server.setFaults({ ...NO_FAULTS, ...faults });
    try {
      const t0 = Date.now();
      const r = await probeHealth(target({ protocol: 'kserve-v2', timeoutMs }), 'kserve-v2');
      return { r, elapsed: Date.now() - t0 };
    } finally {
      await server.setFaults(NO_FAULTS);
    }
  };
  const e5 = await faulted({ error_rate: 1 });
  assert.equal(e5.r.failure, 'http-5xx');
  assert.equal(e5.r.status, 503);
  const bad = await faulted({ malformed: true });
  assert.equal(bad.r.failure, 'malformed');
  assert.match(bad.r.message!, /^malformed response: HTTP 200 with a body that is not JSON/);
  const hang = await faulted({ hang: true }, 800);
  assert.equal(hang.r.failure, 'timeout');
  assert.equal(hang.r.message, `timed out: no response within 800 ms (${server.url}/v2/health/ready)`);
  assert.ok(hang.elapsed < 1500, `hang classified in ${hang.elapsed} ms`);
  const trickle = await faulted({ trickle: true }, 800);
  assert.equal(trickle.r.failure, 'timeout');
  assert.match(trickle.r.message!, /response incomplete within 800 ms/);
  assert.ok(trickle.elapsed < 1500);
  const huge = await faulted({ huge: true }, 10_000);
  assert.equal(huge.r.failure, 'too-large');
  assert.ok(huge.r.bytes > 4 * 1024 * 1024 && huge.r.bytes < 8 * 1024 * 1024, `read ${huge.r.bytes} bytes`);
  const closedMid = await faulted({ close: true });
  assert.equal(closedMid.r.failure, 'reset');
  assert.match(closedMid.r.message!, /^connection closed mid-response/);

  const selfSigned = await probeHealth(target({ url: nginx.httpsUrl, protocol: 'kserve-v2' }), 'kserve-v2');
  assert.equal(selfSigned.failure, 'tls');
  assert.equal(selfSigned.message, `TLS handshake failed: DEPTH_ZERO_SELF_SIGNED_CERT (${nginx.httpsUrl}/v2/health/ready)`);
});

test('TLS through nginx with the certificate trusted: TLS time measured and the certificate has 29 or 30 days left', async () => {
  const dir = scratchDir('probe-tls');
  writeFileSync(join(dir, 'cert.pem'), nginx.certificate);
  const { code, report } = await probeJson([nginx.httpsUrl, '--ca', 'cert.pem', '--model', 'iris'], dir);
  assert.equal(code, 0);
  assert.equal(report.protocol, 'kserve-v2');
  assert.ok(report.cert_days_left === 29 || report.cert_days_left === 30, String(report.cert_days_left));
  const r = await httpProbe(`${nginx.httpsUrl}/v2/health/ready`, { timeoutMs: 3000, ca: nginx.certificate });
  assert.ok(r.timing.tlsMs !== null && r.timing.tlsMs > 0);
});

test('golden answers: --record pins them, a silent model swap is an integrity alert, a swap with a new version is not', async () => {
  const dir = scratchDir('golden');
  const flowers = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [6.3, 3.3, 6.0, 2.5], [5.9, 3.0, 5.1, 1.8], [6.0, 2.2, 5.0, 1.5], [4.9, 3.0, 1.4, 0.2]];
  writeFileSync(join(dir, 'golden.jsonl'), flowers.map((f) => JSON.stringify({ request: kserveBody([f]) })).join('\n') + '\n');
  const rec = await runCli(['probe', server.url, '--model', 'iris', '--golden', 'golden.jsonl', '--record'], '', dir);
  assert.equal(rec.code, 0, rec.err);
  assert.equal(rec.out, 'recorded 6 golden answers in golden.jsonl (kserve-v2, model version 1)\n');
  const pinned = readFileSync(join(dir, 'golden.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(pinned[0].model_version, '1');
  assert.equal(pinned[0].expect.outputs[1].data[0], 0);

  const same = await probeJson([server.url, '--model', 'iris', '--golden', 'golden.jsonl'], dir);
  assert.equal(same.code, 0);
  assert.deepEqual(same.report.golden, { checked: 6, mismatched: [] });

  await server.setFaults({ ...NO_FAULTS, swap: true });
  try {
    const swapped = await probeJson([server.url, '--model', 'iris', '--golden', 'golden.jsonl'], dir);
    assert.equal(swapped.code, 1);
    assert.equal(swapped.report.verdict, 'breach');
    assert.equal(swapped.report.model_version, '1');
    assert.equal(swapped.report.golden.checked, 6);
    assert.equal(swapped.report.golden.mismatched.length, 6);
    assert.equal(swapped.report.golden.integrity_alert, '6 of 6 golden answers changed; model version unchanged');
    assert.match(swapped.report.golden.mismatched[0].path, /^\$\.outputs\[0\]\.data\[0\]$/);

    await server.setFaults({ ...NO_FAULTS, swap: true, version: '2' });
    const redeployed = await probeJson([server.url, '--model', 'iris', '--golden', 'golden.jsonl'], dir);
    assert.equal(redeployed.code, 0);
    assert.equal(redeployed.report.model_version, '2');
    assert.equal(redeployed.report.golden.integrity_alert, undefined);
    assert.deepEqual(redeployed.report.golden.version_changed, { from: '1', to: '2' });
    assert.equal(redeployed.report.golden.mismatched.length, 6);
  } finally {
    await server.setFaults(NO_FAULTS);
  }
});

test('golden answers over TorchServe and OpenAI-compatible routes, with a $regex', async () => {
  const dir = scratchDir('golden-proto');
  writeFileSync(join(dir, 'ts.jsonl'), JSON.stringify({ request: { data: iris }, expect: { label: 0 } }) + '\n');
  const ts = await probeJson([server.url, '--protocol', 'torchserve', '--model', 'iris', '--golden', 'ts.jsonl'], dir);
  assert.deepEqual(ts.report.golden, { checked: 1, mismatched: [] });
  writeFileSync(join(dir, 'oa.jsonl'), JSON.stringify({ request: { model: 'iris', prompt: iris.join(',') }, expect: { choices: [{ text: { $regex: '^set' } }] } }) + '\n');
  const oa = await probeJson([server.url, '--protocol', 'openai', '--model', 'iris', '--golden', 'oa.jsonl'], dir);
  assert.deepEqual(oa.report.golden, { checked: 1, mismatched: [] });
});

test('SLO breach on injected latency: p99 over the objective', async () => {
  await server.setFaults({ ...NO_FAULTS, latency_ms: 120 });
  try {
    const { code, report } = await probeJson([server.url, '--protocol', 'kserve-v2', '--requests', '4', '--interval', '0', '--slo-p99-ms', '100']);
    assert.equal(code, 1);
    assert.equal(report.availability, 1);
    assert.ok(report.latency_ms.p50 >= 120, String(report.latency_ms.p50));
    assert.equal(report.breaches.length, 1);
    assert.match(report.breaches[0], /^p99 latency 1\d\d\.\d ms is over 100 ms$/);
  } finally {
    await server.setFaults(NO_FAULTS);
  }
  const fast = await probeJson([server.url, '--protocol', 'kserve-v2', '--requests', '2', '--interval', '0', '--slo-p99-ms', '100']);
  assert.equal(fast.code, 0);
});

function send(url: string, method: string, body?: unknown): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = (url.startsWith('https') ? https : http).request(url, { method, agent: false, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

test("traffic from nginx's real combined access log matches the requests sent", async () => {
  const before = readFileSync(nginx.accessLog, 'utf8').split('\n').filter(Boolean).length;
  let bytes = 0;
  const sent = { ready: 7, infer: 5, missing: 3, failing: 4 };
  for (let i = 0; i < sent.ready; i++) bytes += (await send(`${nginx.httpUrl}/v2/health/ready?probe=${i}`, 'GET')).bytes;
  for (let i = 0; i < sent.infer; i++) bytes += (await send(`${nginx.httpUrl}/v2/models/iris/infer`, 'POST', kserveBody([iris]))).bytes;
  for (let i = 0; i < sent.missing; i++) bytes += (await send(`${nginx.httpUrl}/v2/models/nope/ready`, 'GET')).bytes;
  await server.setFaults({ ...NO_FAULTS, error_rate: 1 });
  for (let i = 0; i < sent.failing; i++) bytes += (await send(`${nginx.httpUrl}/v2/models/iris/infer`, 'POST', kserveBody([iris]))).bytes;
  await server.setFaults(NO_FAULTS);
  // nginx writes its access log line after the response: give the last one a moment.
  await new Promise((r) => setTimeout(r, 200));
  const dir = scratchDir('traffic');
  const all = readFileSync(nginx.accessLog, 'utf8').split('\n').filter(Boolean).slice(before);
  writeFileSync(join(dir, 'access.log'), all.join('\n') + '\n');
  const timed = readFileSync(nginx.timedAccessLog, 'utf8').split('\n').filter(Boolean).slice(before);
  writeFileSync(join(dir, 'timed.log'), timed.join('\n') + '\n');

  const r = await runCli(['traffic', 'access.log', '--json'], '', dir);
  assert.equal(r.code, 0, r.err);
  const t = JSON.parse(r.out);
  assert.equal(t.format, 'combined');
  assert.equal(t.requests, 19);
  assert.equal(t.errors, 4);
  assert.equal(t.client_errors, 3);
  assert.equal(t.error_rate, Math.round((4 / 19) * 1e6) / 1e6);
  assert.equal(t.bytes_sent, bytes);
  assert.equal(t.latency_ms, null);
  assert.deepEqual(
    t.routes.map((x: { route: string; requests: number; errors: number }) => [x.route, x.requests, x.errors]),
    [['/v2/models/iris/infer', 9, 4], ['/v2/health/ready', 7, 0], ['/v2/models/nope/ready', 3, 0]],
  );
  assert.equal(t.windows.reduce((s: number, w: { requests: number }) => s + w.requests, 0), 19);

  const timedReport = await readAccessLog(join(dir, 'timed.log'), { format: 'auto', windowSeconds: 60 });
  assert.equal(timedReport.requests, 19);
  assert.equal(timedReport.bytes_sent, bytes);
  assert.ok(timedReport.latency_ms !== null && timedReport.latency_ms.max! >= timedReport.latency_ms.p50!);

  const metrics = await fetchServerMetrics(`${server.url}/metrics`, { timeoutMs: 3000 });
  assert.ok(metrics.sources.includes('http'));
  assert.ok(metrics.latency !== null && metrics.latency.count >= 19);
  const inferRoute = metrics.routes.find((x) => x.route === '/v2/models/iris/infer');
  assert.ok(inferRoute && inferRoute.count >= 9);
});

test('probes never overlap and a day-long series keeps memory flat: 200 probes in a row, one socket at a time', async () => {
  const { report, results } = await probeSeries(target({ protocol: 'kserve-v2' }), { requests: 200, intervalMs: 0, slo: {} });
  assert.equal(report.ok, 200);
  for (let i = 1; i < results.length; i++) assert.ok(results[i]!.at >= results[i - 1]!.at);
});

test('modelmon check covers endpoints: an up server passes, a silent swap fails with the integrity finding, a closed port is endpoint-down', async () => {
  const dir = scratchDir('check-endpoints');
  writeFileSync(join(dir, 'golden.jsonl'), JSON.stringify({ request: kserveBody([[6.3, 3.3, 6.0, 2.5]]) }) + '\n');
  const rec = await runCli(['probe', server.url, '--model', 'iris', '--golden', 'golden.jsonl', '--record'], '', dir);
  assert.equal(rec.code, 0, rec.err);
  const closed = await freePort();
  const config = (endpoints: object[]) => writeFileSync(join(dir, 'modelmon.json'), JSON.stringify({ endpoints }));
  writeFileSync(join(dir, 'access.log'), '127.0.0.1 - - [02/Dec/2026:17:30:05 +0000] "POST /v2/models/iris/infer HTTP/1.1" 200 291 "-" "curl/8.0" 0.004\n127.0.0.1 - - [02/Dec/2026:17:30:06 +0000] "POST /v2/models/iris/infer HTTP/1.1" 503 30 "-" "curl/8.0" 0.002\n');
  config([{ name: 'iris', url: server.url, model: 'iris', golden: 'golden.jsonl', requests: 2, slo: { p99Ms: 5000 }, accessLog: 'access.log', metricsPath: '/metrics' }]);
  const ok = await runCli(['check', '--config', join(dir, 'modelmon.json'), '--json'], '', dir);
  assert.equal(ok.code, 0, ok.out + ok.err);
  const okResult = JSON.parse(ok.out);
  assert.equal(okResult.monitors[0].type, 'endpoint');
  assert.match(okResult.monitors[0].summary, /^kserve-v2: 2 of 2 probes ok, p99 \d+\.\d ms, golden 1\/1$/);
  const [, traffic, metrics] = okResult.monitors[0].tables;
  assert.equal(traffic.caption, 'Traffic (combined access log: 2 requests, 50.00% errors)');
  assert.deepEqual(traffic.rows, [['/v2/models/iris/infer', '2', '1', '4.0 ms']]);
  assert.equal(metrics.caption, 'Server metrics (http)');

  await server.setFaults({ ...NO_FAULTS, swap: true });
  try {
    config([{ name: 'iris', url: server.url, model: 'iris', golden: 'golden.jsonl', requests: 1 }, { name: 'gone', url: `http://127.0.0.1:${closed}`, protocol: 'http', requests: 1 }]);
    const bad = await runCli(['check', '--config', join(dir, 'modelmon.json'), '--json'], '', dir);
    assert.equal(bad.code, 1);
    const findings = JSON.parse(bad.out).monitors.map((m: { findings: { kind: string; message: string }[] }) => m.findings.map((f) => [f.kind, f.message]));
    assert.deepEqual(findings[0], [['golden-changed', '1 of 1 golden answers changed; model version unchanged']]);
    assert.equal(findings[1][0][0], 'endpoint-down');
    assert.match(findings[1][0][1], /connection refused: ECONNREFUSED/);
  } finally {
    await server.setFaults(NO_FAULTS);
  }
});
