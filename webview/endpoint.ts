/**
 * The endpoint dashboard: per served model its state, latency percentiles and availability over
 * time, failures by class, golden answers and the traffic its access log shows.
 */
import type { Chart } from 'chart.js';
import type { EndpointsState, EndpointView } from '../src/protocol';
import { formatDuration, formatNumber } from '../src/core/charts/format';
import type { Bridge } from './bridge';
import { Chart as ChartJs, lineChartConfig, type LineDataset, type XYPoint } from './charts';
import { badge, emptyState, h, section, tile } from './dom';
import { readTheme, seriesColour, type Theme } from './theme';
import type { Dashboard } from './dashboard';

const STATE_BADGE: Record<EndpointView['state'], 'ok' | 'warning' | 'error' | 'neutral'> = { up: 'ok', degraded: 'warning', down: 'error', unknown: 'neutral', off: 'neutral' };
const ms = (v: number | null) => (v === null ? '–' : `${formatNumber(v, 3)} ms`);
const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

export class EndpointDashboard implements Dashboard<EndpointsState, EndpointsState> {
  private state: EndpointsState = { endpoints: [], status: null };
  private theme: Theme = readTheme();
  private readonly charts: Chart<'line', XYPoint[]>[] = [];

  constructor(
    private readonly root: HTMLElement,
    private readonly bridge: Bridge,
  ) {}

  init(state: EndpointsState): void {
    this.state = state;
    this.render();
  }

  update(state: EndpointsState): void {
    this.state = state;
    const scroll = window.scrollY;
    this.render();
    window.scrollTo(0, scroll);
  }

  themeChanged(): void {
    this.theme = readTheme();
    this.render();
  }

  private render(): void {
    for (const c of this.charts) c.destroy();
    this.charts.length = 0;
    const { endpoints, status } = this.state;
    this.root.replaceChildren(h('header', { class: 'toolbar' }, h('div', { class: 'toolbar-title' }, h('h1', {}, 'Endpoints'), h('span', { class: 'subtle' }, status ?? `${endpoints.length} probed`))));
    if (!endpoints.length) {
      this.root.append(emptyState(status ?? 'No endpoint is configured.', 'Add "endpoints" to modelmon.json or the modelmon.endpoints setting.'));
      this.reportRendered(0);
      return;
    }
    let points = 0;
    endpoints.forEach((e, i) => {
      this.root.append(this.endpointSection(e, i));
      points += e.history.length;
    });
    this.reportRendered(points);
  }

  private endpointSection(e: EndpointView, index: number): HTMLElement {
    const state = badge(e.state, STATE_BADGE[e.state]);
    state.dataset.role = 'state';
    const { root, body } = section(`endpoint-${index}`, e.name, h('span', {}, state, ` ${e.protocol} · ${e.url}`));
    const downKind = e.state === 'down' ? 'error' : e.state === 'degraded' ? 'warning' : 'ok';
    body.append(
      h(
        'div',
        { class: 'tiles' },
        tile('Last probe', ms(e.lastMs), e.lastMessage ?? undefined, e.state === 'unknown' || e.state === 'off' ? undefined : downKind),
        tile('Availability', pct(e.availability), `over ${e.history.length} probes`),
        tile('Latency p50 / p99', e.latency.p50 === null ? '–' : `${formatNumber(e.latency.p50, 3)} / ${formatNumber(e.latency.p99!, 3)} ms`, `p90 ${ms(e.latency.p90)} · max ${ms(e.latency.max)}`),
        tile('Error budget burn', e.burnRate === null ? '–' : `${formatNumber(e.burnRate, 3)}×`, undefined, e.burnRate !== null && e.burnRate > 1 ? 'warning' : undefined),
        tile('Model version', e.modelVersion ?? '–', e.certDaysLeft !== null ? `certificate: ${e.certDaysLeft} days left` : undefined),
      ),
    );
    if (e.history.length) body.append(h('div', { class: 'chart-grid two' }, this.latencyCard(e), this.availabilityCard(e)));
    body.append(h('h3', {}, 'Failures by class'), this.errorsTable(e), h('h3', {}, 'Golden answers'), this.goldenBlock(e));
    if (e.traffic) body.append(h('h3', {}, 'Traffic (access log)'), this.trafficBlock(e.traffic));
    if (e.alerts.length) body.append(h('div', { class: 'throttle' }, ...e.alerts.map((a) => badge(a.message, a.severity === 'error' ? 'error' : 'warning'))));
    return root;
  }

  private chart(title: string, unit: string, datasets: LineDataset[], yMax?: number): HTMLElement {
    const canvas = h('canvas', { role: 'img', tabindex: 0, 'aria-label': `${title} over time` });
    const card = h('article', { class: 'card' }, h('header', { class: 'card-title' }, h('span', {}, title), h('span', { class: 'subtle' }, unit)), h('div', { class: 'chart-box' }, canvas));
    const config = lineChartConfig(
      datasets,
      {
        theme: this.theme,
        xTitle: 'Time',
        yMin: 0,
        ...(yMax !== undefined ? { yMax } : {}),
        xTicks: (v) => (v === 0 ? 'now' : formatDuration(v)),
        tooltipTitle: (v) => (v === 0 ? 'now' : `${formatDuration(-v)} ago`),
        tooltipLabel: (d, y) => ` ${String(d.label)}: ${formatNumber(y, 4)} ${unit}`,
      },
      { markers: [], theme: this.theme },
    );
    queueMicrotask(() => canvas.isConnected && this.charts.push(new ChartJs(canvas, config)));
    return card;
  }

  /** Each probe's latency, and a rolling p99 over the last 20 probes, x in seconds before the newest. */
  private latencyCard(e: EndpointView): HTMLElement {
    const last = e.history[e.history.length - 1]!.at;
    const probes = e.history.map((p) => ({ x: (p.at - last) / 1000, y: p.ms }));
    const rolling = e.history.map((p, i) => {
      const window = e.history.slice(Math.max(0, i - 19), i + 1).map((q) => q.ms).filter((v): v is number => v !== null).sort((a, b) => a - b);
      return { x: (p.at - last) / 1000, y: window.length ? window[Math.min(window.length - 1, Math.ceil(window.length * 0.99) - 1)]! : null };
    });
    return this.chart('Latency', 'ms', [
      { label: 'probe', data: probes, borderColor: seriesColour(this.theme, 0), backgroundColor: seriesColour(this.theme, 0), fill: false },
      { label: 'p99 (last 20)', data: rolling, borderColor: seriesColour(this.theme, 1), backgroundColor: seriesColour(this.theme, 1), fill: false },
    ]);
  }

  /** Availability over the last 20 probes, as a share. */
  private availabilityCard(e: EndpointView): HTMLElement {
    const last = e.history[e.history.length - 1]!.at;
    const data = e.history.map((p, i) => {
      const window = e.history.slice(Math.max(0, i - 19), i + 1);
      return { x: (p.at - last) / 1000, y: (window.filter((q) => q.ok).length / window.length) * 100 };
    });
    return this.chart('Availability', '% of the last 20 probes', [{ label: 'availability', data, borderColor: seriesColour(this.theme, 2), backgroundColor: seriesColour(this.theme, 2), fill: false }], 100);
  }

  private errorsTable(e: EndpointView): HTMLElement {
    const rows = Object.entries(e.errors).sort((a, b) => b[1] - a[1]);
    if (!rows.length) return h('p', { class: 'subtle' }, 'No failed probe in the kept history.');
    return h('div', { class: 'table-scroll short' }, h('table', { class: 'data-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'Failure class'), h('th', { class: 'num' }, 'Probes'))), h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', { class: 'num' }, String(v)))))));
  }

  private goldenBlock(e: EndpointView): HTMLElement {
    const g = e.golden;
    if (!g) return h('p', { class: 'subtle' }, 'No golden answers configured.');
    const changed = new Set(g.mismatched.map((m) => m.line)).size;
    const head = h('p', {}, badge(g.integrityAlert ? 'golden answers changed' : 'golden answers as pinned', g.integrityAlert ? 'error' : changed ? 'warning' : 'ok'), ` ${g.checked - changed} of ${g.checked} as pinned · checked ${new Date(g.at).toLocaleTimeString()}`);
    if (!g.mismatched.length) return head;
    return h(
      'div',
      {},
      head,
      h('div', { class: 'table-scroll short' }, h('table', { class: 'data-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'Line'), h('th', {}, 'Where'), h('th', {}, 'Difference'))), h('tbody', {}, ...g.mismatched.slice(0, 50).map((m) => h('tr', {}, h('td', { class: 'num' }, String(m.line)), h('td', {}, m.path), h('td', {}, m.message)))))),
    );
  }

  private trafficBlock(t: NonNullable<EndpointView['traffic']>): HTMLElement {
    return h(
      'div',
      {},
      h('div', { class: 'tiles' }, tile('Requests', formatNumber(t.requests, 6), t.ratePerS !== null ? `${formatNumber(t.ratePerS, 3)} req/s` : undefined), tile('Errors (5xx)', formatNumber(t.errors, 6), pct(t.errorRate), t.errorRate > 0.01 ? 'warning' : undefined), tile('Logged latency p50 / p99', t.p50 === null ? '–' : `${formatNumber(t.p50, 3)} / ${formatNumber(t.p99!, 3)} ms`), tile('Bytes sent', formatNumber(t.bytesSent, 6))),
      h('div', { class: 'table-scroll short' }, h('table', { class: 'data-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'Route'), h('th', { class: 'num' }, 'Requests'), h('th', { class: 'num' }, 'Errors'), h('th', { class: 'num' }, 'p99'))), h('tbody', {}, ...t.routes.map((r) => h('tr', {}, h('td', {}, r.route), h('td', { class: 'num' }, String(r.requests)), h('td', { class: 'num' }, String(r.errors)), h('td', { class: 'num' }, ms(r.p99))))))),
    );
  }

  private reportRendered(points: number): void {
    queueMicrotask(() => this.bridge.post({ type: 'rendered', panel: 'endpoint', points, charts: this.charts.length, title: this.state.endpoints.map((e) => `${e.name}:${e.state}`).join(',') }));
  }
}
