import { DATA_ELEMENT_ID, ROOT_ELEMENT_ID, embedJson, escapeHtml as h, htmlDocument, randomNonce, reportShell } from '../../protocol';
import type { PanelState, PredictionReportView, StaticReportData, TrainingState } from '../../protocol';
import { buildReportData, DEFAULT_REPORT_LIMITS, integrityViews, type ReportInput, type ReportLimits } from './data';
import { REPORT_CSS } from './style';
import { efficiencyTableHtml } from './efficiency';
import { summaryHtml } from './summary';
import { estimatesTableHtml } from './estimates';
import { attributionsTableHtml } from './attributions';
import { barChart, lineChart, PALETTE_SIZE } from './svg';
import { runColourSlots } from '../charts/runColours';

/** Hues runs are spread over, as in the dashboards (webview/theme.ts RUN_HUES). */
const RUN_HUES = 6;

/** The dashboards' bundle (dist/webview.js) and stylesheet, inlined into the report. */
export interface ReportBundle {
  readonly script: string;
  readonly style: string;
}

export interface RenderReportOptions {
  /** With a bundle the charts are drawn by the dashboards' own code; without, as static SVG. */
  readonly bundle?: ReportBundle;
  readonly limits?: ReportLimits;
  readonly nonce?: string;
}

/**
 * One self-contained HTML file: summary, findings and integrity state as HTML, the runs' and
 * prediction logs' charts, the data embedded as JSON. No network access, strict CSP.
 */
export function renderReportHtml(input: ReportInput, options: RenderReportOptions = {}): string {
  const data = buildReportData(input, options.limits ?? DEFAULT_REPORT_LIMITS);
  const summary = `<section class="mm-report" id="modelmon-summary">${summaryHtml(input.result, input.title, input.generatedAt, integrityViews(input), !options.bundle)}</section>`;
  if (options.bundle) {
    return reportShell({ data, script: options.bundle.script, style: `${options.bundle.style}\n${REPORT_CSS}`, summaryHtml: summary, ...(options.nonce ? { nonce: options.nonce } : {}) });
  }
  return staticPage(data, summary, options.nonce ?? randomNonce());
}

function staticPage(data: StaticReportData, summary: string, nonce: string): string {
  const charts = data.panels.map(panelCharts).join('\n');
  return htmlDocument({
    csp: ["default-src 'none'", `style-src 'nonce-${h(nonce)}'`, 'img-src data:'],
    title: data.title,
    generator: true,
    head: `<style nonce="${nonce}">${REPORT_CSS}</style>`,
    bodyAttributes: 'class="modelmon-static"',
    body: [summary, `<section class="mm-report" id="${ROOT_ELEMENT_ID}">${charts}</section>`, `<script type="application/json" id="${DATA_ELEMENT_ID}">${embedJson(data)}</script>`],
  });
}

function panelCharts(panel: PanelState): string {
  switch (panel.panel) {
    case 'training':
      return trainingCharts(panel.state);
    case 'predictions':
      return panel.state.report ? predictionCharts(panel.state.report) : '';
    case 'gpu':
    case 'endpoint':
      return '';
  }
}

function trainingCharts(state: TrainingState): string {
  const tags = [...new Set(state.series.map((s) => s.tag))].sort();
  const runs = state.runs.map((r) => r.name);
  // Colours follow run names, as on the dashboard: the same run is the same hue in both.
  const slots = runColourSlots(runs, RUN_HUES);
  const colour = (run: string) => (slots.get(run) ?? 0) % PALETTE_SIZE;
  const legend = `<div class="mm-legend">${runs.map((r) => `<span><span class="mm-swatch mm-c${colour(r)}"></span>${h(r)}</span>`).join('')}</div>`;
  const charts = tags.map((tag) => {
    const series = runs.map((run) => {
      const s = state.series.find((x) => x.run === run && x.tag === tag);
      return { name: run, colour: colour(run), xs: s?.series.steps ?? [], ys: s?.series.values ?? [] };
    });
    const markers = state.findings.filter((f) => f.tag === tag).map((f) => ({ x: f.step, label: `${f.run}: ${f.message}` }));
    const positive = series.every((s) => s.ys.every((y) => y === null || y > 0));
    const spread = series.flatMap((s) => s.ys.filter((y): y is number => y !== null && Number.isFinite(y)));
    const logScale = positive && spread.length > 0 && Math.max(...spread) / Math.min(...spread) > 1e3;
    return lineChart({ title: tag + (logScale ? ' (log scale)' : ''), series, markers, logScale });
  });
  return `<h2>Training runs</h2>${legend}<div class="mm-charts" data-charts="training">${charts.join('')}</div>${efficiencyTableHtml(state.efficiency ?? [])}`;
}

function predictionCharts(r: PredictionReportView): string {
  const features = [...r.features].sort((a, b) => b.value - a.value);
  const statistic = features[0]?.statistic ?? 'drift';
  const bars = barChart({ title: `${r.log}: ${statistic} per feature`, bars: features.map((f) => ({ label: f.feature, value: f.value, flagged: f.drifted })) });
  const metricNames = [...new Set(r.windows.flatMap((w) => Object.keys(w.metrics)))];
  const metrics = metricNames.length
    ? lineChart({
        title: `${r.log}: metrics per window`,
        series: metricNames.map((m) => ({ name: m, xs: r.windows.map((w) => w.end), ys: r.windows.map((w) => w.metrics[m] ?? null) })),
        markers: r.referenceEnd !== undefined ? [{ x: r.referenceEnd, label: 'end of reference' }] : [],
      })
    : '';
  const legend = metricNames.length ? `<div class="mm-legend">${metricNames.map((m, i) => `<span><span class="mm-swatch mm-c${i % PALETTE_SIZE}"></span>${h(m)}</span>`).join('')}</div>` : '';
  return `<h2>Predictions: ${h(r.log)}</h2>${legend}<div class="mm-charts" data-charts="predictions">${bars}${metrics}</div>${estimatesTableHtml(r.estimates)}${attributionsTableHtml(r.attributions)}`;
}
