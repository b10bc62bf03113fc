import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { goldenLine, isEndpointProtocol, parseGolden, type EndpointSlo, type GoldenCase, type ProbeReport } from '../../core/endpoints';
import { printable, terminalJson } from '../../core/terminalText';
import { fetchModelVersion, probeSeries, resolveProtocol, sendGolden, type EndpointTarget } from '../../io/endpoints';
import { asUsage, EXIT_FINDINGS, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../io';

const USAGE = `usage: modelmon probe URL [--protocol auto|http|tcp|kserve-v2|torchserve|openai] [--model NAME]
       [--golden FILE [--record]] [--requests N] [--interval MS] [--timeout MS]
       [--slo-availability R] [--slo-p99-ms N] [--ca FILE] [--token-env NAME] [--json]

Probes a served model: its health route in the protocol's terms (KServe v2 / Triton ready,
TorchServe /ping, OpenAI-compatible /v1/models, a plain GET of URL, or a TCP connect to
host:port), N times (default 1) INTERVAL ms apart (default 1000), one at a time. Reports
availability, latency (connect, TLS, first byte, total), failures by class (refused, dns,
timeout, tls, http-4xx, http-5xx, malformed, reset, too-large), the model version where the
protocol reports one, and golden answers: FILE holds one {"request", "expect", "tolerance"} a line.
--record sends FILE's requests and writes the answers the server gives now into FILE.

  --ca FILE         trust this PEM certificate too (a self-signed server)
  --token-env NAME  send "Authorization: Bearer <value of NAME>"; the token is never printed
  --slo-availability R  share of probes that must succeed (default 0.99)

Exit 0 ok, 1 an SLO breach or changed golden answers with the model version unchanged
(an unreachable target is a breach with availability 0), 2 unusable arguments.`;

function numberArg(name: string, text: string | undefined, check: (n: number) => boolean, rule: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${rule} (got '${text}')`);
  return n;
}

async function readText(io: CliIO, file: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} ${file}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
  }
}

function goldenCases(text: string, file: string, requestsOnly: boolean): GoldenCase[] {
  const { cases, problems } = parseGolden(text, { requestsOnly });
  if (problems.length) throw new UsageError(`${file}:${problems[0]!.line}: ${problems[0]!.message}`);
  if (!cases.length) throw new UsageError(`${file} holds no golden request`);
  return cases;
}

function humanReport(r: ProbeReport): string {
  const l = r.latency_ms;
  const lines = [
    `${printable(r.target)} (${r.protocol}): ${r.verdict === 'ok' ? 'ok' : 'BREACH'}`,
    `  ${r.ok} of ${r.requests} probes ok (availability ${(r.availability * 100).toFixed(1)}%)` + (l.p50 !== null ? `; latency p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms` : ''),
  ];
  const errors = Object.entries(r.errors);
  if (errors.length) lines.push(`  errors: ${errors.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (r.model_version !== null) lines.push(`  model version ${printable(r.model_version)}`);
  if (r.cert_days_left !== null) lines.push(`  certificate expires in ${r.cert_days_left} days`);
  if (r.golden) {
    lines.push(`  golden: ${r.golden.checked - new Set(r.golden.mismatched.map((m) => m.line)).size} of ${r.golden.checked} answers as pinned`);
    for (const m of r.golden.mismatched.slice(0, 10)) lines.push(`    line ${m.line}: ${printable(m.path)} ${printable(m.message)}`);
    if (r.golden.version_changed) lines.push(`  model version changed from ${printable(r.golden.version_changed.from)} to ${printable(r.golden.version_changed.to)}: a new model, not an integrity alert; re-record the golden answers`);
  }
  for (const b of r.breaches) lines.push(`  breach: ${printable(b)}`);
  return lines.join('\n') + '\n';
}

export const probeCommand: CliCommand = {
  name: 'probe',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        options: {
          protocol: { type: 'string', default: 'auto' },
          model: { type: 'string' },
          golden: { type: 'string' },
          record: { type: 'boolean', default: false },
          requests: { type: 'string' },
          interval: { type: 'string' },
          timeout: { type: 'string' },
          'slo-availability': { type: 'string' },
          'slo-p99-ms': { type: 'string' },
          'slo-error-rate': { type: 'string' },
          ca: { type: 'string' },
          'token-env': { type: 'string' },
          json: { type: 'boolean', default: false },
        },
        allowPositionals: true,
      }),
    );
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one URL, got ${positionals.length}` : 'expected a URL');
    const url = positionals[0]!;
    const protocol = values.protocol!;
    if (!isEndpointProtocol(protocol)) throw new UsageError(`--protocol must be auto, http, tcp, kserve-v2, torchserve or openai (got '${protocol}')`);
    if (protocol !== 'tcp' && !/^tcp:\/\//i.test(url)) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new UsageError(`not a URL: '${printable(url)}' (expected http://host:port/... or, with --protocol tcp, host:port)`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`unsupported scheme ${parsed.protocol} (http, https or tcp)`);
    }
    if ((protocol === 'kserve-v2' || protocol === 'torchserve') && values.golden && !values.model) throw new UsageError(`--golden with --protocol ${protocol} needs --model NAME`);
    if (values.record && !values.golden) throw new UsageError('--record needs --golden FILE');
    const requests = numberArg('requests', values.requests, (n) => Number.isInteger(n) && n >= 1 && n <= 1_000_000, 'an integer from 1 to 1000000') ?? 1;
    const intervalMs = numberArg('interval', values.interval, (n) => n >= 0 && n <= 86_400_000, 'from 0 to 86400000 ms') ?? 1000;
    const timeoutMs = numberArg('timeout', values.timeout, (n) => n >= 1 && n <= 600_000, 'from 1 to 600000 ms') ?? 5000;
    const slo: EndpointSlo = {
      ...(values['slo-availability'] !== undefined ? { availability: numberArg('slo-availability', values['slo-availability'], (n) => n >= 0 && n <= 1, 'a ratio from 0 to 1')! } : {}),
      ...(values['slo-p99-ms'] !== undefined ? { p99Ms: numberArg('slo-p99-ms', values['slo-p99-ms'], (n) => n > 0, 'a positive number of ms')! } : {}),
      ...(values['slo-error-rate'] !== undefined ? { errorRate: numberArg('slo-error-rate', values['slo-error-rate'], (n) => n >= 0 && n <= 1, 'a ratio from 0 to 1')! } : {}),
    };
    let headers: Record<string, string> | undefined;
    if (values['token-env'] !== undefined) {
      const token = io.env[values['token-env']];
      if (!token) throw new UsageError(`--token-env ${values['token-env']}: that environment variable is not set`);
      headers = { authorization: `Bearer ${token}` };
    }
    const target: EndpointTarget = {
      url,
      protocol,
      timeoutMs,
      ...(values.model !== undefined ? { model: values.model } : {}),
      ...(headers ? { headers } : {}),
      ...(values.ca !== undefined ? { ca: await readText(io, values.ca, 'certificate') } : {}),
    };
    if (values.record) return record(io, target, values.golden!);
    const golden = values.golden !== undefined ? goldenCases(await readText(io, values.golden, 'golden file'), values.golden, false) : undefined;
    const { report } = await probeSeries(target, { requests, intervalMs, slo, ...(golden ? { golden } : {}), signal: io.signal });
    io.out(values.json ? terminalJson(JSON.stringify(report)) + '\n' : humanReport(report));
    return report.verdict === 'ok' ? EXIT_OK : EXIT_FINDINGS;
  },
};

/** Sends the golden file's requests and pins the answers the server gives now; nothing is written unless every request succeeds. */
async function record(io: CliIO, target: EndpointTarget, file: string): Promise<number> {
  const cases = goldenCases(await readText(io, file, 'golden file'), file, true);
  const protocol = await resolveProtocol(target, io.signal);
  const version = await fetchModelVersion(target, protocol, io.signal);
  const lines: string[] = [];
  for (const c of cases) {
    const answer = await sendGolden(target, protocol, c, io.signal);
    if (!answer.ok) {
      io.err(`modelmon probe: ${file}:${c.line}: ${printable(answer.message ?? 'request failed')}; nothing written\n`);
      return EXIT_FINDINGS;
    }
    lines.push(goldenLine(c.request, answer.json, { tolerance: c.tolerance, ...(c.path ? { path: c.path } : {}), ...(c.method ? { method: c.method } : {}), modelVersion: version }));
  }
  await writeFile(resolve(io.cwd, file), lines.join('\n') + '\n');
  io.out(`recorded ${lines.length} golden answers in ${printable(file)} (${protocol}${version !== null ? `, model version ${printable(version)}` : ''})\n`);
  return EXIT_OK;
}
