/**
 * Which runs a dashboard overlays when a log directory holds hundreds or thousands: a default
 * pick, search, top-N by a tag's final value or by findings, and the cap on what is drawn. Pure,
 * shared by the host (which sends only the chosen runs' series) and the webview (which lists them).
 */

/** Runs overlaid before the dashboard picks a default selection instead of all. */
export const DEFAULT_SHOWN_RUNS = 20;
/** The most runs drawn at once; a larger selection draws its first ones and says so. */
export const MAX_OVERLAID_RUNS = 100;

export interface SelectableRun {
  readonly name: string;
  readonly lastWallTime: number | null;
}

export interface RunFinding {
  readonly run: string;
  readonly severity: 'error' | 'warning' | 'info';
}

export interface RunSelection {
  /** Runs unticked one by one (small log directories). */
  readonly hiddenRuns: readonly string[];
  /** When present, exactly these runs are shown (large log directories); hiddenRuns is then ignored. */
  readonly shownRuns?: readonly string[];
}

/** The runs to draw, in list order, at most `cap`. */
export function visibleRunNames(runs: readonly string[], selection: RunSelection, cap = MAX_OVERLAID_RUNS): string[] {
  const out: string[] = [];
  if (selection.shownRuns) {
    const shown = new Set(selection.shownRuns);
    for (const r of runs) if (shown.has(r) && out.push(r) >= cap) break;
    return out;
  }
  const hidden = new Set(selection.hiddenRuns);
  for (const r of runs) if (!hidden.has(r) && out.push(r) >= cap) break;
  return out;
}

/** How many runs the selection holds before the cap. */
export function selectedRunCount(runs: readonly string[], selection: RunSelection): number {
  return visibleRunNames(runs, selection, Infinity).length;
}

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;

/**
 * Runs ranked by their worst finding (errors, then warnings, then notes; more findings first),
 * then the rest; ties keep list order. What "top N by finding" and the default pick start from.
 */
export function runsByFindings(runs: readonly SelectableRun[], findings: readonly RunFinding[]): string[] {
  const worst = new Map<string, { rank: number; count: number }>();
  for (const f of findings) {
    const w = worst.get(f.run);
    const rank = SEVERITY_RANK[f.severity];
    if (!w) worst.set(f.run, { rank, count: 1 });
    else worst.set(f.run, { rank: Math.min(w.rank, rank), count: w.count + 1 });
  }
  const indexed = runs.map((r, i) => ({ name: r.name, i, w: worst.get(r.name) }));
  return indexed
    .filter((r) => r.w)
    .sort((a, b) => a.w!.rank - b.w!.rank || b.w!.count - a.w!.count || a.i - b.i)
    .map((r) => r.name);
}

/**
 * The default pick for a large log directory: runs with findings first (they need a look), then
 * the most recently written, up to `limit`; returned in list order.
 */
export function defaultRunSelection(runs: readonly SelectableRun[], findings: readonly RunFinding[], limit = DEFAULT_SHOWN_RUNS): string[] {
  if (runs.length <= limit) return runs.map((r) => r.name);
  const picked = new Set(runsByFindings(runs, findings).slice(0, limit));
  const recent = runs
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => !picked.has(r.name))
    .sort((a, b) => (b.r.lastWallTime ?? -Infinity) - (a.r.lastWallTime ?? -Infinity) || a.i - b.i);
  for (const { r } of recent) {
    if (picked.size >= limit) break;
    picked.add(r.name);
  }
  return runs.filter((r) => picked.has(r.name)).map((r) => r.name);
}

/** Runs whose name matches `query`: a case-insensitive regular expression, or plain text when it is not one. */
export function matchRuns(runs: readonly string[], query: string): string[] {
  const q = query.trim();
  if (!q) return [...runs];
  let test: (name: string) => boolean;
  try {
    const re = new RegExp(q, 'i');
    test = (name) => re.test(name);
  } catch {
    const lower = q.toLowerCase();
    test = (name) => name.toLowerCase().includes(lower);
  }
  return runs.filter(test);
}

/**
 * The `n` runs with the lowest (or highest) final value of a tag; runs without a finite final
 * value come last and are left out. Ties keep list order.
 */
export function topRunsByFinal(finals: ReadonlyMap<string, number | null>, runs: readonly string[], n: number, order: 'lowest' | 'highest'): string[] {
  const sign = order === 'lowest' ? 1 : -1;
  return runs
    .map((name, i) => ({ name, i, v: finals.get(name) }))
    .filter((r): r is { name: string; i: number; v: number } => typeof r.v === 'number' && Number.isFinite(r.v))
    .sort((a, b) => sign * (a.v - b.v) || a.i - b.i)
    .slice(0, Math.max(0, n))
    .map((r) => r.name);
}
