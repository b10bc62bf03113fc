import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../io/check';
import { writeHtmlReport } from '../../io/report';
import { UsageError, type CliCommand } from '../io';
import { locateConfig, checkOutputTarget, reportConfigError, tieToCode } from './check';

const USAGE = `usage: modelmon report [--config modelmon.json] --html FILE [--title TEXT] [--svg]

Runs every monitor in modelmon.json once and writes one self-contained HTML file (no network
needed to open it): verdict, findings, training curves, drift per feature, alerts, integrity.

  --config FILE   the config (default: modelmon.json here or in a parent directory)
  --html FILE     where to write the report
  --title TEXT    the page title
  --svg           draw charts as static SVG instead of with the dashboards' code

exit status: 0 written, 2 a usage or config error`;

export const reportCommand: CliCommand = {
  name: 'report',
  usage: USAGE,
  async run(args, io) {
    let values: { config?: string; html?: string; title?: string; svg?: boolean };
    try {
      ({ values } = parseArgs({
        args,
        strict: true,
        allowPositionals: false,
        options: { config: { type: 'string', short: 'c' }, html: { type: 'string' }, title: { type: 'string' }, svg: { type: 'boolean' } },
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (!values.html) throw new UsageError('--html FILE is required');
    const located = locateConfig(values.config, io);
    const out = resolve(io.cwd, values.html);
    checkOutputTarget(out, values.html);
    try {
      const written = await writeHtmlReport(located.path, out, {
        displayPath: located.display,
        signal: io.signal,
        env: io.env,
        ...(values.title ? { title: values.title } : {}),
        ...(values.svg ? { charts: 'svg' as const } : {}),
        // Findings name the line that logs their tag, by the same ties as check and the editor.
        decorate: tieToCode,
      });
      io.out(`wrote ${values.html} (${formatBytes(written.bytes)}, charts: ${written.charts}; check ${written.exitCode === 0 ? 'passed' : 'found problems'})\n`);
      return 0;
    } catch (error) {
      if (error instanceof ConfigError) return reportConfigError(error, io);
      throw error;
    }
  },
};

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(2)} MiB`;
}
