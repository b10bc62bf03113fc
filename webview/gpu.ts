/**
 * The GPU dashboard: a tile per GPU with its current figures, live utilisation / memory /
 * temperature / power charts with a line per GPU, and the energy used so far.
 */
import type { Chart } from 'chart.js';
import type { GpuAlertView, GpuReadingView, GpuSampleView, GpuState, GpuUpdate } from '../src/protocol';
import { formatDuration, formatNumber } from '../src/core/charts/format';
import { gpuLabel, gpuModelsLabel } from '../src/core/gpu/backend';
import type { Bridge } from './bridge';
import { Chart as ChartJs, lineChartConfig, type LineDataset, type XYPoint } from './charts';
import { badge, emptyState, h, plural, section, tile } from './dom';
import { readTheme, seriesColour, type Theme } from './theme';
import type { Dashboard } from './dashboard';

/** Samples kept in the page: an hour at one per second. */
const MAX_SAMPLES = 3600;

interface Metric {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly value: (g: GpuReadingView) => number | null;
  readonly max?: (gpus: readonly GpuReadingView[]) => number | undefined;
}

const METRICS: readonly Metric[] = [
  { id: 'util', title: 'Utilisation', unit: '%', value: (g) => g.utilizationGpu, max: () => 100 },
  { id: 'memory', title: 'Memory used', unit: 'GiB', value: (g) => (g.memoryUsedMiB === null ? null : g.memoryUsedMiB / 1024), max: (gs) => maxOf(gs.map((g) => (g.memoryTotalMiB ?? 0) / 1024)) },
  { id: 'temperature', title: 'Temperature', unit: '°C', value: (g) => g.temperatureC },
  { id: 'power', title: 'Power draw', unit: 'W', value: (g) => g.powerW, max: (gs) => maxOf(gs.map((g) => g.powerLimitW ?? 0)) },
];

export class GpuDashboard implements Dashboard<GpuState, GpuUpdate> {
  private samples: GpuSampleView[] = [];
  private energy: GpuState['energy'] = { wh: 0, cost: null, currency: null };
  private status: string | null = null;
  private replay: string | undefined;
  private alerts: readonly GpuAlertView[] = [];
  private origin: string | undefined;
  private theme: Theme = readTheme();
  private readonly charts = new Map<string, Chart<'line', XYPoint[]>>();
  private tilesEl: HTMLElement | undefined;
  private shape = '';

  constructor(
    private readonly root: HTMLElement,
    private readonly bridge: Bridge,
  ) {}

  init(state: GpuState): void {
    this.samples = state.samples.slice(-MAX_SAMPLES);
    this.energy = state.energy;
    this.status = state.status;
    this.replay = state.replay;
    this.alerts = state.alerts ?? [];
    this.origin = state.source;
    this.render();
  }

  update(u: GpuUpdate): void {
    this.samples.push(...u.samples);
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
    this.energy = u.energy;
    const alerts = u.alerts ?? [];
    const statusChanged = u.status !== this.status || u.replay !== this.replay || u.source !== this.origin || alertsKey(alerts) !== alertsKey(this.alerts);
    this.status = u.status;
    this.replay = u.replay;
    this.alerts = alerts;
    this.origin = u.source;
    if (statusChanged || this.gpuShape() !== this.shape) this.render();
    else this.refresh();
  }

  themeChanged(): void {
    this.theme = readTheme();
    const scroll = window.scrollY;
    this.render();
    window.scrollTo(0, scroll);
  }

  private gpuShape(): string {
    return (this.samples[this.samples.length - 1]?.gpus ?? []).map((g) => `${gpuKey(g)}:${g.name ?? ''}:${g.cluster?.job ?? ''}`).join('|');
  }

  private render(): void {
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
    this.shape = this.gpuShape();
    const latest = this.samples[this.samples.length - 1];
    this.root.replaceChildren(this.header(latest));
    if (!latest || latest.gpus.length === 0) {
      const hint = this.status && this.origin ? 'Model Monitor reads the cluster\'s GPUs from Prometheus (modelmon.prometheus.url), where NVIDIA\'s dcgm-exporter is scraped.' : this.status ? 'Model Monitor samples GPUs with nvidia-smi (NVIDIA) or amd-smi / rocm-smi (AMD, see modelmon.gpu.backend); check that the driver is installed on the machine that holds the workspace.' : 'Samples arrive about once a second.';
      this.root.append(this.bridge.interactive ? emptyState(this.status ?? 'Waiting for the first GPU sample…', hint) : emptyState(this.status ?? 'No GPU samples were recorded.'));
      this.tilesEl = undefined;
      this.reportRendered();
      return;
    }
    this.tilesEl = h('div', { class: 'tiles' });
    this.fillTiles(latest);
    const { root: now, body: nowBody } = section('now', 'Now', latest ? new Date(latest.timeMs).toLocaleTimeString() : '');
    nowBody.append(this.tilesEl);
    const alerts = this.alertsSection();
    const { root: history, body, note } = section('history', 'History', this.historyNote());
    note.dataset.role = 'history-note';
    const grid = h('div', { class: 'chart-grid two' });
    for (const metric of METRICS) grid.append(this.metricCard(metric));
    body.append(this.legend(latest), grid);
    this.root.append(...(alerts ? [alerts] : []), now, history);
    this.reportRendered();
  }

  private header(latest: GpuSampleView | undefined): HTMLElement {
    const e = this.energy;
    const cost = e.cost !== null ? ` · ${formatMoney(e.cost, e.currency)}` : '';
    return h(
      'header',
      { class: 'toolbar' },
      h(
        'div',
        { class: 'toolbar-title' },
        h('h1', {}, 'GPUs'),
        h('span', { class: 'subtle', 'data-role': 'models' }, latest ? `${modelsOf(latest)} · ${plural(this.samples.length, 'sample')}` : ''),
        this.replayBadge(),
        this.origin ? h('span', { class: 'subtle', 'data-role': 'source' }, this.origin) : null,
      ),
      h('div', { class: 'energy', title: 'Energy drawn by all GPUs since monitoring started' }, h('span', { class: 'subtle' }, 'Energy so far '), h('strong', { 'data-role': 'energy' }, `${formatNumber(e.wh, 4)} Wh${cost}`)),
    );
  }

  /** A replayed recording is labelled as such, so nobody takes it for this machine's GPU. */
  private replayBadge(): HTMLElement | null {
    if (!this.replay) return null;
    const b = badge('replay', 'info');
    b.title = `Not this machine's GPU: a stand-in tool replays ${this.replay}`;
    b.dataset.role = 'replay';
    return h('span', { class: 'replay-note' }, b, h('span', { class: 'subtle' }, this.replay));
  }

  /** The cluster's active alerts (XID, row remapping, heat, idle while held), as the monitor raised them. */
  private alertsSection(): HTMLElement | null {
    if (!this.alerts.length) return null;
    const { root, body } = section('alerts', 'Alerts', plural(this.alerts.length, 'active alert'));
    const list = h('ul', { class: 'alert-list', 'data-role': 'alerts' });
    for (const a of this.alerts) list.append(h('li', { 'data-kind': a.kind }, badge(a.kind, a.severity), ' ', a.message));
    body.append(list);
    return root;
  }

  private fillTiles(latest: GpuSampleView): void {
    if (!this.tilesEl) return;
    const groups = groupsOf(latest.gpus);
    if (groups.length === 1 && groups[0]!.host === null) {
      this.tilesEl.replaceChildren(...this.cards(latest.gpus, latest));
    } else {
      // A cluster: one block per node, its GPUs under the job holding them (pod or batch job), free ones last.
      this.tilesEl.replaceChildren(
        ...groups.map((group) => {
          const block = h('div', { class: 'gpu-host', 'data-host': group.host ?? '' });
          block.style.gridColumn = '1 / -1';
          const jobs = [...new Set(group.gpus.map((g) => g.cluster?.job ?? null))];
          block.append(h('h3', {}, group.host ?? '', h('span', { class: 'subtle' }, ` · ${plural(group.gpus.length, 'GPU')} · ${gpuModelsLabel(group.gpus.map((g) => ({ vendor: g.vendor ?? 'nvidia', name: g.name })))}`)));
          for (const job of jobs.sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))) {
            const gpus = group.gpus.filter((g) => (g.cluster?.job ?? null) === job);
            const tiles = h('div', { class: 'tiles', 'data-job': job ?? '' });
            // Two or more GPUs a row, so a node of eight fits a screen: compact cards, narrower figures.
            tiles.style.gridTemplateColumns = 'repeat(auto-fill, minmax(min(100%, 420px), 1fr))';
            tiles.style.marginBottom = '8px';
            tiles.append(...this.cards(gpus, latest));
            tiles.querySelectorAll<HTMLElement>('.gpu-figures').forEach((f) => (f.style.gridTemplateColumns = 'repeat(auto-fit, minmax(88px, 1fr))'));
            block.append(h('div', { class: 'subtle', 'data-role': 'job' }, job ? `job ${job} · ${plural(gpus.length, 'GPU')}` : `no job · ${plural(gpus.length, 'GPU')}`), tiles);
          }
          return block;
        }),
      );
    }
    this.tilesEl.querySelectorAll<HTMLElement>('.swatch').forEach((s) => (s.style.backgroundColor = seriesColour(this.theme, Number(s.dataset.colour))));
  }

  private cards(gpus: readonly GpuReadingView[], latest: GpuSampleView): HTMLElement[] {
    return gpus.map((g) => {
        const i = latest.gpus.indexOf(g);
        const used = g.memoryUsedMiB;
        const total = g.memoryTotalMiB;
        const memoryShare = used !== null && total ? used / total : null;
        const card = h(
          'article',
          { class: 'gpu-card' },
          h('header', { class: 'card-title' }, h('span', { class: 'swatch', 'data-colour': String(i) }), h('span', {}, gpuName(g)), h('span', { class: 'subtle' }, labelOf(g))),
          h(
            'div',
            { class: 'gpu-figures' },
            tile('Utilisation', percent(g.utilizationGpu), g.utilizationMemory !== null ? `memory bus ${percent(g.utilizationMemory)}` : undefined),
            // One decimal of GiB, as the status bar and the tree round it.
            tile('Memory', used !== null ? `${(used / 1024).toFixed(1)} GiB` : '–', total ? `of ${(total / 1024).toFixed(1)} GiB${memoryShare !== null ? ` (${Math.round(memoryShare * 100)}%)` : ''}` : undefined, memoryShare !== null && memoryShare > 0.95 ? 'warning' : undefined),
            tile('Temperature', g.temperatureC !== null ? `${g.temperatureC} °C` : '–', undefined, g.temperatureC !== null && g.temperatureC >= 85 ? 'error' : undefined),
            tile('Power', g.powerW !== null ? `${formatNumber(g.powerW, 3)} W` : '–', g.powerLimitW ? `limit ${formatNumber(g.powerLimitW, 3)} W` : undefined),
          ),
          g.throttleReasons?.length ? h('div', { class: 'throttle' }, ...g.throttleReasons.map((r) => badge(r, 'warning'))) : null,
          this.clusterLine(g),
        );
        card.dataset.gpu = gpuKey(g);
        return card;
      });
  }

  /** A cluster GPU's holder, tensor-core share and its alerts, under its figures. */
  private clusterLine(g: GpuReadingView): HTMLElement | null {
    const c = g.cluster;
    if (!c) return null;
    const alerts = this.alerts.filter((a) => a.host === c.host && a.gpuIndex === g.index);
    const parts: Array<HTMLElement | string> = [];
    if (c.job) parts.push(h('span', { class: 'subtle' }, `${c.job}${c.container ? ` (${c.container})` : ''}`));
    if (c.tensorActive !== null) parts.push(h('span', { class: 'subtle' }, `tensor ${Math.round(c.tensorActive * 100)}%`));
    for (const a of alerts) {
      const b = badge(a.kind === 'xid' && c.xid ? `XID ${c.xid}` : a.kind, a.severity);
      b.title = a.message;
      parts.push(b);
    }
    return parts.length ? h('div', { class: 'throttle', 'data-role': 'cluster' }, ...parts) : null;
  }

  private legend(latest: GpuSampleView): HTMLElement {
    const legend = h('div', { class: 'legend' });
    if (latest.gpus.length < 2) return legend;
    latest.gpus.forEach((g, i) => {
      const sw = h('span', { class: 'swatch' });
      sw.style.backgroundColor = seriesColour(this.theme, i);
      legend.append(h('span', { class: 'legend-item' }, sw, gpuName(g)));
    });
    return legend;
  }

  private metricCard(metric: Metric): HTMLElement {
    const canvas = h('canvas', { role: 'img', tabindex: 0, 'aria-label': this.chartAlternative(metric) });
    const card = h('article', { class: 'card' }, h('header', { class: 'card-title' }, h('span', {}, metric.title), h('span', { class: 'subtle' }, metric.unit)), h('div', { class: 'chart-box' }, canvas));
    const gpus = this.samples[this.samples.length - 1]?.gpus ?? [];
    const max = metric.max?.(gpus);
    const config = lineChartConfig(
      this.datasets(metric),
      {
        theme: this.theme,
        xTitle: 'Time',
        yMin: 0,
        ...(max ? { yMax: max } : {}),
        xTicks: (v) => (v === 0 ? 'now' : formatDuration(v)),
        tooltipTitle: (v) => (v === 0 ? 'now' : `${formatDuration(-v)} ago`),
        tooltipLabel: (d, y) => ` ${String(d.label)}: ${formatNumber(y, 4)} ${metric.unit}`,
      },
      { markers: [], theme: this.theme },
    );
    queueMicrotask(() => canvas.isConnected && this.charts.set(metric.id, new ChartJs(canvas, config)));
    return card;
  }

  /** The chart as a sentence, for a screen reader and the keyboard: its latest figure per GPU. */
  private chartAlternative(metric: Metric): string {
    const latest = this.samples[this.samples.length - 1];
    const now = (latest?.gpus ?? []).map((g) => `${gpuName(g)} ${formatNumber(metric.value(g), 3)} ${metric.unit}`).join(', ');
    return `${metric.title} per GPU over the ${this.historyNote() || 'last samples'}${now ? `; now ${now}` : ''}`;
  }

  /** x is seconds relative to the newest sample (negative into the past), so "now" sits at the right edge. */
  private datasets(metric: Metric): LineDataset[] {
    const latest = this.samples[this.samples.length - 1];
    if (!latest) return [];
    return latest.gpus.map((g, i) => ({
      label: gpuName(g),
      data: this.samples.map((s) => {
        const reading = s.gpus.find((r) => r.index === g.index && r.cluster?.host === g.cluster?.host);
        return { x: (s.timeMs - latest.timeMs) / 1000, y: reading ? metric.value(reading) : null };
      }),
      borderColor: seriesColour(this.theme, i),
      backgroundColor: seriesColour(this.theme, i),
      fill: false,
    }));
  }

  private refresh(): void {
    const latest = this.samples[this.samples.length - 1];
    if (!latest) return;
    this.fillTiles(latest);
    const energy = this.root.querySelector<HTMLElement>('[data-role="energy"]');
    if (energy) energy.textContent = `${formatNumber(this.energy.wh, 4)} Wh${this.energy.cost !== null ? ` · ${formatMoney(this.energy.cost, this.energy.currency)}` : ''}`;
    const note = this.root.querySelector<HTMLElement>('[data-role="history-note"]');
    if (note) note.textContent = this.historyNote();
    const nowNote = this.root.querySelector<HTMLElement>('#now .section-note');
    if (nowNote) nowNote.textContent = new Date(latest.timeMs).toLocaleTimeString();
    for (const metric of METRICS) {
      const chart = this.charts.get(metric.id);
      if (!chart) continue;
      chart.data.datasets = this.datasets(metric);
      chart.canvas.setAttribute('aria-label', this.chartAlternative(metric));
      chart.update('none');
    }
    this.reportRendered();
  }

  private historyNote(): string {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    return first && last ? `last ${formatDuration((last.timeMs - first.timeMs) / 1000)}` : '';
  }

  private reportRendered(): void {
    queueMicrotask(() => {
      const gpus = this.samples[this.samples.length - 1]?.gpus.length ?? 0;
      const latest = this.samples[this.samples.length - 1];
      const title = latest && latest.gpus.length ? modelsOf(latest) : undefined;
      this.bridge.post({ type: 'rendered', panel: 'gpu', points: this.charts.size * gpus * this.samples.length, charts: this.charts.size, ...(title ? { title } : {}) });
    });
  }
}

/** Vendor and model of one GPU; samples from before AMD support carry no vendor and are NVIDIA's. */
function labelOf(g: GpuReadingView): string {
  return gpuLabel({ vendor: g.vendor ?? 'nvidia', name: g.name });
}

/** `2 × AMD Instinct MI300X` */
function modelsOf(sample: GpuSampleView): string {
  return gpuModelsLabel(sample.gpus.map((g) => ({ vendor: g.vendor ?? 'nvidia', name: g.name })));
}

function percent(v: number | null): string {
  return v === null ? '–' : `${Math.round(v)}%`;
}

function maxOf(xs: readonly number[]): number | undefined {
  const m = Math.max(0, ...xs);
  return m > 0 ? m : undefined;
}

function formatMoney(amount: number, currency: string | null): string {
  const digits = amount < 1 ? 4 : 2;
  if (currency && /^[A-Z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: digits, minimumFractionDigits: 2 }).format(amount);
    } catch {
      /* an unknown currency code falls through to the plain form */
    }
  }
  return `${amount.toFixed(digits)}${currency ? ` ${currency}` : ''}`;
}

/** One GPU among all shown: its index, on a cluster its node too (every node has a GPU 0). */
function gpuKey(g: GpuReadingView): string {
  return g.cluster ? `${g.cluster.host}/${g.index}` : String(g.index);
}

/** `GPU 0`, or on a cluster `node-a GPU 0`. */
function gpuName(g: GpuReadingView): string {
  return g.cluster ? `${g.cluster.host} GPU ${g.index}` : `GPU ${g.index}`;
}

/** GPUs by node, in the order they came (the host sorts them by node and index); one group without a node here. */
function groupsOf(gpus: readonly GpuReadingView[]): Array<{ host: string | null; gpus: GpuReadingView[] }> {
  const groups = new Map<string | null, GpuReadingView[]>();
  for (const g of gpus) {
    const host = g.cluster?.host ?? null;
    const list = groups.get(host);
    if (list) list.push(g);
    else groups.set(host, [g]);
  }
  return [...groups].map(([host, list]) => ({ host, gpus: list }));
}

function alertsKey(alerts: readonly GpuAlertView[]): string {
  return alerts.map((a) => `${a.host ?? ''}/${a.gpuIndex}:${a.kind}:${a.severity}`).join('|');
}
