export * from './types';
export { buildReportData, downsample, DEFAULT_REPORT_LIMITS, integrityViews, type ReportInput, type ReportLimits } from './data';
export { renderReportHtml, type RenderReportOptions, type ReportBundle } from './html';
export { barChart, lineChart } from './svg';
export { escapeHtml } from '../../protocol';
