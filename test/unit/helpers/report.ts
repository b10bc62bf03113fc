import { readFileSync } from 'node:fs';
import type { PredictionReportView, StaticReportData } from '../../../src/protocol';

/** The data an HTML report embeds for its page (`<script type="application/json" id="modelmon-data">`). */
export function embeddedReportData(html: string): StaticReportData {
  const json = /<script type="application\/json" id="modelmon-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  return JSON.parse(json ?? '') as StaticReportData;
}

/** The prediction-log views of the HTML report written at `path`, in panel order. */
export function reportPredictionViews(path: string): PredictionReportView[] {
  return embeddedReportData(readFileSync(path, 'utf8')).panels.flatMap((p) => (p.panel === 'predictions' && p.state.report ? [p.state.report] : []));
}
