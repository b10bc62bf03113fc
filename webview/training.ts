/**
 * The training-runs dashboard: overlaid scalar curves per tag (smoothing, log scale, step / relative
 * / wall-time axis, decimation, run filter), findings pinned on the curves, histograms over time
 * and the hparams table.
 */
import type { Chart } from 'chart.js';
import type {
  FindingView,
  HistogramView,
  HparamsRow,
  RunEfficiencyView,
  RunSummary,
  SeriesChunk,
  TrainingFocus,
  TrainingState,
  TrainingUpdate,
  TrainingViewOptions,
  XAxisMode,
} from '../src/protocol';
import { niceBounds, robustRangeOfSeries } from '../src/core/charts/range';
import { smoothEma } from '../src/core/charts/smoothing';
import { formatDuration, formatCount, formatNumber } from '../src/core/charts/format';
import type { Bridge } from './bridge';
import { Chart as ChartJs, lineChartConfig, type Band, type LineDataset, type Marker, type MarkerOptions, type XYPoint } from './charts';
import { checkbox, select, slider, textfield } from './controls';
import { badge, emptyState, h, idFor, plural, section } from './dom';
import { drawEfficiencyStrip, efficiencyCard, type EfficiencyStrip } from './efficiency';
import { drawHeatStrip } from './heatstrip';
import { readTheme, runSlotColour, RUN_HUES, withAlpha, type Theme } from './theme';
import { runColourSlots } from '../src/core/charts/runColours';
import { minMaxIndices, OVERLAY_POINTS_PER_RUN, THIN_OVERLAYS_FROM_RUNS } from '../src/core/tfevents/overlay';
import { DEFAULT_SHOWN_RUNS, matchRuns, MAX_OVERLAID_RUNS, runsByFindings, selectedRunCount, topRunsByFinal, visibleRunNames } from '../src/core/tfevents/run-selection';
import type { Dashboard } from './dashboard';

interface Series {
  steps: number[];
  values: (number | null)[];
  wallTimes: number[];
}

interface ViewState extends TrainingViewOptions {
  readonly scrollY: number;
}

const DEFAULTS: TrainingViewOptions = { smoothing: 0.6, xAxis: 'step', logScale: false, ignoreOutliers: true, hiddenRuns: [], tagFilter: '' };
const RAW = 'raw:';

export class TrainingDashboard implements Dashboard<TrainingState, TrainingUpdate> {
  private runs: RunSummary[] = [];
  private readonly series = new Map<string, Series>();
  private readonly pointCache = new Map<string, { series: Series; shape: string; points: XYPoint[] }>();
  private findings: FindingView[] = [];
  private hparams: HparamsRow[] = [];
  private histograms: HistogramView[] = [];
  private logdirs: readonly string[] = [];
  private options: TrainingViewOptions;
  private focus: TrainingFocus | undefined;
  private theme: Theme = readTheme();
  private readonly charts = new Map<string, Chart<'line', XYPoint[]>>();
  private readonly heatStrips: { canvas: HTMLCanvasElement; view: HistogramView; colour: string }[] = [];
  private resizeObserver: ResizeObserver | undefined;
  private efficiency: RunEfficiencyView[] = [];
  private readonly efficiencyStrips: EfficiencyStrip[] = [];
  private efficiencyObserver: ResizeObserver | undefined;
  private tagsShown = '';
  /** The host's pick while the page has made none and the runs are too many to overlay. */
  private defaultShown: readonly string[] | undefined;
  private scanning: readonly [number, number] | undefined;
  /** The run search of a large log directory (not saved: a fresh look each time). */
  private runQuery = '';
  private topTag = '';

  constructor(
    private readonly root: HTMLElement,
    private readonly bridge: Bridge,
  ) {
    const saved = bridge.loadState<ViewState>('training') ?? {};
    this.options = { ...DEFAULTS, ...pickOptions(saved) };
    let pending = false;
    window.addEventListener(
      'scroll',
      () => {
        if (pending) return;
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          this.saveState();
        });
      },
      { passive: true },
    );
  }

  init(state: TrainingState, focus?: TrainingFocus): void {
    this.runs = [...state.runs];
    this.series.clear();
    for (const s of state.series) this.series.set(key(s.run, s.tag), copySeries(s.series));
    this.findings = [...state.findings];
    this.hparams = [...state.hparams];
    this.histograms = [...state.histograms];
    this.efficiency = [...(state.efficiency ?? [])];
    this.logdirs = state.logdirs ?? [];
    this.defaultShown = state.defaultShown;
    this.scanning = state.scanning;
    if (focus) this.applyFocus(focus);
    this.render();
    const scrollY = this.bridge.loadState<ViewState>('training')?.scrollY;
    if (focus?.tag) this.scrollToTag(focus.tag);
    else if (focus?.section) document.getElementById(focus.section)?.scrollIntoView({ block: 'start' });
    else if (typeof scrollY === 'number') window.scrollTo(0, scrollY);
    // The host sends only the series of the runs shown: tell it which those are.
    this.postOptions();
  }

  update(u: TrainingUpdate): void {
    if (u.runs) this.runs = [...u.runs];
    if (u.scanning !== undefined) this.scanning = u.scanning ?? undefined;
    if (u.defaultShown !== undefined) {
      const next = u.defaultShown ?? undefined;
      if (JSON.stringify(next) !== JSON.stringify(this.defaultShown)) {
        this.defaultShown = next;
        if (!u.runs) u = { ...u, runs: this.runs };
      }
    }
    for (const c of u.chunks ?? []) this.applyChunk(c);
    if (u.efficiency) {
      this.efficiency = [...u.efficiency];
      // New figures redraw the efficiency cards alone, unless the section appears or goes.
      const section = this.root.querySelector('#efficiency');
      if (section && this.efficiencyViews().length) section.replaceWith(this.efficiencySection());
      else if (Boolean(section) !== this.efficiencyViews().length > 0) {
        if (u.findings) this.findings = [...u.findings];
        if (u.hparams) this.hparams = [...u.hparams];
        if (u.histograms) this.histograms = [...u.histograms];
        const scroll = window.scrollY;
        this.render();
        window.scrollTo(0, scroll);
        return;
      }
    }
    // Findings that differ only in their code links (an edit above a logging call) leave the
    // charts and their markers alone: only the findings table is redrawn.
    if (u.findings && !u.hparams && !u.histograms && !u.chunks?.length && findingsWithoutCode(u.findings) === findingsWithoutCode(this.findings)) {
      this.findings = [...u.findings];
      if (this.structureKey() === this.tagsShown) {
        this.root.querySelector('#runs')?.replaceWith(this.runList());
        this.root.querySelector('#findings')?.replaceWith(this.findingList());
        return;
      }
    }
    if (u.findings) this.findings = [...u.findings];
    if (u.hparams) this.hparams = [...u.hparams];
    if (u.histograms) this.histograms = [...u.histograms];
    // New tags or runs change the page's structure; otherwise the charts are updated in place.
    if (this.structureKey() !== this.tagsShown || u.findings || u.hparams || u.histograms) {
      const scroll = window.scrollY;
      this.render();
      window.scrollTo(0, scroll);
      return;
    }
    if (u.runs) this.root.querySelector('#runs')?.replaceWith(this.runList());
    this.refreshSoon();
  }

  /** Updates arriving faster than frames redraw the charts once a frame. */
  private refreshSoon(): void {
    if (this.refreshFrame !== undefined) return;
    this.refreshFrame = requestAnimationFrame(() => {
      this.refreshFrame = undefined;
      this.refreshCharts();
    });
  }

  reveal(focus: TrainingFocus): void {
    this.applyFocus(focus);
    this.render();
    if (focus.tag) this.scrollToTag(focus.tag);
    else if (focus.section) document.getElementById(focus.section)?.scrollIntoView({ block: 'start' });
  }

  themeChanged(): void {
    this.theme = readTheme();
    const scroll = window.scrollY;
    this.render();
    window.scrollTo(0, scroll);
  }

  private applyFocus(focus: TrainingFocus): void {
    this.focus = focus;
    if (focus.runs?.length && this.runs.length > DEFAULT_SHOWN_RUNS) {
      // A sweep names the runs to show (the host sent exactly theirs).
      this.options = { ...this.options, shownRuns: [...focus.runs], hiddenRuns: [] };
    } else if (focus.runs?.length) {
      const wanted = new Set(focus.runs);
      const { shownRuns: _dropped, ...rest } = this.options;
      this.options = { ...rest, hiddenRuns: this.runs.map((r) => r.name).filter((r) => !wanted.has(r)) };
    }
    // A focused tag must not be hidden by a stale filter.
    if (focus.tag && this.options.tagFilter && !matchesFilter(focus.tag, this.options.tagFilter)) {
      this.options = { ...this.options, tagFilter: '' };
    }
  }

  private applyChunk(c: SeriesChunk): void {
    const k = key(c.run, c.tag);
    const existing = this.series.get(k);
    if (c.replace || !existing) {
      this.series.set(k, copySeries(c.series));
      return;
    }
    existing.steps.push(...c.series.steps);
    existing.values.push(...c.series.values);
    existing.wallTimes.push(...c.series.wallTimes);
  }

  // ------------------------------------------------------------------ rendering

  private render(): void {
    this.destroyCharts();
    this.root.replaceChildren();
    this.root.append(this.header());
    if (this.runs.length === 0) {
      const where = this.logdirs.length ? `Watching ${this.logdirs.join(', ')}.` : 'No TensorBoard log directory found yet.';
      this.root.append(
        this.bridge.interactive
          ? emptyState('Waiting for the first event…', `${where} Charts appear as soon as a SummaryWriter writes its first scalar.`)
          : emptyState('No training runs were found.', where),
      );
      this.tagsShown = this.structureKey();
      this.reportRendered();
      return;
    }
    this.root.append(this.runList());
    if (this.findings.length) this.root.append(this.findingList());
    if (this.efficiencyViews().length) this.root.append(this.efficiencySection());
    this.root.append(this.scalarSection());
    if (this.histograms.length) this.root.append(this.histogramSection());
    if (this.hparams.length) this.root.append(this.hparamsSection());
    this.tagsShown = this.structureKey();
    this.saveState();
    this.reportRendered();
  }

  private header(): HTMLElement {
    const tags = new Set(this.runs.flatMap((r) => r.tags));
    const live = this.runs.filter((r) => r.live).length;
    const reading = this.scanning ? ` · reading ${formatCount(this.scanning[0])} of ${`${formatCount(this.scanning[1])} runs`}…` : '';
    const summary = this.runs.length
      ? `${this.runs.length === 1 ? '1 run' : `${formatCount(this.runs.length)} runs`} · ${plural(tags.size, 'scalar tag')}${live ? ` · ${live} live` : ''}${reading}`
      : '';
    const controls = h(
      'div',
      { class: 'toolbar-controls' },
      slider('Smoothing', this.options.smoothing, 0, 0.99, 0.01, (v) => this.setOptions({ smoothing: v })),
      select<XAxisMode>(
        'X axis',
        [
          { value: 'step', label: 'Step' },
          { value: 'relative', label: 'Relative time' },
          { value: 'wall', label: 'Wall time' },
        ],
        this.options.xAxis,
        (v) => this.setOptions({ xAxis: v }),
      ),
      checkbox('Log scale', this.options.logScale, (v) => this.setOptions({ logScale: v })),
      checkbox('Ignore outliers', this.options.ignoreOutliers, (v) => this.setOptions({ ignoreOutliers: v })),
      textfield('Filter tags (regex)', this.options.tagFilter, (v) => this.setOptions({ tagFilter: v }, false)),
    );
    return h('header', { class: 'toolbar' }, h('div', { class: 'toolbar-title' }, h('h1', {}, 'Training runs'), h('span', { class: 'subtle' }, summary)), this.runs.length ? controls : null);
  }

  private runList(): HTMLElement {
    if (this.runs.length > DEFAULT_SHOWN_RUNS) return this.sweepRunList();
    const hidden = new Set(this.options.hiddenRuns);
    const list = h('div', { class: 'run-list', role: 'group', 'aria-label': 'Runs shown' });
    this.runs.forEach((run) => {
      const count = this.findings.filter((f) => f.run === run.name).length;
      const box = checkbox(
        '',
        !hidden.has(run.name),
        (on) => {
          const next = new Set(this.options.hiddenRuns);
          if (on) next.delete(run.name);
          else next.add(run.name);
          this.setOptions({ hiddenRuns: [...next] });
        },
        `Show run ${run.name}`,
      );
      const detail = [run.lastStep !== null ? `step ${formatCount(run.lastStep)}` : 'no steps yet', run.live ? 'live' : null].filter(Boolean).join(' · ');
      list.append(
        h(
          'div',
          { class: `run-chip${hidden.has(run.name) ? ' run-hidden' : ''}`, title: run.name },
          box,
          h('span', { class: 'swatch', 'data-run': run.name }),
          h('span', { class: 'run-name' }, run.name),
          h('span', { class: 'subtle' }, detail),
          count ? badge(plural(count, 'finding'), this.findings.some((f) => f.run === run.name && f.severity === 'error') ? 'error' : 'warning') : null,
        ),
      );
    });
    // Swatch colours come from the theme at runtime, so they are set here rather than in CSS.
    list.querySelectorAll<HTMLElement>('.swatch').forEach((s) => (s.style.backgroundColor = this.runColour(s.dataset.run ?? '')));
    const all = h('button', { class: 'link-button', type: 'button' }, 'Show all');
    all.addEventListener('click', () => this.setOptions({ hiddenRuns: [] }));
    const { root, body } = section('runs', 'Runs', this.options.hiddenRuns.length ? all : undefined);
    body.append(list);
    return root;
  }

  /**
   * The run list of a sweep (more runs than fit as chips): a search, the ways to pick runs
   * (all matching, top N by a tag's final value or by findings) and the matching runs, at most
   * 200 listed, with what is shown ticked.
   */
  private sweepRunList(): HTMLElement {
    const names = this.runs.map((r) => r.name);
    const shown = new Set(this.visibleRuns().map((r) => r.run.name));
    const selected = this.options.shownRuns ? selectedRunCount(names, this.options) : this.defaultShown && !this.options.hiddenRuns.length ? this.defaultShown.length : selectedRunCount(names, this.options);
    const matching = matchRuns(names, this.runQuery);
    const tags = this.scalarTags();
    if (!tags.includes(this.topTag)) this.topTag = tags.find((t) => /loss/i.test(t)) ?? tags[0] ?? '';
    const pick = (runs: readonly string[]) => this.setOptions({ shownRuns: runs.slice(0, MAX_OVERLAID_RUNS), hiddenRuns: [] });
    const button = (label: string, title: string, onClick: () => void) => {
      const b = h('button', { class: 'link-button', type: 'button', title }, label);
      b.addEventListener('click', onClick);
      return b;
    };
    const finals = (tag: string) => {
      const out = new Map<string, number | null>();
      for (const r of this.runs) {
        const i = r.tags.indexOf(tag);
        out.set(r.name, i >= 0 ? (r.finals?.[i] ?? null) : null);
      }
      return out;
    };
    const search = textfield('Search runs (regex)', this.runQuery, (v) => {
      this.runQuery = v;
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.replaceRunList(), 150);
    });
    search.id = 'run-search';
    const top = select<string>('Top 10 by final', tags.map((t) => ({ value: t, label: t })), this.topTag, (v) => {
      this.topTag = v;
    });
    const actions = h(
      'div',
      { class: 'toolbar-controls sweep-actions' },
      search,
      button(`Show all matching (${formatCount(matching.length)})`, `Overlay the runs that match the search (the first ${MAX_OVERLAID_RUNS} are drawn)`, () => pick(matching)),
      top,
      button('lowest', 'The 10 matching runs with the lowest final value of this tag', () => pick(topRunsByFinal(finals(this.topTag), matching, 10, 'lowest'))),
      button('highest', 'The 10 matching runs with the highest final value of this tag', () => pick(topRunsByFinal(finals(this.topTag), matching, 10, 'highest'))),
      button('Top 10 by findings', 'The 10 matching runs whose findings are worst', () => {
        const set = new Set(matching);
        pick(runsByFindings(this.runs.filter((r) => set.has(r.name)), this.findings).slice(0, 10));
      }),
      button('Default', 'Runs with findings, then the newest', () => this.setOptions({ shownRuns: undefined, hiddenRuns: [] })),
    );
    const list = h('div', { class: 'run-list sweep-list', role: 'group', 'aria-label': 'Runs shown' });
    for (const name of matching.slice(0, SWEEP_LIST_LIMIT)) {
      const run = this.runs.find((r) => r.name === name);
      const box = checkbox(
        '',
        shown.has(name),
        (on) => {
          const current = this.visibleRuns().map((r) => r.run.name);
          this.setOptions({ shownRuns: on ? [...current, name] : current.filter((r) => r !== name), hiddenRuns: [] });
        },
        `Show run ${name}`,
      );
      const count = this.findings.filter((f) => f.run === name).length;
      list.append(
        h(
          'div',
          { class: `run-chip${shown.has(name) ? '' : ' run-hidden'}`, title: name },
          box,
          h('span', { class: 'swatch', 'data-run': name }),
          h('span', { class: 'run-name' }, name),
          h('span', { class: 'subtle' }, run?.lastStep !== null && run?.lastStep !== undefined ? `step ${formatCount(run.lastStep)}` : ''),
          count ? badge(plural(count, 'finding'), 'warning') : null,
        ),
      );
    }
    list.querySelectorAll<HTMLElement>('.swatch').forEach((sw) => (sw.style.backgroundColor = this.runColour(sw.dataset.run ?? '')));
    const more = matching.length > SWEEP_LIST_LIMIT ? h('p', { class: 'subtle' }, `${formatCount(matching.length - SWEEP_LIST_LIMIT)} more match; narrow the search to list them.`) : null;
    const note = `${formatCount(shown.size)} of ${formatCount(this.runs.length)} runs shown${selected > shown.size ? ` (${formatCount(selected)} selected, the first ${MAX_OVERLAID_RUNS} drawn)` : ''} · ${formatCount(matching.length)} match`;
    const { root, body } = section('runs', 'Runs', note);
    // A scroll box of its own: a thousand runs must not push the charts off the page.
    body.append(actions, h('div', { class: 'table-scroll short' }, list));
    if (more) body.append(more);
    return root;
  }

  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  /** Redraws the run list alone, keeping the search field's focus and caret. */
  private replaceRunList(): void {
    const field = document.getElementById('run-search') as (HTMLElement & { value?: string }) | null;
    const focused = field !== null && (document.activeElement === field || field.contains(document.activeElement));
    this.root.querySelector('#runs')?.replaceWith(this.runList());
    if (focused) (document.getElementById('run-search') as HTMLElement | null)?.focus();
  }

  private findingList(): HTMLElement {
    const { root, body } = section('findings', 'Findings', plural(this.findings.length, 'finding'));
    const table = h('table', { class: 'data-table findings-table' }, h('thead', {}, h('tr', {}, h('th', {}, h('span', { class: 'visually-hidden' }, 'Severity')), h('th', {}, 'Run'), h('th', {}, 'Tag'), h('th', { class: 'num' }, 'Step'), h('th', {}, 'Finding'))));
    const tbody = h('tbody');
    for (const f of [...this.findings].sort(bySeverityThenStep)) {
      const row = h(
        'tr',
        { class: 'clickable', tabindex: 0, title: 'Show on the chart', 'data-finding': findingKey(f) },
        h('td', {}, f.acknowledged !== undefined ? acknowledgedBadge(f) : badge(f.severity, f.severity)),
        h('td', {}, f.run),
        // Under the tag, where the training code logs it (no room for a column of its own).
        h('td', { class: 'mono' }, f.tag, this.bridge.interactive && f.code ? h('div', {}, this.codeLink(f)) : null),
        h('td', { class: 'num' }, formatCount(f.step)),
        h('td', {}, h('strong', {}, f.kind), ' — ', f.message),
      );
      const go = () => this.showFinding(f);
      row.addEventListener('click', go);
      row.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') go();
      });
      tbody.append(row);
    }
    table.append(tbody);
    body.append(h('div', { class: 'table-scroll short' }, table));
    return root;
  }

  /** "train.py:39": opens the line that logs the finding's tag, beside the dashboard. */
  private codeLink(f: FindingView): HTMLElement {
    const { path, label, line } = f.code!;
    // A link found by tag name alone says so: no writer in that script points at this run.
    const byName = f.code!.tie === 'tag-name';
    const title = `Open ${label} at line ${line}, where ${f.tag} is logged${byName ? ' (tied by tag name only: no writer in that script points at this run)' : ''}`;
    const link = h('button', { class: 'link-button mono code-link small', type: 'button', title }, `${label}:${line}`, byName ? h('span', { class: 'subtle' }, ' (by tag name)') : null);
    // The row itself shows the finding on the chart; the link must not do that too.
    link.addEventListener('click', (e) => {
      e.stopPropagation();
      this.bridge.post({ type: 'openFile', path, line });
    });
    link.addEventListener('keydown', (e) => e.stopPropagation());
    return link;
  }

  private showFinding(f: FindingView): void {
    this.focus = { tag: f.tag, step: f.step };
    if (this.options.hiddenRuns.includes(f.run)) this.options = { ...this.options, hiddenRuns: this.options.hiddenRuns.filter((r) => r !== f.run) };
    this.render();
    this.scrollToTag(f.tag);
  }

  private scalarTags(): string[] {
    const tags: string[] = [];
    const seen = new Set<string>();
    for (const r of this.runs) for (const t of r.tags) if (!seen.has(t)) seen.add(t), tags.push(t);
    return tags;
  }

  private scalarSection(): HTMLElement {
    const tags = this.scalarTags();
    const { root, body, note } = section('scalars', 'Scalars');
    const groups = new Map<string, string[]>();
    for (const t of tags) {
      const g = t.includes('/') ? t.slice(0, t.indexOf('/')) : '';
      groups.set(g, [...(groups.get(g) ?? []), t]);
    }
    let shown = 0;
    for (const [group, groupTags] of [...groups].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))) {
      // A tag none of the shown runs logs would be an empty chart: filtering to one run hides it.
      const visible = groupTags.filter((t) => matchesFilter(t, this.options.tagFilter) && this.hasVisibleData(t));
      if (!visible.length) continue;
      if (groups.size > 1) body.append(h('h3', { class: 'group-title' }, group || 'Other'));
      const grid = h('div', { class: 'chart-grid' });
      for (const tag of visible) grid.append(this.scalarCard(tag));
      body.append(grid);
      shown += visible.length;
    }
    note.textContent = shown === tags.length ? plural(tags.length, 'tag') : `${shown} of ${plural(tags.length, 'tag')}`;
    if (!shown) body.append(h('p', { class: 'subtle' }, this.options.tagFilter ? `No tag of the shown runs matches “${this.options.tagFilter}”.` : 'The shown runs log no scalars yet.'));
    return root;
  }

  private scalarCard(tag: string): HTMLElement {
    const canvas = h('canvas', { role: 'img', tabindex: 0, 'aria-label': this.chartAlternative(tag) });
    const focused = this.focus?.tag === tag;
    const legend = h('div', { class: 'card-legend' });
    const withData = this.visibleRuns().filter(({ run }) => this.series.get(key(run.name, tag))?.steps.length);
    // A legend of 100 runs would bury the chart: the first dozen, then a count (the tooltip names each curve).
    for (const { run } of withData.slice(0, LEGEND_LIMIT)) {
      const sw = h('span', { class: 'swatch' });
      sw.style.backgroundColor = this.runColour(run.name);
      legend.append(h('span', { class: 'legend-item', title: run.name }, sw, h('span', { class: 'legend-text' }, run.name)));
    }
    if (withData.length > LEGEND_LIMIT) legend.append(h('span', { class: 'legend-item subtle' }, `+${withData.length - LEGEND_LIMIT} more`));
    const card = h(
      'article',
      { class: `card${focused ? ' card-focus' : ''}`, id: idFor('tag', tag) },
      h('header', { class: 'card-title' }, h('span', { class: 'mono' }, tag)),
      legend,
      h('div', { class: 'chart-box' }, canvas),
    );
    const config = lineChartConfig(
      this.datasetsFor(tag),
      {
        theme: this.theme,
        xTitle: this.xTitle(),
        logScale: this.options.logScale,
        ...this.yRange(tag),
        decimate: true,
        xTicks: this.xTickFormatter(),
        tooltipTitle: (x) => `${this.xTitle()} ${this.xTickFormatter()(x)}`,
        tooltipLabel: (d, y, x) => this.tooltipLine(tag, String(d.label), y, x),
        tooltipSkipPrefix: RAW,
      },
      { markers: this.markersFor(tag), theme: this.theme, onClick: (m) => this.markerClicked(m), bands: this.nonFiniteBands(tag), notes: this.clippedNotes(tag) },
    );
    // The canvas must be in the document for chart.js to size it; the card is attached by the caller.
    // Charts are built one per frame, so twenty charts of 100 runs never freeze the page.
    this.pendingCharts.push(() => {
      if (canvas.isConnected) this.charts.set(tag, new ChartJs(canvas, config));
    });
    this.buildChartsSoon();
    return card;
  }

  /** "run: 0.4321 (raw 0.4502, step 1,200)" – the smoothed value with the logged one beside it, like TensorBoard. */
  private tooltipLine(tag: string, run: string, y: number, x: number): string {
    const s = this.series.get(key(run, tag));
    if (!s) return ` ${run}: ${formatNumber(y, 5)}`;
    const xs = this.xValues(run, s);
    const i = Math.min(lowerBound(xs, x), xs.length - 1);
    const raw = s.values[i];
    const step = s.steps[i];
    const parts = [this.options.smoothing > 0 && s.steps.length > 1 ? `raw ${formatNumber(raw ?? Number.NaN, 5)}` : null, this.options.xAxis !== 'step' && step !== undefined ? `step ${formatCount(step)}` : null].filter(Boolean);
    return ` ${run}: ${formatNumber(y, 5)}${parts.length ? `  (${parts.join(', ')})` : ''}`;
  }

  /** A finding's marker on a chart picks out its row in the findings table. */
  private markerClicked(m: Marker): void {
    if (!m.key) return;
    const row = this.root.querySelector<HTMLElement>(`#findings tr[data-finding="${CSS.escape(m.key)}"]`);
    if (!row) return;
    this.root.querySelectorAll('#findings tr.row-focus').forEach((r) => r.classList.remove('row-focus'));
    row.classList.add('row-focus');
    row.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    row.focus({ preventScroll: true });
  }

  /** A run's colour from its name (core's slots over every run), the same in the HTML report. */
  private runColour(run: string): string {
    const names = this.runs.map((r) => r.name);
    const cacheKey = names.join('\u0000');
    if (this.colourSlots?.key !== cacheKey) this.colourSlots = { key: cacheKey, slots: runColourSlots(names, RUN_HUES) };
    return runSlotColour(this.theme, this.colourSlots.slots.get(run) ?? 0);
  }

  private colourSlots: { key: string; slots: Map<string, number> } | undefined;
  private pendingCharts: (() => void)[] = [];
  private buildFrame: number | undefined;

  private buildChartsSoon(): void {
    if (this.buildFrame !== undefined) return;
    // The first chart follows in a microtask (after layout), the rest one per frame.
    queueMicrotask(() => this.buildNextChart());
  }

  private buildNextChart(): void {
    this.buildFrame = undefined;
    const next = this.pendingCharts.shift();
    next?.();
    if (this.pendingCharts.length) this.buildFrame = requestAnimationFrame(() => this.buildNextChart());
    else this.reportRendered();
  }

  private hasVisibleData(tag: string): boolean {
    return this.visibleRuns().some(({ run }) => (this.series.get(key(run.name, tag))?.steps.length ?? 0) > 0);
  }

  /** Stretches where a run logged NaN or ±Inf (the protocol's nulls), shaded and labelled "NaN from step 8". */
  private nonFiniteBands(tag: string): Band[] {
    const bands: Band[] = [];
    for (const { run } of this.visibleRuns()) {
      const s = this.series.get(key(run.name, tag));
      if (!s) continue;
      const xs = this.xValues(run.name, s);
      for (const { from, to } of nullRuns(s.values)) {
        const lastX = xs[to]!;
        // A single bad point still needs a visible width: up to the next logged x.
        const end = to + 1 < xs.length ? xs[to + 1]! : lastX;
        bands.push({ from: xs[from]!, to: end, label: `${this.visibleRuns().length > 1 ? `${run.name}: ` : ''}NaN/Inf from step ${formatCount(s.steps[from]!)}`, colour: this.theme.error });
      }
    }
    return bands.slice(0, 6);
  }

  /** "3 points above the axis": what "Ignore outliers" cut off, so the worst run never hides silently. */
  private clippedNotes(tag: string): string[] {
    const range = this.yRange(tag);
    if (range.yMin === undefined && range.yMax === undefined) return [];
    let above = 0;
    let below = 0;
    for (const { run } of this.visibleRuns()) {
      for (const v of this.series.get(key(run.name, tag))?.values ?? []) {
        if (v === null) continue;
        if (range.yMax !== undefined && v > range.yMax) above++;
        else if (range.yMin !== undefined && v < range.yMin) below++;
      }
    }
    const point = (n: number) => plural(n, 'point');
    return [above ? `${point(above)} above the axis` : '', below ? `${point(below)} below the axis` : ''].filter(Boolean);
  }

  /** The chart in words, for screen readers and keyboard users: each run's latest value, bad stretches, clipping. */
  private chartAlternative(tag: string): string {
    const parts = this.visibleRuns().flatMap(({ run }) => {
      const s = this.series.get(key(run.name, tag));
      if (!s?.steps.length) return [];
      const last = s.steps.length - 1;
      return [`${run.name} ${formatNumber(s.values[last] ?? Number.NaN, 4)} at step ${formatCount(s.steps[last]!)}`];
    });
    const findings = this.findings.filter((f) => f.tag === tag).length;
    const extra = [...this.nonFiniteBands(tag).map((b) => b.label), ...this.clippedNotes(tag), findings ? plural(findings, 'finding') : ''].filter(Boolean);
    return `${tag} over ${this.xTitle().toLowerCase()}: ${parts.join('; ') || 'no data'}${extra.length ? `. ${extra.join('; ')}` : ''}`;
  }

  /** The runs drawn: the page's selection, else the host's default pick for a sweep; at most 100. */
  private visibleRuns(): { run: RunSummary; index: number }[] {
    const names = this.runs.map((r) => r.name);
    const useDefault = !this.options.shownRuns && !this.options.hiddenRuns.length && this.defaultShown && this.runs.length > DEFAULT_SHOWN_RUNS;
    const shown = new Set(useDefault ? this.defaultShown : visibleRunNames(names, this.options));
    return this.runs.map((run, index) => ({ run, index })).filter(({ run }) => shown.has(run.name));
  }

  private datasetsFor(tag: string): LineDataset[] {
    const out: LineDataset[] = [];
    const smoothing = this.options.smoothing;
    const visible = this.visibleRuns();
    // Past ten overlaid runs each curve is thinned (extremes and gaps kept) and the faint raw
    // curves under the smoothed ones are left out: a hundred runs stay one readable chart.
    const thin = visible.length > THIN_OVERLAYS_FROM_RUNS;
    for (const { run } of visible) {
      const full = this.series.get(key(run.name, tag));
      if (!full || !full.steps.length) continue;
      const s = thin ? this.thinned(key(run.name, tag), full) : full;
      const colour = this.runColour(run.name);
      const xs = this.xValues(run.name, s);
      if (thin) {
        const ys = smoothing > 0 && s.steps.length > 1 ? smoothEma(s.values, smoothing) : s.values;
        out.push({ label: run.name, data: toPoints(xs, ys, this.options.logScale), borderColor: colour, backgroundColor: colour, borderWidth: 1, pointRadius: s.steps.length === 1 ? 3 : 0 });
        continue;
      }
      const raw = this.rawPoints(key(run.name, tag), s, xs);
      // A lone point (hp_metric, a final eval) is invisible as a line: draw it as a dot.
      const pointRadius = s.steps.length === 1 ? 3 : 0;
      if (smoothing > 0 && s.steps.length > 1) {
        out.push({ label: `${RAW}${run.name}`, data: raw, borderColor: withAlpha(colour, 0.28), borderWidth: 1, pointHoverRadius: 0 });
        out.push({ label: run.name, data: toPoints(xs, smoothEma(s.values, smoothing), this.options.logScale), borderColor: colour, backgroundColor: colour });
      } else {
        out.push({ label: run.name, data: raw, borderColor: colour, backgroundColor: colour, pointRadius });
      }
    }
    return out;
  }

  /** A run's curve thinned for a crowded overlay, reused while the series is unchanged. */
  private thinned(k: string, s: Series): Series {
    const cached = this.thinCache.get(k);
    if (cached && cached.source === s && cached.length === s.steps.length) return cached.series;
    const keep = minMaxIndices(s.values, OVERLAY_POINTS_PER_RUN / 2);
    const series: Series = { steps: keep.map((i) => s.steps[i]!), values: keep.map((i) => s.values[i] ?? null), wallTimes: keep.map((i) => s.wallTimes[i]!) };
    this.thinCache.set(k, { source: s, length: s.steps.length, series });
    return series;
  }

  private readonly thinCache = new Map<string, { source: Series; length: number; series: Series }>();

  /** The raw curve as chart points, reused while the series, axis and scale are unchanged (a smoothing drag). */
  private rawPoints(k: string, s: Series, xs: readonly number[]): XYPoint[] {
    const shape = `${this.options.xAxis}|${this.options.logScale}|${s.steps.length}`;
    const cached = this.pointCache.get(k);
    if (cached && cached.series === s && cached.shape === shape) return cached.points;
    const points = toPoints(xs, s.values, this.options.logScale);
    this.pointCache.set(k, { series: s, shape, points });
    return points;
  }

  /** Fixed y bounds when outliers are ignored and present; empty to let chart.js fit the data. */
  private yRange(tag: string): { yMin?: number; yMax?: number } {
    if (!this.options.ignoreOutliers || this.options.logScale) return {};
    const curves = this.visibleRuns().flatMap(({ run }) => {
      const s = this.series.get(key(run.name, tag));
      return s ? [s.values] : [];
    });
    const range = robustRangeOfSeries(curves);
    if (!range) return {};
    const nice = niceBounds(range.min, range.max, 8);
    return { yMin: nice.min, yMax: nice.max };
  }

  private markersFor(tag: string): Marker[] {
    const visible = new Set(this.visibleRuns().map((r) => r.run.name));
    const markers: Marker[] = [];
    for (const f of this.findings) {
      if (f.tag !== tag || !visible.has(f.run)) continue;
      const s = this.series.get(key(f.run, tag));
      const at = s ? lowerBound(s.steps, f.step) : -1;
      const x = s && at >= 0 && at < s.steps.length ? this.xValues(f.run, s)[at]! : this.options.xAxis === 'step' ? f.step : NaN;
      const y = s && at >= 0 ? (s.values[at] ?? null) : null;
      markers.push({
        x,
        y,
        severity: f.severity,
        lines: [`${f.kind} · ${f.run}`, `step ${formatCount(f.step)}`, f.message],
        key: findingKey(f),
      });
    }
    if (this.focus?.tag === tag && this.focus.step !== undefined) {
      const step = this.focus.step;
      const first = this.visibleRuns().map(({ run }) => ({ run, s: this.series.get(key(run.name, tag)) })).find((r) => r.s?.steps.length);
      let x = step;
      if (this.options.xAxis !== 'step' && first?.s) x = this.xValues(first.run.name, first.s)[Math.min(lowerBound(first.s.steps, step), first.s.steps.length - 1)]!;
      markers.push({ x, y: null, severity: 'focus', lines: [`step ${formatCount(step)}`] });
    }
    return markers;
  }

  private xValues(run: string, s: Series): number[] {
    switch (this.options.xAxis) {
      case 'step':
        return s.steps;
      case 'wall':
        return s.wallTimes.map((t) => t * 1000);
      case 'relative': {
        const start = this.runStart(run) ?? s.wallTimes[0] ?? 0;
        return s.wallTimes.map((t) => t - start);
      }
    }
  }

  /** The earliest wall time of a run across its tags: relative time starts there. */
  private runStart(run: string): number | undefined {
    let start: number | undefined;
    for (const [k, s] of this.series) {
      if (!k.startsWith(`${run}\u0000`) || !s.wallTimes.length) continue;
      const first = s.wallTimes[0]!;
      if (start === undefined || first < start) start = first;
    }
    return start;
  }

  private xTitle(): string {
    return this.options.xAxis === 'step' ? 'Step' : this.options.xAxis === 'relative' ? 'Relative time' : 'Wall time';
  }

  private xTickFormatter(): (v: number) => string {
    switch (this.options.xAxis) {
      case 'step':
        return (v) => formatNumber(v, 4);
      case 'relative':
        return (v) => formatDuration(v);
      case 'wall': {
        // Runs spread over days need the date; a single session reads better as times of day.
        let first = Infinity;
        let last = -Infinity;
        for (const s of this.series.values()) {
          if (!s.wallTimes.length) continue;
          first = Math.min(first, s.wallTimes[0]!);
          last = Math.max(last, s.wallTimes[s.wallTimes.length - 1]!);
        }
        const withDate = last - first > 86_400;
        return (v) =>
          withDate
            ? new Date(v).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
            : new Date(v).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
      }
    }
  }

  private refreshCharts(): void {
    for (const [tag, chart] of this.charts) {
      chart.data.datasets = this.datasetsFor(tag);
      const y = chart.options.scales?.y;
      if (y) {
        const range = this.yRange(tag);
        y.min = range.yMin;
        y.max = range.yMax;
      }
      const plugins = chart.options.plugins as { modelmonMarkers?: MarkerOptions } | undefined;
      if (plugins?.modelmonMarkers) {
        plugins.modelmonMarkers.markers = this.markersFor(tag);
        plugins.modelmonMarkers.bands = this.nonFiniteBands(tag);
        plugins.modelmonMarkers.notes = this.clippedNotes(tag);
      }
      chart.canvas.setAttribute('aria-label', this.chartAlternative(tag));
      chart.update('none');
    }
    this.reportRendered();
  }

  /** The efficiency of the runs shown, in the order of the run list. */
  private efficiencyViews(): RunEfficiencyView[] {
    const byRun = new Map(this.efficiency.map((e) => [e.run, e]));
    return this.visibleRuns().flatMap(({ run }) => {
      const view = byRun.get(run.name);
      return view ? [view] : [];
    });
  }

  /** One card per run shown: its loss with GPU utilisation under it by step, steps/s, energy and cost. */
  private efficiencySection(): HTMLElement {
    const views = this.efficiencyViews();
    const flagged = views.filter((v) => v.findings.length).length;
    const { root, body } = section('efficiency', 'Efficiency', `${plural(views.length, 'run')}${flagged ? ` · ${flagged} with findings` : ''}`);
    const grid = h('div', { class: 'chart-grid two' });
    this.efficiencyStrips.length = 0;
    for (const view of views) {
      const run = this.runs.find((r) => r.name === view.run);
      const tag = run && (run.tags.find((t) => /train.*loss|loss.*train/i.test(t)) ?? run.tags.find((t) => /loss/i.test(t)) ?? run.tags[0]);
      const series = tag !== undefined ? this.series.get(key(view.run, tag)) : undefined;
      const { card, strip } = efficiencyCard(view, tag !== undefined && series ? { tag, steps: series.steps, values: series.values } : undefined, this.runColour(view.run));
      grid.append(card);
      this.efficiencyStrips.push(strip);
    }
    body.append(grid);
    queueMicrotask(() => this.drawEfficiencyStrips());
    this.efficiencyObserver?.disconnect();
    this.efficiencyObserver = new ResizeObserver(() => this.drawEfficiencyStrips());
    this.efficiencyObserver.observe(grid);
    return root;
  }

  private drawEfficiencyStrips(): void {
    for (const strip of this.efficiencyStrips) if (strip.canvas.isConnected) drawEfficiencyStrip(strip, this.theme);
  }

  private histogramSection(): HTMLElement {
    const { root, body, note } = section('histograms', 'Histograms', plural(this.histograms.length, 'histogram'));
    const grid = h('div', { class: 'chart-grid' });
    const visible = new Set(this.visibleRuns().map((r) => r.run.name));
    for (const view of this.histograms) {
      if (!visible.has(view.run) || !matchesFilter(view.tag, this.options.tagFilter)) continue;
      const canvas = h('canvas', { class: 'heat-strip', role: 'img', 'aria-label': `${view.tag} distribution over steps, run ${view.run}` });
      grid.append(h('article', { class: 'card' }, h('header', { class: 'card-title' }, h('span', { class: 'mono' }, view.tag), h('span', { class: 'subtle' }, view.run)), h('div', { class: 'chart-box' }, canvas)));
      this.heatStrips.push({ canvas, view, colour: this.runColour(view.run) });
    }
    body.append(grid);
    note.append(' · darker = more values');
    queueMicrotask(() => this.drawHeatStrips());
    this.resizeObserver?.disconnect();
    this.resizeObserver = new ResizeObserver(() => this.drawHeatStrips());
    this.resizeObserver.observe(grid);
    return root;
  }

  private drawHeatStrips(): void {
    for (const { canvas, view, colour } of this.heatStrips) if (canvas.isConnected) drawHeatStrip(canvas, view, colour, this.theme);
  }

  private hparamsSection(): HTMLElement {
    const hkeys = unique(this.hparams.flatMap((r) => Object.keys(r.hparams)));
    const mkeys = unique(this.hparams.flatMap((r) => Object.keys(r.metrics ?? {})));
    const { root, body } = section('hparams', 'Hyperparameters', `${plural(this.hparams.length, 'run')} · ${plural(hkeys.length, 'parameter')}`);
    const head = h('tr', {}, h('th', {}, 'Run'), ...hkeys.map((k) => h('th', { class: 'mono' }, k)), ...mkeys.map((k) => h('th', { class: 'mono metric' }, k)));
    const tbody = h('tbody');
    for (const row of [...this.hparams].sort((a, b) => a.run.localeCompare(b.run))) {
      const sw = h('span', { class: 'swatch' });
      sw.style.backgroundColor = this.runColour(row.run);
      tbody.append(
        h(
          'tr',
          {},
          h('td', { class: 'nowrap' }, sw, row.run),
          ...hkeys.map((k) => {
            const v = row.hparams[k];
            return h('td', { class: typeof v === 'number' ? 'num' : '' }, v === undefined || v === null ? '–' : typeof v === 'number' ? formatNumber(v, 4) : String(v));
          }),
          ...mkeys.map((k) => h('td', { class: 'num metric' }, formatNumber(row.metrics?.[k] ?? null, 4))),
        ),
      );
    }
    body.append(h('div', { class: 'table-scroll' }, h('table', { class: 'data-table' }, h('thead', {}, head), tbody)));
    return root;
  }

  // ------------------------------------------------------------------ state

  private setOptions(patch: Partial<TrainingViewOptions>, rebuild = true): void {
    this.options = { ...this.options, ...patch };
    if ('shownRuns' in patch && patch.shownRuns === undefined) {
      const { shownRuns: _dropped, ...rest } = this.options;
      this.options = rest;
    }
    this.saveState();
    if ('shownRuns' in patch || patch.hiddenRuns) {
      // A new run selection: the host sends the newly shown runs' series now; the page forgets the others'.
      const shown = new Set(this.visibleRuns().map((r) => r.run.name));
      for (const k of [...this.series.keys()]) if (!shown.has(k.slice(0, k.indexOf('\u0000')))) this.series.delete(k);
      this.postOptions();
    } else {
      // The host only records the other options; a slider drag need not send every intermediate value.
      clearTimeout(this.postTimer);
      this.postTimer = setTimeout(() => this.postOptions(), 300);
    }
    if (patch.tagFilter !== undefined && !rebuild) {
      // Typing in the filter re-renders after a pause so each key stroke stays cheap.
      clearTimeout(this.filterTimer);
      this.filterTimer = setTimeout(() => this.renderKeepingFocus(), 200);
      return;
    }
    if (patch.smoothing !== undefined && Object.keys(patch).length === 1) {
      // Smoothing redraws in place, at most once a frame while the slider moves.
      this.refreshSoon();
      return;
    }
    this.render();
  }

  private filterTimer: ReturnType<typeof setTimeout> | undefined;
  private postTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshFrame: number | undefined;

  /** Re-render without losing the text field's focus and caret. */
  private renderKeepingFocus(): void {
    const scroll = window.scrollY;
    const scalars = this.root.querySelector('#scalars');
    const histograms = this.root.querySelector('#histograms');
    if (!scalars) return this.render();
    for (const [tag, chart] of this.charts) {
      chart.destroy();
      this.charts.delete(tag);
    }
    this.heatStrips.length = 0;
    scalars.replaceWith(this.scalarSection());
    if (histograms) histograms.replaceWith(this.histogramSection());
    window.scrollTo(0, scroll);
    this.saveState();
    this.reportRendered();
  }

  private postOptions(): void {
    clearTimeout(this.postTimer);
    this.bridge.post({ type: 'setOptions', panel: 'training', options: this.options });
  }

  private saveState(): void {
    this.bridge.saveState<ViewState>('training', { ...this.options, scrollY: window.scrollY });
  }

  private scrollToTag(tag: string): void {
    const el = document.getElementById(idFor('tag', tag));
    el?.scrollIntoView({ block: 'center' });
  }

  private structureKey(): string {
    return JSON.stringify([this.runs.map((r) => [r.name, r.tags.length]), this.histograms.length]);
  }

  private destroyCharts(): void {
    this.pendingCharts = [];
    if (this.buildFrame !== undefined) cancelAnimationFrame(this.buildFrame);
    this.buildFrame = undefined;
    for (const chart of this.charts.values()) chart.destroy();
    this.charts.clear();
    this.heatStrips.length = 0;
    this.resizeObserver?.disconnect();
    this.efficiencyStrips.length = 0;
    this.efficiencyObserver?.disconnect();
  }

  private reportRendered(): void {
    // Charts are created after layout, one a frame; count once they all exist.
    queueMicrotask(() => {
      if (this.pendingCharts.length || this.buildFrame !== undefined) return;
      let points = 0;
      for (const tag of this.charts.keys()) {
        for (const { run } of this.visibleRuns()) points += this.series.get(key(run.name, tag))?.steps.length ?? 0;
      }
      for (const { view } of this.heatStrips) points += view.steps.reduce((n, s) => n + s.counts.length, 0);
      // The efficiency cards on screen, as "run: kinds" (tests read what the page shows).
      const cards = [...this.root.querySelectorAll<HTMLElement>('.efficiency-card')].map((c) => {
        const view = this.efficiency.find((e) => e.run === c.dataset.run);
        return `${c.dataset.run}: ${view?.findings.map((f) => f.kind).join('+') || 'no finding'}`;
      });
      this.bridge.post({ type: 'rendered', panel: 'training', points, charts: this.charts.size + this.heatStrips.length, ...(cards.length ? { title: `efficiency ${cards.join(', ')}` } : {}) });
    });
  }
}

const key = (run: string, tag: string) => `${run}\u0000${tag}`;
/** Legend entries a chart lists before "+N more". */
const LEGEND_LIMIT = 12;
/** Runs the sweep's run list renders at once; a search narrows the rest. */
const SWEEP_LIST_LIMIT = 200;

function copySeries(s: { steps: readonly number[]; values: readonly (number | null)[]; wallTimes: readonly number[] }): Series {
  return { steps: [...s.steps], values: [...s.values], wallTimes: [...s.wallTimes] };
}

function toPoints(xs: readonly number[], ys: readonly (number | null)[], log: boolean): XYPoint[] {
  const out: XYPoint[] = new Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i] ?? null;
    out[i] = { x: xs[i]!, y: y === null || (log && y <= 0) ? null : y };
  }
  return out;
}

/** First index whose step is >= `step` (steps ascending); `steps.length` when none. */
function lowerBound(steps: readonly number[], step: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid]! < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function matchesFilter(tag: string, filter: string): boolean {
  if (!filter.trim()) return true;
  try {
    return new RegExp(filter, 'i').test(tag);
  } catch {
    return tag.toLowerCase().includes(filter.toLowerCase());
  }
}

function pickOptions(saved: Partial<ViewState>): Partial<TrainingViewOptions> {
  const out: { -readonly [K in keyof TrainingViewOptions]?: TrainingViewOptions[K] } = {};
  if (typeof saved.smoothing === 'number' && saved.smoothing >= 0 && saved.smoothing < 1) out.smoothing = saved.smoothing;
  if (saved.xAxis === 'step' || saved.xAxis === 'relative' || saved.xAxis === 'wall') out.xAxis = saved.xAxis;
  if (typeof saved.logScale === 'boolean') out.logScale = saved.logScale;
  if (typeof saved.ignoreOutliers === 'boolean') out.ignoreOutliers = saved.ignoreOutliers;
  if (Array.isArray(saved.hiddenRuns)) out.hiddenRuns = saved.hiddenRuns.filter((r): r is string => typeof r === 'string');
  if (typeof saved.tagFilter === 'string') out.tagFilter = saved.tagFilter;
  if (Array.isArray(saved.shownRuns)) out.shownRuns = saved.shownRuns.filter((r): r is string => typeof r === 'string');
  return out;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;
/** The findings as the charts see them: everything but their code links. */
function findingsWithoutCode(findings: readonly FindingView[]): string {
  return JSON.stringify(findings.map(({ code: _code, ...rest }) => rest));
}

/** Ties a finding's marker on a chart to its row in the findings table. */
function findingKey(f: FindingView): string {
  return JSON.stringify([f.run, f.tag, f.step]);
}

function bySeverityThenStep(a: FindingView, b: FindingView): number {
  return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.run.localeCompare(b.run) || a.step - b.step;
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/** Index ranges (inclusive) of consecutive nulls: the NaN/Inf stretches of a series. */
function nullRuns(values: readonly (number | null)[]): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  let start = -1;
  for (let i = 0; i <= values.length; i++) {
    const bad = i < values.length && values[i] === null;
    if (bad && start < 0) start = i;
    if (!bad && start >= 0) {
      out.push({ from: start, to: i - 1 });
      start = -1;
    }
  }
  return out;
}

/** "acknowledged" in place of the severity: modelmon.json says this finding is known and accepted. */
function acknowledgedBadge(f: FindingView): HTMLElement {
  const b = badge('acknowledged', 'ok');
  b.title = `${f.severity}, acknowledged in modelmon.json: ${f.acknowledged ?? ''}`;
  return b;
}
