import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DATA_ELEMENT_ID } from '../../protocol';
import type { CheckResult } from '../../core/check';
import type { LoadedConfig } from '../../core/config';
import { renderReportHtml, type ReportBundle, type ReportLimits } from '../../core/report';
import { collectChecks, type RunChecksOptions } from '../check';

export interface HtmlReportOptions extends Omit<RunChecksOptions, 'keepViews'> {
  /** Page title; default "Model Monitor report: <workspace folder>". */
  readonly title?: string;
  /** `auto` (default) uses the dashboards' bundle when it has a static mode, else static SVG. */
  readonly charts?: 'auto' | 'bundle' | 'svg';
  /** Directory holding webview.js (default: next to this bundle, or the repository's dist/). */
  readonly bundleDir?: string;
  /** The dashboards' script and stylesheet, given directly (overrides bundleDir). */
  readonly bundle?: ReportBundle;
  readonly limits?: ReportLimits;
  /** For reproducible output in tests. */
  readonly now?: Date;
  /** Adds to the check's result before it is drawn (the CLI ties training findings to code here). */
  readonly decorate?: (result: CheckResult, configDir: string) => CheckResult;
}

export interface HtmlReportResult {
  readonly bytes: number;
  /** How the charts were drawn. */
  readonly charts: 'bundle' | 'svg';
  readonly exitCode: 0 | 1;
}

/**
 * Runs every configured monitor once and writes a self-contained HTML report to `outFile`.
 * Throws ConfigError when the config cannot be used.
 */
export async function writeHtmlReport(config: LoadedConfig | string, outFile: string, options: HtmlReportOptions = {}): Promise<HtmlReportResult> {
  const collected = await collectChecks(config, { ...options, keepViews: true });
  const run = options.decorate ? { ...collected, result: options.decorate(collected.result, collected.loaded.dir) } : collected;
  // Monitors cut short by a signal report it as a finding; such a report must not be written.
  options.signal?.throwIfAborted();
  const bundle = options.charts === 'svg' ? undefined : (options.bundle ?? findBundle(options.bundleDir));
  if (options.charts === 'bundle' && !bundle) throw new Error('the dashboards bundle (dist/webview.js with a static mode) was not found; build it with node scripts/build.mjs');
  const generatedAt = (options.now ?? new Date()).toISOString();
  const html = renderReportHtml(
    { title: options.title ?? `Model Monitor report: ${basename(run.loaded.dir)}`, generatedAt, result: run.result, views: run.views },
    { ...(bundle ? { bundle } : {}), ...(options.limits ? { limits: options.limits } : {}) },
  );
  mkdirSync(dirname(resolve(outFile)), { recursive: true });
  writeFileSync(resolve(outFile), html);
  return { bytes: Buffer.byteLength(html), charts: bundle ? 'bundle' : 'svg', exitCode: run.result.exitCode };
}

/** dist/webview.js and media/panel.css, when the bundle can render a static report. */
function findBundle(bundleDir?: string): ReportBundle | undefined {
  const candidates = bundleDir ? [bundleDir] : [__dirname, resolve(__dirname, '../../../dist')];
  for (const dir of candidates) {
    const scriptPath = join(dir, 'webview.js');
    if (!existsSync(scriptPath)) continue;
    const script = readFileSync(scriptPath, 'utf8');
    if (!script.includes(DATA_ELEMENT_ID)) continue;
    const style = [join(dirname(dir), 'media', 'panel.css'), join(dir, 'panel.css')].filter(existsSync).map((p) => readFileSync(p, 'utf8'))[0] ?? '';
    return { script: stripSourceMap(script), style };
  }
  return undefined;
}

/** The report is one file; a sourceMappingURL would point at nothing. */
function stripSourceMap(script: string): string {
  return script.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}
