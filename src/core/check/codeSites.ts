import { describePlacedFinding, normalizePath, placeFindings, relativePath, resolvePath, type RunPlace, type ScriptSites } from '../tagSites';
import type { CheckResult, Finding, MonitorResult } from './types';

/**
 * The check's training findings with the line of code that logs their tag, by the same ties the
 * editor's diagnostics use (`placeFindings`): a finding lands only in scripts that write its run,
 * or, for a script tied to no run, by tag name. Each finding keeps its first site (by path, line).
 *
 * @param configDir absolute directory of the config: run and script paths are shown relative to it,
 *   and it is the workspace root that relative log directories may start from.
 */
export function withCodeSites(result: CheckResult, scripts: readonly ScriptSites[], configDir: string): CheckResult {
  const root = normalizePath(configDir);
  const runs: RunPlace[] = [];
  const placeable: { run: string; tag: string; severity: Finding['severity']; finding: Finding }[] = [];
  for (const m of result.monitors) {
    if (m.type !== 'training') continue;
    for (const dir of m.runDirs ?? []) runs.push({ name: resolvePath(root, dir), dir: resolvePath(root, dir) });
    for (const f of m.findings) {
      if (f.location?.tag === undefined || f.location.file === undefined) continue;
      placeable.push({ run: resolvePath(root, f.location.file), tag: f.location.tag, severity: f.severity, finding: f });
    }
  }
  if (!placeable.length || !scripts.length) return result;
  const first = new Map<Finding, NonNullable<NonNullable<Finding['location']>['code']>>();
  for (const p of placeFindings(scripts, runs, placeable, root)) {
    if (first.has(p.finding.finding)) continue;
    first.set(p.finding.finding, { file: relativePath(root, p.path), line: p.site.line + 1, column: p.site.column + 1, tie: p.by });
  }
  if (!first.size) return result;
  const monitors = result.monitors.map((m): MonitorResult => {
    if (!m.findings.some((f) => first.has(f))) return m;
    return { ...m, findings: m.findings.map((f) => (first.has(f) ? { ...f, location: { ...f.location, code: first.get(f)! } } : f)) };
  });
  return { ...result, monitors };
}

const COMMAND = { error: 'error', warning: 'warning', info: 'notice' } as const;

/**
 * One GitHub Actions workflow command per finding that has a code site:
 * `::error file=train.py,line=39,col=27,title=...::message`. Acknowledged findings become notices.
 *
 * @param pathPrefix the config's directory relative to the repository root (`''` when it is the
 *   root), since GitHub resolves `file=` from the repository root.
 */
export function toGithubAnnotations(result: CheckResult, pathPrefix: string): string[] {
  const lines: string[] = [];
  for (const m of result.monitors) {
    for (const f of m.findings) {
      const code = f.location?.code;
      if (!code) continue;
      const file = pathPrefix ? normalizePath(`${pathPrefix}/${code.file}`) : code.file;
      const command = f.acknowledged !== undefined ? 'notice' : COMMAND[f.severity];
      const title = `Model Monitor: ${f.kind} in ${m.name}`;
      const tag = f.location?.tag ?? '';
      // The subject is `<run>/<tag>`: the run is what the editor's problems name too.
      const run = f.subject?.endsWith(`/${tag}`) ? f.subject.slice(0, -tag.length - 1) : (f.subject ?? m.name);
      const message = describePlacedFinding({ run, tag, step: f.location?.step ?? 0, message: f.message }, code.tie);
      const ack = f.acknowledged !== undefined ? ` [acknowledged: ${f.acknowledged}]` : '';
      const properties = [`file=${escapeProperty(file)}`, `line=${code.line}`, `col=${code.column}`, `title=${escapeProperty(title)}`].join(',');
      lines.push(`::${command} ${properties}::${escapeData(message + ack)}`);
    }
  }
  return lines;
}

/** A workflow command's message: `%`, CR and LF escaped, as GitHub's toolkit does. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: as {@link escapeData}, plus `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
