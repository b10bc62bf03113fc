/**
 * The predictions dashboard: performance over windows with drift and alert markers, the
 * per-feature drift table, per-segment figures and suspicious rows that jump to their log line.
 */
import type { Chart } from 'chart.js';
import type { AttributionsView, EstimatesView, FeatureDriftView, PredictionAlertView, PredictionReportView, PredictionsState, Severity } from '../src/protocol';
import { formatCount, formatNumber, formatPValue, humanizeKey } from '../src/core/charts/format';
import type { Bridge } from './bridge';
import { Chart as ChartJs, lineChartConfig, type LineDataset, type Marker } from './charts';
import { markerShapesByKind } from '../src/core/charts/markerShapes';
import { select } from './controls';
import { badge, emptyState, h, plural, section, tile } from './dom';
import { readTheme, withAlpha, type Theme } from './theme';
import type { Dashboard } from './dashboard';

/** Metrics drawn first and in this order when present; others follow alphabetically. */
const METRIC_ORDER = ['accuracy', 'estimatedAccuracy', 'macroF1', 'estimatedMacroF1', 'f1', 'estimatedF1', 'precision', 'recall', 'auc', 'rocAuc', 'estimatedRocAuc', 'mae', 'estimatedMae', 'rmse', 'estimatedRmse', 'meanConfidence', 'meanScore', 'positiveRate', 'driftedShare'];

export class PredictionsDashboard implements Dashboard<PredictionsState, PredictionsState> {
  private state: PredictionsState = { logs: [], selected: null, report: null };
  private theme: Theme = readTheme();
  private charts: Chart<'line'>[] = [];
  /** How the suspicious rows are sorted: the highest score first until the user picks another column. */
  private suspiciousSort: SuspiciousSort = { key: 'score', descending: true };

  constructor(
    private readonly root: HTMLElement,
    private readonly bridge: Bridge,
  ) {}

  init(state: PredictionsState): void {
    this.state = state;
    this.bridge.saveState('predictions', { log: state.selected });
    this.render();
  }

  update(state: PredictionsState): void {
    const scroll = window.scrollY;
    this.state = state;
    this.bridge.saveState('predictions', { log: state.selected });
    this.render();
    window.scrollTo(0, scroll);
  }

  themeChanged(): void {
    this.theme = readTheme();
    const scroll = window.scrollY;
    this.render();
    window.scrollTo(0, scroll);
  }

  private render(): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    this.root.replaceChildren(this.header());
    const report = this.state.report;
    if (!report) {
      this.root.append(
        this.bridge.interactive
          ? emptyState(
              this.state.logs.length ? 'Reading the prediction log…' : 'Waiting for the first prediction…',
              'Point modelmon.json at a CSV or JSONL prediction log; windows, drift and alerts appear as rows arrive.',
            )
          : emptyState('No prediction log was analysed.'),
      );
      this.reportRendered(0);
      return;
    }
    if (this.state.adHoc) this.root.append(this.tiles(report), this.driftSection(report));
    else this.root.append(this.tiles(report), this.performanceSection(report), this.alertSection(report), this.driftSection(report));
    if (report.estimates && !this.state.adHoc) this.root.append(this.estimatesSection(report.estimates));
    if (report.attributions && !this.state.adHoc) this.root.append(this.attributionsSection(report.attributions));
    if (report.segments.length) this.root.append(this.segmentSection(report));
    if (report.suspicious.length) this.root.append(this.suspiciousSection(report));
    this.reportRendered(report.windows.length * this.metricKeys(report).length);
  }

  private header(): HTMLElement {
    const logs = this.state.logs;
    const picker =
      logs.length > 1 && this.bridge.interactive && !this.state.adHoc
        ? select(
            'Log',
            logs.map((l) => ({ value: l.path, label: l.label })),
            this.state.selected ?? logs[0]!.path,
            (log) => this.bridge.post({ type: 'setOptions', panel: 'predictions', options: { log } }),
          )
        : null;
    const current = logs.find((l) => l.path === this.state.selected);
    const adHoc = this.state.adHoc;
    return h(
      'header',
      { class: 'toolbar' },
      adHoc
        ? h('div', { class: 'toolbar-title' }, h('h1', {}, 'Drift check'), h('span', { class: 'subtle' }, adHoc.title))
        : h('div', { class: 'toolbar-title' }, h('h1', {}, 'Predictions'), h('span', { class: 'subtle mono' }, current?.label ?? '')),
      picker ? h('div', { class: 'toolbar-controls' }, picker) : null,
    );
  }

  private tiles(r: PredictionReportView): HTMLElement {
    const drifted = r.features.filter((f) => f.drifted).length;
    const last = r.windows[r.windows.length - 1];
    const first = r.windows[0];
    const accuracyKey = last && last.metrics.accuracy != null ? 'accuracy' : 'estimatedAccuracy';
    const latest = last?.metrics[accuracyKey];
    const baseline = first?.metrics[accuracyKey];
    const delta = latest != null && baseline != null ? latest - baseline : null;
    const scope = r.driftScope;
    const driftDetail = drifted ? r.features.filter((f) => f.drifted).slice(0, 3).map((f) => f.feature).join(', ') + (drifted > 3 ? ', …' : '') : 'no drift detected';
    const driftTile = tile('Drifted features', `${drifted} / ${r.features.length}`, scope ? `${rowSpan(scope.start, scope.end)}: ${driftDetail}` : driftDetail, drifted ? 'warning' : 'ok');
    if (this.state.adHoc) {
      const reference = scope?.reference;
      const referenceValue = reference === undefined ? '–' : typeof reference === 'string' ? reference : `${formatCount(reference.start)}–${formatCount(reference.end - 1)}`;
      return h(
        'div',
        { class: 'tiles' },
        tile('Compared rows', scope ? `${formatCount(scope.start)}–${formatCount(scope.end - 1)}` : '–', `of ${plural(r.rows, 'row')} in the log`),
        tile('Reference rows', referenceValue, typeof reference === 'string' ? 'another log' : 'of the same log'),
        driftTile,
      );
    }
    return h(
      'div',
      { class: 'tiles' },
      tile('Rows', formatCount(r.rows), `${plural(r.windows.length, 'window')}`),
      tile(humanizeKey(accuracyKey), latest != null ? `${(latest * 100).toFixed(1)}%` : '–', delta !== null ? `${delta >= 0 ? '+' : '−'}${Math.abs(delta * 100).toFixed(1)} pts since the first window` : 'latest window', delta !== null && delta < -0.05 ? 'error' : undefined),
      driftTile,
      tile('Alerts', String(r.alerts.length), r.alerts.length ? `first at row ${formatCount(r.alerts[0]!.index)}` : 'none so far', r.alerts.length ? 'error' : 'ok'),
    );
  }

  private metricKeys(r: PredictionReportView): string[] {
    const keys = new Set<string>();
    for (const w of r.windows) for (const [k, v] of Object.entries(w.metrics)) if (v !== null && Number.isFinite(v)) keys.add(k);
    return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }

  private performanceSection(r: PredictionReportView): HTMLElement {
    const keys = this.metricKeys(r);
    const { root, body } = section('performance', 'Performance over windows', r.windows.length ? `${plural(r.windows.length, 'window')} of ${formatCount(r.windows[0]!.end - r.windows[0]!.start + 1)} rows` : '');
    if (!r.windows.length || !keys.length) {
      body.append(h('p', { class: 'subtle' }, 'No complete window yet.'));
      return root;
    }
    const legend = h('div', { class: 'legend' });
    const colours = this.metricColours(keys);
    const datasets: LineDataset[] = keys.map((k) => {
      const colour = colours.get(k)!;
      const share = k === 'driftedShare';
      const sw = h('span', { class: `swatch${k.startsWith('estimated') ? ' swatch-dashed' : ''}` });
      sw.style.backgroundColor = share ? withAlpha(colour, 0.35) : colour;
      legend.append(h('span', { class: 'legend-item' }, sw, humanizeKey(k)));
      return {
        label: humanizeKey(k),
        data: r.windows.map((w) => ({ x: w.end, y: w.metrics[k] ?? null })),
        borderColor: colour,
        backgroundColor: share ? withAlpha(colour, 0.12) : colour,
        // The share of drifted features is context, not performance: a soft area under the lines.
        fill: share ? 'origin' : false,
        borderWidth: share ? 1 : 1.5,
        borderDash: k.startsWith('estimated') ? [5, 4] : [],
        pointRadius: share ? 0 : r.windows.length < 60 ? 2 : 0,
        order: share ? 1 : 0,
      };
    });
    const bounded = r.windows.every((w) => keys.every((k) => { const v = w.metrics[k]; return v === null || v === undefined || (v >= 0 && v <= 1); }));
    legend.append(...this.markerLegend(r));
    const canvas = h('canvas', { role: 'img', 'aria-label': 'Model performance per window' });
    body.append(legend, h('div', { class: 'chart-box tall' }, canvas));
    const config = lineChartConfig(
      datasets,
      {
        theme: this.theme,
        xTitle: 'Row',
        ...(bounded ? { yMin: 0, yMax: 1, yTicks: (v: number) => `${Math.round(v * 100)}%` } : {}),
        tooltipTitle: (x) => `Window ending at row ${formatCount(x)}`,
        tooltipLabel: (d, y) => ` ${String(d.label)}: ${bounded ? `${(y * 100).toFixed(1)}%` : formatNumber(y, 4)}`,
      },
      { markers: this.markers(r), theme: this.theme, ...(this.bridge.interactive ? { onClick: (m: Marker) => this.openLine(r.log, Number(m.key)) } : {}) },
    );
    queueMicrotask(() => canvas.isConnected && this.charts.push(new ChartJs(canvas, config) as unknown as Chart<'line'>));
    return root;
  }

  /** Accuracy and its estimate share a colour (solid vs dashed); no metric takes the alert red. */
  private metricColours(keys: readonly string[]): Map<string, string> {
    const p = this.theme.palette;
    const fixed: Record<string, string> = {
      accuracy: p[0]!,
      estimatedAccuracy: p[0]!,
      macroF1: p[2]!,
      estimatedMacroF1: p[2]!,
      f1: p[2]!,
      estimatedF1: p[2]!,
      rocAuc: p[4]!,
      estimatedRocAuc: p[4]!,
      meanConfidence: p[3]!,
      mae: p[1]!,
      estimatedMae: p[1]!,
      rmse: p[5]!,
      estimatedRmse: p[5]!,
      driftedShare: this.theme.muted,
    };
    const spare = [p[1]!, p[4]!, p[5]!, p[6]!, p[8]!];
    const out = new Map<string, string>();
    let next = 0;
    for (const k of keys) out.set(k, fixed[k] ?? spare[next++ % spare.length]!);
    return out;
  }

  private markerLegend(r: PredictionReportView): HTMLElement[] {
    const kinds = new Map<string, Severity>();
    for (const a of r.alerts) if (!kinds.has(a.kind)) kinds.set(a.kind, alertSeverity(a));
    const shapes = markerShapesByKind(r.alerts.map((a) => a.kind));
    const out = [...kinds].map(([kind, severity]) =>
      h('span', { class: 'legend-item' }, h('span', { class: `pin pin-${severity} pin-${shapes.get(kind) ?? 'triangle'}`, 'aria-hidden': 'true' }), humanizeKey(kind)),
    );
    if (r.referenceEnd !== undefined) out.push(h('span', { class: 'legend-item' }, h('span', { class: 'rule' }), 'reference ends'));
    return out;
  }

  private markers(r: PredictionReportView): Marker[] {
    const shapes = markerShapesByKind(r.alerts.map((a) => a.kind));
    const markers: Marker[] = r.alerts.map((a) => ({
      x: a.index,
      y: null,
      severity: alertSeverity(a),
      shape: shapes.get(a.kind) ?? 'triangle',
      lines: [`${humanizeKey(a.kind)} at row ${formatCount(a.index)}${a.ts ? ` · ${a.ts}` : ''}`, a.message, ...(a.features.length ? [`features: ${a.features.join(', ')}`] : []), ...(this.bridge.interactive ? [`click to open line ${a.line}`] : [])],
      key: String(a.line),
    }));
    if (r.referenceEnd !== undefined) markers.push({ x: r.referenceEnd, y: null, severity: 'focus', lines: ['reference'] });
    return markers;
  }

  private alertSection(r: PredictionReportView): HTMLElement {
    const { root, body } = section('alerts', 'Alert timeline', r.alerts.length ? plural(r.alerts.length, 'alert') : '');
    if (!r.alerts.length) {
      body.append(h('p', { class: 'subtle' }, 'No alerts: performance and feature distributions are within their limits.'));
      return root;
    }
    body.append(this.timelineStrip(r));
    const rows = r.alerts.map((a) =>
      h(
        'tr',
        {},
        h('td', {}, badge(humanizeKey(a.kind), alertSeverity(a))),
        h('td', { class: 'num' }, formatCount(a.index)),
        h('td', { class: 'nowrap subtle' }, a.ts ?? ''),
        h('td', {}, a.message, a.features.length ? h('div', { class: 'subtle mono small' }, a.features.join(', ')) : null),
        h('td', { class: 'num' }, this.lineLink(r.log, a.line)),
      ),
    );
    body.append(table(['Kind', 'Row', 'Time', 'Alert', 'Line'], rows, [1, 4], true));
    return root;
  }

  /** A thin strip spanning all rows: reference window, drift and alert ticks at their rows. */
  private timelineStrip(r: PredictionReportView): HTMLElement {
    const strip = h('div', { class: 'timeline', role: 'img', 'aria-label': 'Alerts along the log' });
    const total = Math.max(r.rows, 1);
    if (r.referenceEnd !== undefined) {
      const ref = h('div', { class: 'timeline-reference', title: `reference: rows 0–${r.referenceEnd}` });
      ref.style.width = `${(100 * r.referenceEnd) / total}%`;
      strip.append(ref);
    }
    for (const a of r.alerts) {
      const tick = h('button', { class: `timeline-tick tick-${alertSeverity(a)}`, type: 'button', title: `${humanizeKey(a.kind)} at row ${a.index}: ${a.message}` });
      tick.style.left = `${(100 * a.index) / total}%`;
      if (this.bridge.interactive) tick.addEventListener('click', () => this.openLine(r.log, a.line));
      strip.append(tick);
    }
    return h('div', { class: 'timeline-box' }, strip, h('div', { class: 'timeline-axis subtle' }, h('span', {}, 'row 0'), h('span', {}, `row ${formatCount(r.rows)}`)));
  }

  private driftSection(r: PredictionReportView): HTMLElement {
    const features = [...r.features].sort(byDrift);
    const drifted = features.filter((f) => f.drifted).length;
    const scope = r.driftScope;
    const { root, body } = section('drift', 'Feature drift', `${drifted} of ${plural(features.length, 'feature')} drifted${scope ? ` · ${rowSpan(scope.start, scope.end)}` : ''}`);
    if (!features.length) {
      body.append(h('p', { class: 'subtle' }, 'Drift is measured once the reference window is full.'));
      return root;
    }
    // Which rows the table describes and the rule it applies: a verdict without them cannot be checked.
    if (scope) {
      body.append(
        h('p', { class: 'drift-scope' }, h('strong', {}, `${capitalise(rowSpan(scope.start, scope.end))}`), ` against ${referenceText(scope.reference)}. `, h('span', { class: 'subtle' }, `Drifted: ${scope.rule}.`)),
      );
    }
    // Statistics differ in scale (chi² vs KS), so each bar is relative to the largest of its kind.
    const peaks = new Map<string, number>();
    for (const f of features) if (Number.isFinite(f.value)) peaks.set(f.statistic, Math.max(peaks.get(f.statistic) ?? 1e-12, Math.abs(f.value)));
    const columnTests = features.some((f) => f.columnTest);
    // The live monitor's verdicts carry their basis and the row a drift began; a one-off check has neither.
    const live = features.some((f) => f.basis !== undefined);
    const rows = features.map((f) => {
      const bar = h('span', { class: `bar${f.drifted ? ' bar-drifted' : ''}` });
      bar.style.width = `${Math.min(100, (100 * Math.abs(f.value)) / (peaks.get(f.statistic) ?? 1))}%`;
      const why = f.basis === 'episode' ? 'named by the drift alert still open' : f.drifted ? `p below ${f.threshold ?? 'the threshold'}` : f.threshold !== undefined ? `not below ${f.threshold}` : '';
      const ct = f.columnTest;
      return h(
        'tr',
        { class: f.drifted ? 'row-drifted' : '' },
        h('td', { class: 'mono wrap' }, ...breakable(f.feature)),
        h('td', { class: 'subtle' }, f.kind),
        h('td', { class: 'nowrap', title: testLabel(f.statistic) }, shortTestLabel(f.statistic)),
        h('td', { class: 'num' }, h('span', { class: 'bar-cell' }, h('span', { class: 'bar-track' }, bar), formatNumber(f.value, 3))),
        h('td', { class: 'num' }, formatPValue(f.pValue)),
        h('td', { title: why }, f.drifted ? badge(f.basis === 'episode' ? 'drifted (alert)' : 'drifted', 'warning') : badge('stable', 'ok')),
        live ? h('td', { class: 'num subtle' }, f.drifted && f.detectedAt != null ? formatCount(f.detectedAt) : '') : null,
        columnTests ? h('td', { class: 'subtle nowrap', title: ct ? testLabel(ct.test) : '' }, ct ? `${shortTestLabel(ct.test)} ${formatNumber(ct.statistic, 3)}${ct.pValue !== null ? ` · p ${formatPValue(ct.pValue)}` : ''}` : '') : null,
      );
    });
    const headings = ['Feature', 'Type', 'Test', 'Statistic', live ? 'p (family-wise)' : 'p-value', 'Verdict', ...(live ? ['Since row'] : []), ...(columnTests ? ['Column test'] : [])];
    body.append(table(headings, rows, live ? [3, 4, 6] : [3, 4]));
    return root;
  }

  /** Each CBPE/DLE estimate of the latest window beside the value its labels give. */
  private estimatesSection(e: EstimatesView): HTMLElement {
    const { root, body } = section('estimates', 'Estimated performance', `${e.method}, ${rowSpan(e.start, e.end)}, ${formatCount(e.labelled)} of ${formatCount(e.rows)} labelled`);
    const rows = e.metrics.map((m) => {
      const diff = m.estimated !== null && m.realised !== null ? m.estimated - m.realised : null;
      return h(
        'tr',
        {},
        h('td', {}, m.label),
        h('td', { class: 'num' }, formatNumber(m.estimated, 4)),
        h('td', { class: 'num' }, m.samplingError === null ? '–' : `±${formatNumber(3 * m.samplingError, 3)}`),
        h('td', { class: 'num' }, m.realised === null ? 'no labels' : formatNumber(m.realised, 4)),
        h('td', { class: 'num' }, diff === null ? '–' : `${diff >= 0 ? '+' : '−'}${formatNumber(Math.abs(diff), 4)}`),
      );
    });
    body.append(table(['Metric', 'Estimated', 'Band (3 SE)', 'Realised', 'Difference'], rows, [1, 2, 3, 4], true), h('p', { class: 'subtle small' }, e.basis));
    return root;
  }

  /** Which features the model leans on now (mean |attribution|) against the reference's ranking. */
  private attributionsSection(a: AttributionsView): HTMLElement {
    const moved = a.features.filter((f) => f.moved).length;
    const { root, body } = section('attributions', 'Attributions', `${moved ? `${plural(moved, 'feature')} moved` : 'ranking stable'} · ${rowSpan(a.start, a.end)}`);
    const top = Math.max(...a.features.map((f) => Math.max(f.current, f.reference)), 0);
    const rows = a.features.map((f) => {
      const bar = h('span', { class: `bar${f.moved ? ' bar-drifted' : ''}` });
      bar.style.width = `${top > 0 ? (100 * f.current) / top : 0}%`;
      const arrow = f.rank < f.referenceRank ? '↑' : f.rank > f.referenceRank ? '↓' : '';
      return h(
        'tr',
        { class: f.moved ? 'row-drifted' : '' },
        h('td', { class: 'mono wrap' }, ...breakable(f.feature)),
        h('td', { class: 'num' }, String(f.referenceRank)),
        h('td', { class: 'num', title: arrow ? `from rank ${f.referenceRank}` : 'same rank' }, `${arrow} ${f.rank}`.trim()),
        h('td', { class: 'num' }, formatNumber(f.reference, 3)),
        h('td', { class: 'num' }, h('span', { class: 'bar-cell' }, h('span', { class: 'bar-track' }, bar), formatNumber(f.current, 3))),
        h('td', { class: 'num' }, formatPValue(f.pValue)),
        h('td', {}, f.moved ? badge('moved', 'warning') : badge('stable', 'ok')),
      );
    });
    body.append(
      table(['Feature', 'Reference rank', 'Rank', 'Mean |attr.| (ref.)', 'Mean |attr.|', 'p (corrected)', 'Verdict'], rows, [1, 2, 3, 4, 5]),
      h('p', { class: 'subtle small' }, `${a.features.length} of ${plural(a.total, 'feature')}, ${formatCount(a.rows)} rows with attributions. A feature moves when its mean |attribution| changes beyond sampling noise and it enters or leaves the top 5.`),
    );
    return root;
  }

  private segmentSection(r: PredictionReportView): HTMLElement {
    const keys = unique(r.segments.flatMap((s) => Object.keys(s.metrics))).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const { root, body } = section('segments', 'Segments', plural(r.segments.length, 'segment'));
    const rows = [...r.segments]
      .sort((a, b) => b.rows - a.rows)
      .map((s) =>
        h(
          'tr',
          {},
          h('td', { class: 'mono' }, s.segment),
          h('td', { class: 'num' }, formatCount(s.rows)),
          ...keys.map((k) => {
            const v = s.metrics[k] ?? null;
            return h('td', { class: 'num' }, v !== null && v >= 0 && v <= 1 && k !== 'meanScore' ? `${(v * 100).toFixed(1)}%` : formatNumber(v, 4));
          }),
          h('td', {}, s.driftedFeatures.length ? h('span', {}, badge(String(s.driftedFeatures.length), 'warning'), ' ', h('span', { class: 'subtle small' }, s.driftedFeatures.slice(0, 4).join(', ') + (s.driftedFeatures.length > 4 ? ', …' : ''))) : badge('none', 'ok')),
        ),
      );
    body.append(table(['Segment', 'Rows', ...keys.map(humanizeKey), 'Drifted features'], rows, [1, ...keys.map((_, i) => i + 2)]));
    return root;
  }

  private suspiciousSection(r: PredictionReportView): HTMLElement {
    const total = r.suspiciousTotal ?? r.suspicious.length;
    const note = total > r.suspicious.length ? `first ${formatCount(r.suspicious.length)} of ${formatCount(total)} rows` : plural(r.suspicious.length, 'row');
    const { root, body } = section('suspicious', 'Suspicious rows', note);
    const box = h('div', {});
    const draw = () => {
      const { key, descending } = this.suspiciousSort;
      const sorted = [...r.suspicious].sort((a, b) => {
        const d = key === 'score' ? (a.score ?? -Infinity) - (b.score ?? -Infinity) : key === 'row' ? a.index - b.index : a.reason.localeCompare(b.reason) || a.index - b.index;
        return descending ? -d : d;
      });
      const rows = sorted.map((s) =>
        h('tr', {}, h('td', { class: 'num' }, formatNumber(s.score ?? null, 4)), h('td', { class: 'num' }, formatCount(s.index)), h('td', { class: 'num' }, this.lineLink(r.log, s.line)), h('td', { class: 'wrap' }, s.reason)),
      );
      const sortable = (label: string, k: SuspiciousSort['key']) => {
        const active = key === k;
        const button = h('button', { type: 'button', class: 'sort-button', title: `Sort by ${label.toLowerCase()}` }, label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (descending ? ' ▼' : ' ▲') : ''));
        button.addEventListener('click', () => {
          // A new column starts with what matters most: the highest score, the first row, A to Z.
          this.suspiciousSort = active ? { key: k, descending: !descending } : { key: k, descending: k === 'score' };
          draw();
        });
        return { button, sort: active ? (descending ? 'descending' : 'ascending') : 'none' };
      };
      const heads = [sortable('Score', 'score'), sortable('Row', 'row'), null, sortable('Why', 'reason')];
      const head = h(
        'tr',
        {},
        ...heads.map((c, i) =>
          c ? h('th', { class: i < 2 ? 'num' : '', 'aria-sort': c.sort }, c.button) : h('th', { class: 'num' }, 'Line'),
        ),
      );
      box.replaceChildren(h('div', { class: 'table-scroll short' }, h('table', { class: 'data-table' }, h('thead', {}, head), h('tbody', {}, ...rows))));
    };
    draw();
    body.append(box);
    return root;
  }

  private lineLink(log: string, line: number): HTMLElement {
    if (!this.bridge.interactive) return h('span', { class: 'mono' }, String(line));
    const a = h('a', { href: '#', class: 'mono', title: `Open the log at line ${line}` }, String(line));
    a.addEventListener('click', (e) => {
      e.preventDefault();
      this.openLine(log, line);
    });
    return a;
  }

  private openLine(path: string, line: number): void {
    if (Number.isSafeInteger(line) && line >= 1) this.bridge.post({ type: 'openFile', path, line });
  }

  private reportRendered(points: number): void {
    queueMicrotask(() => this.bridge.post({ type: 'rendered', panel: 'predictions', points, charts: this.charts.length }));
  }
}

function table(headings: readonly string[], rows: readonly HTMLElement[], numeric: readonly number[], short = false): HTMLElement {
  const head = h('tr', {}, ...headings.map((t, i) => h('th', { class: numeric.includes(i) ? 'num' : '' }, t)));
  return h('div', { class: `table-scroll${short ? ' short' : ''}` }, h('table', { class: 'data-table' }, h('thead', {}, head), h('tbody', {}, ...rows)));
}

/** Drifted first; then the engine's order (strongest first), which the host already sends. */
function byDrift(a: FeatureDriftView, b: FeatureDriftView): number {
  return Number(b.drifted) - Number(a.drifted);
}

interface SuspiciousSort {
  readonly key: 'score' | 'row' | 'reason';
  readonly descending: boolean;
}

/** "rows 3,500–3,999" for rows [start, end). */
function rowSpan(start: number, end: number): string {
  return `rows ${formatCount(start)}–${formatCount(end - 1)}`;
}

function referenceText(reference: { readonly start: number; readonly end: number } | string): string {
  return typeof reference === 'string' ? reference : `reference ${rowSpan(reference.start, reference.end)}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function rank(metric: string): number {
  const i = METRIC_ORDER.indexOf(metric);
  return i < 0 ? METRIC_ORDER.length : i;
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}


/** Drift alerts warn, everything else is an error, unless the engine said otherwise. */
function alertSeverity(a: PredictionAlertView): Severity {
  return a.severity ?? (/drift/i.test(a.kind) ? 'warning' : 'error');
}

const TEST_LABELS: Record<string, string> = {
  ks: 'Kolmogorov–Smirnov',
  chi2: 'χ² test',
  psi: 'PSI',
  wasserstein: 'Wasserstein',
  jensenshannon: 'Jensen–Shannon',
  js: 'Jensen–Shannon',
  kl: 'KL divergence',
  z: 'Z-test',
  hellinger: 'Hellinger',
  mmd: 'MMD',
  meanshift: 'mean shift (sd)',
  pcaerror: 'PCA error (sd)',
  chisquare: 'χ² test',
  pcareconstruction: 'PCA error (sd)',
  embeddingmodel: 'domain classifier ROC AUC (embedding)',
  embeddingratio: 'share of drifted components (embedding)',
  embeddingdistance: 'distance between mean embeddings',
  embeddingmmd: 'MMD² with a permutation test (embedding)',
};

const SHORT_TEST_LABELS: Record<string, string> = {
  ks: 'KS',
  chi2: 'χ²',
  chisquare: 'χ²',
  jensenshannon: 'JS',
  js: 'JS',
  z: 'Z',
  meanshift: 'mean shift',
  pcaerror: 'PCA error',
  pcareconstruction: 'PCA error',
  embeddingmodel: 'AUC',
  embeddingratio: 'drifted share',
  embeddingdistance: 'mean distance',
  embeddingmmd: 'MMD²',
};

/** A test's name short enough for a half-width table; the full name goes in the cell's title. */
function shortTestLabel(name: string): string {
  return SHORT_TEST_LABELS[name.toLowerCase().replace(/[^a-z0-9]/g, '')] ?? testLabel(name);
}

/** A dotted or snake_case name with break opportunities after its separators, so it wraps at them. */
function breakable(name: string): (string | HTMLElement)[] {
  const out: (string | HTMLElement)[] = [];
  for (const part of name.split(/(?<=[._/])/)) out.push(part, h('wbr', {}));
  return out.slice(0, -1);
}

function testLabel(name: string): string {
  return TEST_LABELS[name.toLowerCase().replace(/[^a-z0-9]/g, '')] ?? name;
}
