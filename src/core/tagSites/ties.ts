import { isAtOrUnder, normalizePath, parentPath, resolvePath } from './paths';
import { findTagSites, siteLogsTag, type TagSite } from './scan';
import { findLogWriters, type LogWriter } from './writers';

/** A Python file with the tags it logs and the writers that say where it logs them. */
export interface ScriptSites {
  /** Absolute path. */
  readonly path: string;
  readonly sites: readonly TagSite[];
  readonly writers: readonly LogWriter[];
}

/** A run and its directory (absolute). `name` is whatever identifies the run to the caller. */
export interface RunPlace {
  readonly name: string;
  readonly dir: string;
}

/**
 * How a script is tied to runs: `writer` when one of its writers' directories holds them, or
 * `tag-name` when nothing ties the script to any run and tags alone decide (every run).
 */
export type ScriptTie = { readonly by: 'writer'; readonly runs: ReadonlySet<string> } | { readonly by: 'tag-name' };

/**
 * The runs a script writes: those under a directory one of its writers resolves to, each tried
 * relative to the script's folder and to the workspace root (scripts run from either).
 */
export function tieScript(script: ScriptSites, runs: readonly RunPlace[], workspaceRoot: string): ScriptTie {
  const bases = [...new Set([parentPath(script.path), normalizePath(workspaceRoot)])];
  const tied = new Set<string>();
  for (const run of runs) {
    const dir = normalizePath(run.dir);
    if (script.writers.some((w) => bases.some((base) => writesUnder(w, base, dir)))) tied.add(run.name);
  }
  return tied.size ? { by: 'writer', runs: tied } : { by: 'tag-name' };
}

function writesUnder(writer: LogWriter, base: string, runDir: string): boolean {
  if (!writer.prefix) return isAtOrUnder(runDir, resolvePath(base, writer.dir));
  // A known start: `runs/` holds runs/<anything>; `runs/exp_` also matches runs/exp_3.
  const start = resolvePath(base, writer.dir);
  const folder = writer.dir.endsWith('/') || writer.dir === '';
  return folder ? runDir !== start && isAtOrUnder(runDir, start) : runDir.startsWith(start);
}

/** Whether a run may show on a script under its tie. */
export function tieIncludes(tie: ScriptTie, run: string): boolean {
  return tie.by === 'tag-name' || tie.runs.has(run);
}

/** What a finding needs to be placed: its run, tag and severity. */
export interface PlaceableFinding {
  readonly run: string;
  readonly tag: string;
  readonly severity: 'error' | 'warning' | 'info';
}

/** A finding on one tag site of one script. */
export interface PlacedFinding<F extends PlaceableFinding> {
  readonly path: string;
  readonly site: TagSite;
  readonly finding: F;
  readonly by: ScriptTie['by'];
}

const RANK = { error: 0, warning: 1, info: 2 } as const;

/**
 * Which findings land on which line of which script: a finding lands on every site that logs
 * its tag in a script tied to its run (see {@link tieScript}). Ordered by path, line and column,
 * then errors before warnings before notes, so every view lists them the same way.
 */
export function placeFindings<F extends PlaceableFinding>(
  scripts: readonly ScriptSites[],
  runs: readonly RunPlace[],
  findings: readonly F[],
  workspaceRoot: string,
): PlacedFinding<F>[] {
  const placed: PlacedFinding<F>[] = [];
  for (const script of scripts) {
    if (!script.sites.length) continue;
    const tie = tieScript(script, runs, workspaceRoot);
    for (const site of script.sites) {
      for (const finding of findings) {
        if (tieIncludes(tie, finding.run) && siteLogsTag(site, finding.tag)) placed.push({ path: script.path, site, finding, by: tie.by });
      }
    }
  }
  return placed.sort(
    (a, b) =>
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      a.site.line - b.site.line ||
      a.site.column - b.site.column ||
      RANK[a.finding.severity] - RANK[b.finding.severity],
  );
}

/**
 * A finding as a problem on code: `train/loss is NaN at step 8 (run nan_divergence)`, saying so
 * when only the tag name ties the script to the run.
 */
export function describePlacedFinding(finding: { readonly run: string; readonly tag: string; readonly step: number; readonly message: string }, by: ScriptTie['by']): string {
  const parts = [finding.message.includes(finding.tag) ? finding.message : `${finding.tag}: ${finding.message}`];
  if (!new RegExp(`\\bstep ${finding.step}\\b`).test(finding.message)) parts.push(`at step ${finding.step}`);
  const tie = by === 'tag-name' ? '; tied by tag name only: no writer in this script points at the run' : '';
  return `${parts.join(' ')} (run ${finding.run}${tie})`;
}

/** Scans one Python file for both halves of a tie: the tags it logs and where it writes them. */
export function scanScript(path: string, source: string): ScriptSites {
  return { path, sites: findTagSites(source), writers: findLogWriters(source) };
}
