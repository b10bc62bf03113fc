import type { ValueKind } from './event';
import type { RunData, RunStore } from './run-store';
import type { TagSeries } from './tag-series';

/** A tag as the CLI's JSON, the tree view and `modelmon check` show it. */
export interface TagSummary {
  tag: string;
  kind: ValueKind;
  /** Points logged in the current timeline (downsampled points included). */
  points: number;
  firstStep: number | null;
  lastStep: number | null;
  /** Latest scalar value; 'NaN', 'Infinity' or '-Infinity' as strings (JSON has no such numbers); null for other kinds. */
  last: number | string | null;
}

/** A run (a directory of event files) with its grouping and tags. */
export interface RunSummary {
  name: string;
  files: string[];
  /** The run it is shown under: its parent for Lightning versions, add_scalars siblings and hparams sub-runs, else itself. */
  group: string;
  parent?: string;
  relation?: 'version' | 'add_scalars' | 'hparams';
  tags: TagSummary[];
}

/** A JSON-safe summary of one tag. */
export function summarizeTag(s: TagSeries): TagSummary {
  const last = s.lastValue;
  return {
    tag: s.tag,
    kind: s.kind,
    points: s.totalPoints,
    firstStep: s.firstStep ?? null,
    lastStep: s.lastStep ?? null,
    last: last === undefined ? null : Number.isFinite(last) ? last : String(last),
  };
}

/** A JSON-safe summary of one run, tags sorted by name. */
export function summarizeRun(run: RunData): RunSummary {
  const relation = run.relation;
  return {
    name: run.name,
    files: [...run.files],
    group: run.group,
    ...(relation ? { parent: relation.parent, relation: relation.relation } : {}),
    tags: run.tagList().map(summarizeTag),
  };
}

/** Every run of the store, sorted by name. */
export function summarizeRuns(store: RunStore): RunSummary[] {
  return store.runs.map(summarizeRun);
}
