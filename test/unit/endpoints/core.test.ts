// The pure endpoint logic: golden matching, percentiles, access-log lines, traffic, Prometheus text, failure classes, episodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyErrorCode,
  classifyStatus,
  detectAccessLogFormat,
  EndpointMonitor,
  histogramQuantile,
  judgeGolden,
  latencySummary,
  matchSubset,
  parseCombinedLine,
  parseGolden,
  parseJsonAccessLine,
  parseUvicornLine,
  probeReport,
  readServerMetrics,
  TrafficAggregator,
  type ProbeResult,
} from '../../../src/core/endpoints';

test('matchSubset: objects by key, arrays element by element, numbers within tolerance, strings exactly or by $regex', () => {
  const answer = { outputs: [{ name: 'p', data: [0.1, 0.9] }], model: 'iris-v3', extra: true };
  assert.equal(matchSubset({ outputs: [{ data: [0.1000004, 0.9] }] }, answer, 1e-6), undefined);
  assert.deepEqual(matchSubset({ outputs: [{ data: [0.2, 0.9] }] }, answer, 1e-6), { path: '$.outputs[0].data[0]', message: 'expected 0.2, got 0.1 (tolerance 0.000001)' });
  assert.deepEqual(matchSubset({ outputs: [{ data: [0.1] }] }, answer, 1e-6), { path: '$.outputs[0].data', message: 'expected 1 elements, got 2' });
  assert.equal(matchSubset({ model: { $regex: '^iris-v\\d+$' } }, answer, 0), undefined);
  assert.deepEqual(matchSubset({ model: { $regex: '^cat' } }, answer, 0), { path: '$.model', message: '"iris-v3" does not match /^cat/' });
  assert.deepEqual(matchSubset({ missing: 1 }, answer, 0), { path: '$.missing', message: 'missing' });
  assert.deepEqual(matchSubset({ 'a b': 'x' }, { 'a b': 'y' }, 0), { path: '$["a b"]', message: 'expected "x", got "y"' });
});

test('parseGolden: one case a line, defaults, and each bad line named', () => {
  const text = ['{"request":{"x":1},"expect":{"y":2}}', '', 'not json', '{"request":1}', '{"request":1,"expect":1,"tolerance":-1}', '{"request":1,"expect":{"$regex":"("}}', '{"request":null,"expect":1,"path":"/v2/health/ready","method":"GET","model_version":"7"}'].join('\n');
  const { cases, problems } = parseGolden(text);
  assert.deepEqual(cases, [
    { line: 1, request: { x: 1 }, expect: { y: 2 }, tolerance: 1e-6 },
    { line: 7, request: null, expect: 1, tolerance: 1e-6, path: '/v2/health/ready', method: 'GET', modelVersion: '7' },
  ]);
  assert.deepEqual(problems.map((p) => p.line), [3, 4, 5, 6]);
  assert.equal(problems[1]!.message, 'expected {"request": ..., "expect": ...}');
  assert.match(problems[3]!.message, /^"\$regex" is not a regular expression/);
});

test('judgeGolden: an integrity alert only when the version stayed the recorded one', () => {
  const cases = parseGolden('{"request":1,"expect":1,"model_version":"1"}\n{"request":2,"expect":2,"model_version":"1"}').cases;
  const mismatched = [{ line: 2, path: '$', message: 'x' }];
  assert.equal(judgeGolden(cases, mismatched, '1').integrityAlert, '1 of 2 golden answers changed; model version unchanged');
  assert.deepEqual(judgeGolden(cases, mismatched, '2'), { checked: 2, mismatched, versionChanged: { from: '1', to: '2' } });
  assert.deepEqual(judgeGolden(cases, [], '1'), { checked: 2, mismatched: [] });
});

test('latencySummary: numpy linear percentiles', () => {
  assert.deepEqual(latencySummary([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { p50: 5.5, p90: 9.1, p99: 9.91, max: 10 });
  assert.deepEqual(latencySummary([]), { p50: null, p90: null, p99: null, max: null });
});

test('access-log lines: nginx combined with and without $request_time, uvicorn, JSON', () => {
  const combined = '127.0.0.1 - - [02/Dec/2026:17:30:05 +0100] "POST /v2/models/iris/infer?x=1 HTTP/1.1" 200 291 "-" "curl/8.0 \\x22quoted\\x22"';
  assert.deepEqual(parseCombinedLine(combined), { time: Date.UTC(2026, 11, 2, 16, 30, 5), method: 'POST', route: '/v2/models/iris/infer', status: 200, bytes: 291, latencyMs: null });
  assert.equal(parseCombinedLine(combined + ' 0.012')!.latencyMs, 12);
  assert.equal(parseCombinedLine('127.0.0.1 - - [02/Dec/2026:17:30:05 +0000] "-" 400 0 "-" "-"')!.route, '-');
  assert.equal(parseCombinedLine('garbage'), null);
  assert.deepEqual(parseUvicornLine('INFO:     127.0.0.1:50432 - "GET /v2/health/ready HTTP/1.1" 503 Service Unavailable'), { time: null, method: 'GET', route: '/v2/health/ready', status: 503, bytes: null, latencyMs: null });
  assert.deepEqual(parseJsonAccessLine('{"ts":1764696605,"method":"GET","path":"/ping","status":200,"duration":0.004,"bytes":12}'), { time: 1764696605000, method: 'GET', route: '/ping', status: 200, bytes: 12, latencyMs: 4 });
  assert.equal(detectAccessLogFormat([combined, combined]), 'combined');
  assert.equal(detectAccessLogFormat(['INFO:     1.2.3.4:1 - "GET / HTTP/1.1" 200 OK']), 'uvicorn');
});

test('TrafficAggregator: per route and window, 5xx as errors, 4xx as client errors', () => {
  const t = new TrafficAggregator('combined', 60);
  const at = (s: number) => Date.UTC(2026, 0, 1, 0, 0, s);
  const rec = (s: number, route: string, status: number, ms: number) => ({ time: at(s), method: 'GET', route, status, bytes: 10, latencyMs: ms });
  t.add(rec(0, '/a', 200, 10));
  t.add(rec(30, '/a', 503, 30));
  t.add(rec(70, '/b', 404, 20));
  t.add(null);
  const r = t.report();
  assert.equal(r.requests, 3);
  assert.equal(r.lines, 4);
  assert.equal(r.unreadable, 1);
  assert.equal(r.errors, 1);
  assert.equal(r.client_errors, 1);
  assert.equal(r.error_rate, 0.333333);
  assert.equal(r.rate_per_s, 0.043);
  assert.deepEqual(r.latency_ms, { p50: 20, p90: 28, p99: 29.8, max: 30 });
  assert.deepEqual(r.routes.map((x) => [x.route, x.requests, x.errors]), [['/a', 2, 1], ['/b', 1, 0]]);
  assert.deepEqual(r.windows.map((w) => [w.start, w.requests, w.errors]), [['2026-01-01T00:00:00.000Z', 2, 1], ['2026-01-01T00:01:00.000Z', 1, 0]]);
});

test('readServerMetrics: labelled histograms per route, TorchServe, Triton and vLLM families', () => {
  const page = [
    '# TYPE http_requests_total counter',
    'http_requests_total{code="200",route="/a"} 8.0',
    'http_requests_total{code="503",route="/a"} 2.0',
    '# TYPE http_request_duration_seconds histogram',
    'http_request_duration_seconds_bucket{route="/a",le="0.01"} 5.0',
    'http_request_duration_seconds_bucket{route="/a",le="0.1"} 10.0',
    'http_request_duration_seconds_bucket{route="/a",le="+Inf"} 10.0',
    'http_request_duration_seconds_count{route="/a"} 10.0',
    'http_request_duration_seconds_sum{route="/a"} 0.25',
    '# TYPE ts_inference_requests_total counter',
    'ts_inference_requests_total{model_name="m",level="Host"} 4',
    '# TYPE nv_inference_request_success counter',
    'nv_inference_request_success{model="m",version="1"} 3',
    '# TYPE nv_inference_request_failure counter',
    'nv_inference_request_failure{model="m",version="1"} 1',
    '# TYPE vllm:request_success_total counter',
    'vllm:request_success_total{finished_reason="stop",model_name="m"} 5',
  ].join('\n');
  const m = readServerMetrics(page);
  assert.deepEqual([...m.sources].sort(), ['http', 'torchserve', 'triton', 'vllm']);
  assert.equal(m.requests, 10 + 4 + 3 + 5);
  assert.equal(m.failures, 2 + 1);
  assert.deepEqual(m.latency, { count: 10, meanMs: 25, p50Ms: 10, p99Ms: 98.2 });
  assert.deepEqual(m.routes, [{ route: '/a', count: 10, meanMs: 25 }]);
  assert.equal(histogramQuantile(0.5, new Map([[1, 0], [2, 10], [Infinity, 10]])), 1.5);
  assert.throws(() => readServerMetrics('this is { not a page'), /^Error: not a Prometheus text page: line 1/);
});

test('failure classes from socket codes and statuses', () => {
  assert.equal(classifyErrorCode('ECONNREFUSED'), 'refused');
  assert.equal(classifyErrorCode('ENOTFOUND'), 'dns');
  assert.equal(classifyErrorCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls');
  assert.equal(classifyErrorCode('CERT_HAS_EXPIRED'), 'tls');
  assert.equal(classifyErrorCode('ECONNRESET'), 'reset');
  assert.equal(classifyErrorCode('EHOSTUNREACH'), 'network');
  assert.equal(classifyStatus(404), 'http-4xx');
  assert.equal(classifyStatus(502), 'http-5xx');
  assert.equal(classifyStatus(204), undefined);
});

const probe = (i: number, ok: boolean, ms = 10): ProbeResult => ({
  ok,
  at: 1_000_000 + i * 1000,
  url: 'http://127.0.0.1:1/',
  status: ok ? 200 : null,
  bytes: 0,
  timing: { dnsMs: null, connectMs: 1, tlsMs: null, firstByteMs: ms, totalMs: ms },
  ...(ok ? {} : { failure: 'refused' as const, message: 'connection refused: ECONNREFUSED' }),
});

test('EndpointMonitor: down once per episode, cleared on recovery; states and burn rate', () => {
  const m = new EndpointMonitor({ availability: 0.9, p99Ms: 50 });
  const raised: string[] = [];
  const cleared: string[] = [];
  const feed = (r: ProbeResult) => {
    for (const e of m.update(r)) (e.type === 'raised' ? raised : cleared).push(e.type === 'raised' ? e.alert.kind : e.kind);
  };
  for (let i = 0; i < 20; i++) feed(probe(i, true));
  assert.equal(m.snapshot().state, 'up');
  feed(probe(20, false));
  feed(probe(21, false));
  assert.equal(m.snapshot().state, 'down');
  assert.deepEqual(raised, ['endpoint-down']);
  feed(probe(22, true));
  assert.deepEqual(cleared, ['endpoint-down']);
  const s = m.snapshot();
  assert.equal(s.availability, 21 / 23);
  assert.deepEqual(s.errors, { refused: 2 });
  assert.equal(s.burnRate!.toFixed(6), ((2 / 23) / 0.1).toFixed(6));
  feed(probe(23, true, 80));
  assert.equal(m.snapshot().state, 'degraded');
});

test('probeReport: an unreachable target is a breach with availability 0', () => {
  const r = probeReport({ target: 'http://x/', protocol: 'http', results: [probe(0, false)], modelVersion: null, slo: {} });
  assert.equal(r.availability, 0);
  assert.equal(r.verdict, 'breach');
  assert.deepEqual(r.errors, { refused: 1 });
  assert.deepEqual(r.breaches, ['availability 0.0% is below 99.0% (connection refused: ECONNREFUSED)']);
});
