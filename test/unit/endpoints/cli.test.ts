// probe and traffic refuse unusable arguments with exit 2 and a clear message, and never print a token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIO, runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { freePort } from '../../servers/model-server/harness';

test('probe: unusable arguments exit 2 with the reason', async () => {
  const cases: [string[], RegExp][] = [
    [[], /^modelmon probe: expected a URL/],
    [['http://127.0.0.1:1', '--protocol', 'grpc'], /--protocol must be auto, http, tcp, kserve-v2, torchserve or openai \(got 'grpc'\)/],
    [['ftp://127.0.0.1/'], /unsupported scheme ftp:/],
    [['not a url'], /not a URL: 'not a url'/],
    [['http://127.0.0.1:1', '--requests', '0'], /--requests must be an integer from 1 to 1000000 \(got '0'\)/],
    [['http://127.0.0.1:1', '--slo-availability', '2'], /--slo-availability must be a ratio from 0 to 1/],
    [['http://127.0.0.1:1', '--record'], /--record needs --golden FILE/],
    [['http://127.0.0.1:1', '--protocol', 'kserve-v2', '--golden', 'g.jsonl'], /--golden with --protocol kserve-v2 needs --model NAME/],
    [['http://127.0.0.1:1', '--golden', 'missing.jsonl'], /cannot read golden file missing.jsonl: no such file/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['probe', ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, message);
    assert.equal(r.out, '');
  }
});

test('probe: a token from --token-env is sent but never printed, even in failures', async () => {
  const port = await freePort();
  const io = { ...captureIO(), env: { MY_TOKEN: 'sekret-123' } };
  const code = await main(['probe', `http://user:pass@127.0.0.1:${port}/`, '--protocol', 'http', '--token-env', 'MY_TOKEN'], io);
  assert.equal(code, 1);
  assert.doesNotMatch(io.stdout() + io.stderr(), /sekret|pass@/);
  assert.match(io.stdout(), new RegExp(`^http://127\\.0\\.0\\.1:${port}/ \\(http\\): BREACH`));
});

test('traffic: unusable arguments exit 2; an empty log is zero requests', async () => {
  const dir = scratchDir('traffic-cli');
  assert.match((await runCli(['traffic', 'nope.log'], '', dir)).err, /cannot read nope.log: no such file/);
  assert.match((await runCli(['traffic', dir])).err, /not a regular file/);
  assert.match((await runCli(['traffic', 'x', '--format', 'apache'], '', dir)).err, /--format must be one of auto, combined, uvicorn, json/);
  assert.match((await runCli(['traffic', 'x', '--window', '0'], '', dir)).err, /--window must be a number of seconds/);
  writeFileSync(join(dir, 'empty.log'), '');
  const r = await runCli(['traffic', 'empty.log', '--json'], '', dir);
  assert.equal(r.code, 0);
  assert.equal(JSON.parse(r.out).requests, 0);
});

test('report --html covers an endpoint: its row, its failure and its probe table', async () => {
  const dir = scratchDir('report-endpoints');
  const port = await freePort();
  writeFileSync(join(dir, 'modelmon.json'), JSON.stringify({ endpoints: [{ name: 'scorer', url: `http://127.0.0.1:${port}`, protocol: 'http', requests: 1 }] }));
  const r = await runCli(['report', '--config', join(dir, 'modelmon.json'), '--html', join(dir, 'report.html')], '', dir);
  assert.equal(r.code, 0, r.err);
  const html = (await import('node:fs')).readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, /<td>scorer<\/td><td>Endpoint<\/td>/);
  assert.match(html, /connection refused: ECONNREFUSED/);
  assert.match(html, /http: 0 of 1 probes ok/);
});

test('check sends a MODELMON_ENDPOINT_TOKENS token only to its own origin', async () => {
  const seen: (string | undefined)[] = [];
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    const dir = scratchDir('check-tokens');
    writeFileSync(join(dir, 'modelmon.json'), JSON.stringify({ endpoints: [{ name: 'a', url: `http://127.0.0.1:${port}/health`, protocol: 'http', requests: 1 }, { name: 'b', url: `http://localhost:${port}/health`, protocol: 'http', requests: 1 }] }));
    const io = { ...captureIO({ cwd: dir }), env: { MODELMON_ENDPOINT_TOKENS: JSON.stringify({ [`http://127.0.0.1:${port}`]: 'tok-1' }) } };
    const code = await main(['check', '--config', join(dir, 'modelmon.json'), '--json'], io);
    assert.equal(code, 0, io.stdout() + io.stderr());
    assert.deepEqual(seen, ['Bearer tok-1', undefined]);
    assert.doesNotMatch(io.stdout(), /tok-1/);
  } finally {
    server.close();
  }
});
