import { trainingLoaders, type DataLoaderCall, type SourceSpan } from './dataLoader';
import { siteLogsTag } from './scan';
import { tieScript, type RunPlace, type ScriptSites, type ScriptTie } from './ties';

/** A Python file with its tags, writers and DataLoader calls. */
export interface LoaderScript extends ScriptSites {
  readonly dataLoaders: readonly DataLoaderCall[];
}

/** A run and its directory, with the tags it holds (for scripts that only tag names tie). */
export interface TaggedRunPlace extends RunPlace {
  readonly tags?: readonly string[];
}

/** Where in a script a run's finding landed. */
export type RunFindingSite = 'data-loader' | 'writer' | 'tag-site';

/** A run-wide finding (input-bound, say) on one span of one script. */
export interface PlacedRunFinding<F> {
  readonly path: string;
  readonly span: SourceSpan;
  readonly at: RunFindingSite;
  /** The DataLoader call it is on, when `at` is `data-loader`. */
  readonly loader?: DataLoaderCall;
  readonly finding: F;
  readonly by: ScriptTie['by'];
}

/**
 * Where a finding about a whole run's input pipeline lands: on the training `DataLoader(` calls
 * (see {@link trainingLoaders}) of each script that writes the run, or, in a script with no
 * DataLoader, on the writer that writes the run. When no script's writer points at the run, a
 * script tied to no run at all that logs one of the run's tags carries it (on its DataLoader,
 * else on the first line that logs such a tag). Ordered by path, line and column.
 */
export function placeRunFindings<F extends { readonly run: string }>(
  scripts: readonly LoaderScript[],
  runs: readonly TaggedRunPlace[],
  findings: readonly F[],
  workspaceRoot: string,
): PlacedRunFinding<F>[] {
  const placed: PlacedRunFinding<F>[] = [];
  if (!findings.length) return placed;
  const byName = new Map(runs.map((r) => [r.name, r]));
  const ties = scripts.map((script) => ({ script, tie: tieScript(script, runs, workspaceRoot) }));
  for (const finding of findings) {
    const run = byName.get(finding.run);
    if (!run) continue;
    let tied = ties.filter(({ tie }) => tie.by === 'writer' && tie.runs.has(run.name));
    if (!tied.length) {
      const tags = run.tags ?? [];
      tied = ties.filter(({ script, tie }) => tie.by === 'tag-name' && script.sites.some((s) => tags.some((t) => siteLogsTag(s, t))));
    }
    for (const { script, tie } of tied) {
      const at = (span: SourceSpan, where: RunFindingSite, loader?: DataLoaderCall): PlacedRunFinding<F> =>
        ({ path: script.path, span, at: where, ...(loader ? { loader } : {}), finding, by: tie.by });
      if (script.dataLoaders.length) {
        for (const loader of trainingLoaders(script.dataLoaders)) placed.push(at(spanOf(loader), 'data-loader', loader));
      } else if (tie.by === 'writer') {
        for (const w of script.writers) {
          const one = tieScript({ ...script, writers: [w] }, [run], workspaceRoot);
          if (one.by !== 'writer') continue;
          const name = w.api.split('.').pop()!;
          placed.push(at({ line: w.line, column: w.column, endLine: w.line, endColumn: w.column + name.length }, 'writer'));
        }
      } else {
        const site = script.sites.find((s) => (run.tags ?? []).some((t) => siteLogsTag(s, t)));
        if (site) placed.push(at({ line: site.line, column: site.column, endLine: site.endLine, endColumn: site.endColumn }, 'tag-site'));
      }
    }
  }
  return placed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.span.line - b.span.line || a.span.column - b.span.column);
}

function spanOf(s: SourceSpan): SourceSpan {
  return { line: s.line, column: s.column, endLine: s.endLine, endColumn: s.endColumn };
}
