import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ACCESS_LOG_FORMATS, type AccessLogFormat, type TrafficReport } from '../../core/endpoints';
import { printable, terminalJson } from '../../core/terminalText';
import { readAccessLog } from '../../io/endpoints';
import { asUsage, EXIT_OK, UsageError, type CliCommand } from '../io';

const USAGE = `usage: modelmon traffic FILE [--format auto|combined|uvicorn|json] [--window SECONDS] [--json]

Reads a model server's access log: nginx's combined format (with or without a trailing
$request_time), uvicorn's access log, or JSON lines. Prints requests, errors (5xx; 4xx are
counted as client_errors), error rate, request rate, latency percentiles where logged, bytes
sent, per route and per window of SECONDS (default 60).`;

function human(r: TrafficReport): string {
  const l = r.latency_ms;
  const lines = [
    `${r.requests} requests (${r.format}), ${r.errors} errors (${(r.error_rate * 100).toFixed(2)}%)` + (r.rate_per_s !== null ? `, ${r.rate_per_s} req/s` : '') + `, ${r.bytes_sent} bytes sent` + (r.unreadable ? `; ${r.unreadable} unreadable lines` : ''),
  ];
  if (l) lines.push(`latency p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms`);
  for (const route of r.routes.slice(0, 20)) {
    lines.push(`  ${printable(route.route)}: ${route.requests} requests, ${route.errors} errors` + (route.latency_ms ? `, p99 ${route.latency_ms.p99} ms` : ''));
  }
  if (r.routes.length > 20) lines.push(`  ... ${r.routes.length - 20} more routes (--json lists them)`);
  return lines.join('\n') + '\n';
}

export const trafficCommand: CliCommand = {
  name: 'traffic',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = asUsage(() =>
      parseArgs({ args, options: { format: { type: 'string', default: 'auto' }, window: { type: 'string' }, json: { type: 'boolean', default: false } }, allowPositionals: true }),
    );
    if (positionals.length !== 1) throw new UsageError('expected one access log FILE');
    const format = values.format!;
    if (!(ACCESS_LOG_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${ACCESS_LOG_FORMATS.join(', ')} (got '${format}')`);
    const windowSeconds = values.window === undefined ? 60 : Number(values.window);
    if (!Number.isFinite(windowSeconds) || windowSeconds <= 0 || windowSeconds > 31_536_000) throw new UsageError(`--window must be a number of seconds from 0 to 31536000 (got '${values.window}')`);
    const file = positionals[0]!;
    const path = resolve(io.cwd, file);
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new UsageError(`cannot read ${file}: not a regular file`);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    const report = await readAccessLog(path, { format: format as AccessLogFormat | 'auto', windowSeconds, signal: io.signal });
    io.out(values.json ? terminalJson(JSON.stringify(report)) + '\n' : human(report));
    return EXIT_OK;
  },
};
