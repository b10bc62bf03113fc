import type { EpisodeTracker } from './episodes';
import { detach } from './lines';
import type { ReferenceProfile } from './profile';
import type { PredictionReport, WindowReport } from './report';
import type { PredictionRow } from './row';

const MAX_RECENT_IDS = 100000;
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const fmt = (x: number, d = 3) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);
const bump = (m: Map<string, number>, k: string | undefined) => {
  if (k === undefined) return;
  const v = m.get(k);
  m.set(v === undefined ? detach(k) : k, (v ?? 0) + 1);
};

/** Data-quality counts of the rows of one window. */
export class QualityWindow {
  missing: number[] = [];
  typeChanges = new Map<string, number>();
  nonFinite = new Map<string, number>();
  outOfRange: number[] = [];
  newCategories = new Map<string, Set<string>>();
  duplicateIds = 0;
  unparseable = 0;
  rows = 0;
}

/**
 * Data quality of a log: missing values (NaN included), infinities, type changes, values outside the reference range, new
 * categories, duplicate ids (within the last 100000 rows), unreadable lines, columns that appear
 * or disappear. Counts per window and in total; every list is capped.
 */
export class DataQualityMonitor {
  current = new QualityWindow();
  private readonly totals = {
    missing: new Map<string, number>(),
    typeChanges: new Map<string, number>(),
    nonFinite: new Map<string, number>(),
    outOfRange: new Map<string, number>(),
    newCategories: new Map<string, Set<string>>(),
    duplicateIds: 0,
    unparseable: 0,
  };
  private readonly appeared: string[] = [];
  private readonly disappeared = new Set<string>();
  private readonly recentIds = new Set<string>();
  private readonly recentIdOrder: string[] = [];
  private recentIdHead = 0;

  /** Starts the counts of a new window. */
  nextWindow(): void {
    this.current = new QualityWindow();
  }

  unreadableLine(): void {
    this.current.unparseable++;
    this.totals.unparseable++;
  }

  columnAppeared(column: string): void {
    if (this.appeared.length < 100) this.appeared.push(column);
  }

  /** Counts one decoded row: type changes, missing values, duplicate ids; against the profile once there is one, range and categories. */
  row(row: PredictionRow, numericNames: readonly string[], p: ReferenceProfile | undefined): void {
    const q = this.current;
    q.rows++;
    if (row.typeIssues) for (const c of row.typeIssues) {
      bump(q.typeChanges, c);
      bump(this.totals.typeChanges, c);
    }
    const nonFinite = row.nonFinite;
    if (nonFinite) for (const c of nonFinite) {
      bump(q.nonFinite, c);
      bump(this.totals.nonFinite, c);
    }
    for (let i = 0; i < row.numeric.length; i++) {
      if (Number.isNaN(row.numeric[i]!) && !(nonFinite && nonFinite.includes(numericNames[i]!))) {
        q.missing[i] = (q.missing[i] ?? 0) + 1;
        bump(this.totals.missing, numericNames[i]);
      }
    }
    if (row.id !== undefined) {
      if (this.recentIds.has(row.id)) {
        q.duplicateIds++;
        this.totals.duplicateIds++;
      } else {
        // A bounded FIFO of recent ids: duplicates within the last 100000 rows are caught.
        const id = detach(row.id);
        if (this.recentIdOrder.length < MAX_RECENT_IDS) this.recentIdOrder.push(id);
        else {
          this.recentIds.delete(this.recentIdOrder[this.recentIdHead]!);
          this.recentIdOrder[this.recentIdHead] = id;
          this.recentIdHead = (this.recentIdHead + 1) % MAX_RECENT_IDS;
        }
        this.recentIds.add(id);
      }
    }
    if (!p) return;
    for (let i = 0; i < p.numeric.length; i++) {
      const x = row.numeric[i]!;
      const f = p.numeric[i]!;
      if (x > f.max || x < f.min) {
        q.outOfRange[i] = (q.outOfRange[i] ?? 0) + 1;
        bump(this.totals.outOfRange, f.name);
      }
    }
    for (let i = 0; i < p.categorical.length; i++) {
      const v = row.categorical[i];
      const c = p.categorical[i]!;
      if (v !== undefined && !c.counts.has(v)) {
        const seen = q.newCategories.get(c.name) ?? new Set<string>();
        if (seen.size < 20) seen.add(detach(v));
        q.newCategories.set(c.name, seen);
        const all = this.totals.newCategories.get(c.name) ?? new Set<string>();
        if (all.size < 20) all.add(detach(v));
        this.totals.newCategories.set(c.name, all);
      }
    }
  }

  /** Applies the data-quality rules to a closed window (one alert per column and issue episode). */
  windowAlerts(w: WindowReport, p: ReferenceProfile, idColumn: string | undefined, tracker: EpisodeTracker): void {
    const at = { index: w.end - 1, line: w.endLine, ts: w.endTs };
    const where = `lines ${w.startLine}-${w.endLine}`;
    for (const [col, n] of Object.entries(w.quality.typeChanges)) {
      tracker.update(`quality:type:${col}`, 'data_quality', at, n > 0, () => ({ features: [col], message: `${where}: ${n} value(s) of '${col}' have the wrong type`, severity: 'warning' }), { confirm: 1 });
    }
    for (const [col, n] of Object.entries(w.quality.nonFinite)) {
      tracker.update(`quality:infinite:${col}`, 'data_quality', at, n > 0, () => ({ features: [col], message: `${where}: ${n} infinite value(s) of '${col}'`, severity: 'warning' }), { confirm: 1 });
    }
    for (const f of p.numeric) {
      const miss = (w.quality.missing[f.name] ?? 0) / w.rows;
      const gone = miss === 1 && f.missingRate < 1;
      if (gone) this.disappeared.add(f.name);
      tracker.update(`quality:missing:${f.name}`, 'data_quality', at, miss > f.missingRate + 0.1, () => ({
        features: [f.name],
        message: gone ? `${where}: column '${f.name}' disappeared (missing on every row)` : `${where}: '${f.name}' missing on ${pct(miss)} of rows (reference ${pct(f.missingRate)})`,
        severity: 'warning',
      }), { confirm: 1 });
      const oor = (w.quality.outOfRange[f.name] ?? 0) / w.rows;
      tracker.update(`quality:range:${f.name}`, 'data_quality', at, oor > 0.05, () => ({
        features: [f.name],
        message: `${where}: ${pct(oor)} of '${f.name}' values fall outside the reference range [${fmt(f.min)}, ${fmt(f.max)}]`,
        severity: 'warning',
      }), { confirm: 1 });
    }
    for (const [col, values] of Object.entries(w.quality.newCategories)) {
      tracker.update(`quality:category:${col}`, 'data_quality', at, values.length > 0, () => ({
        features: [col],
        message: `${where}: new categories in '${col}': ${values.slice(0, 5).join(', ')}`,
        severity: 'warning',
      }), { confirm: 1 });
    }
    tracker.update('quality:duplicates', 'data_quality', at, w.quality.duplicateIds > 0, () => ({
      features: idColumn ? [idColumn] : [],
      message: `${where}: ${w.quality.duplicateIds} duplicate id(s)`,
      severity: 'warning',
    }), { confirm: 1 });
    if (w.quality.unparseableLines === 0 && tracker.isActive('quality:unparseable')) {
      tracker.update('quality:unparseable', 'data_quality', at, false, () => ({ features: [], message: '', severity: 'warning' }));
    }
  }

  summary(): PredictionReport['quality'] {
    const set = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v]]));
    return {
      missing: Object.fromEntries(this.totals.missing),
      typeChanges: Object.fromEntries(this.totals.typeChanges),
      nonFinite: Object.fromEntries(this.totals.nonFinite),
      outOfRange: Object.fromEntries(this.totals.outOfRange),
      newCategories: set(this.totals.newCategories),
      duplicateIds: this.totals.duplicateIds,
      unparseableLines: this.totals.unparseable,
      appearedColumns: [...this.appeared],
      disappearedColumns: [...this.disappeared],
    };
  }
}
