/** The report's own styles (summary tables, fallback charts); theme variables with plain fallbacks. */
import { ROOT_ELEMENT_ID } from '../../protocol';

export const REPORT_CSS = `
#${ROOT_ELEMENT_ID}>.report-header{display:none}
.mm-report{--mm-fg:var(--vscode-foreground,#1f2328);--mm-bg:var(--vscode-editor-background,#fff);--mm-muted:var(--vscode-descriptionForeground,#59636e);--mm-border:var(--vscode-panel-border,#d1d9e0);--mm-error:var(--vscode-errorForeground,#cf222e);--mm-warning:var(--vscode-editorWarning-foreground,#9a6700);--mm-ok:var(--vscode-testing-iconPassed,#1a7f37);--mm-accent:var(--vscode-focusBorder,#0969da);
font-family:var(--vscode-font-family,system-ui,-apple-system,"Segoe UI",sans-serif);font-size:13px;color:var(--mm-fg);background:var(--mm-bg);padding:16px 20px;max-width:1200px;margin:0 auto}
@media (prefers-color-scheme:dark){.mm-report{--mm-fg:var(--vscode-foreground,#e6edf3);--mm-bg:var(--vscode-editor-background,#0d1117);--mm-muted:var(--vscode-descriptionForeground,#9198a1);--mm-border:var(--vscode-panel-border,#3d444d);--mm-error:var(--vscode-errorForeground,#f85149);--mm-warning:var(--vscode-editorWarning-foreground,#d29922);--mm-ok:var(--vscode-testing-iconPassed,#3fb950);--mm-accent:var(--vscode-focusBorder,#4493f8)}}
.mm-report h1{font-size:20px;margin:0 0 4px}.mm-report h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid var(--mm-border);padding-bottom:4px}.mm-report h3{font-size:14px;margin:16px 0 6px}
.mm-report .mm-meta{color:var(--mm-muted);margin:0 0 12px}
.mm-report table{border-collapse:collapse;margin:6px 0 12px;width:100%}
.mm-report th,.mm-report td{border:1px solid var(--mm-border);padding:3px 8px;text-align:left;vertical-align:top}
.mm-report th{font-weight:600}
.mm-report code{font-family:var(--vscode-editor-font-family,ui-monospace,monospace)}
.mm-verdict{display:inline-block;padding:2px 10px;border-radius:10px;font-weight:600;color:#fff}
.mm-verdict.mm-pass{background:var(--mm-ok)}.mm-verdict.mm-fail{background:var(--mm-error)}
.mm-sev-error{color:var(--mm-error);font-weight:600}.mm-sev-warning{color:var(--mm-warning);font-weight:600}.mm-sev-info{color:var(--mm-muted)}
.mm-ack{color:var(--mm-ok);font-style:italic}
.mm-status-ok{color:var(--mm-ok)}.mm-status-bad{color:var(--mm-error);font-weight:600}
.mm-charts{display:flex;flex-wrap:wrap;gap:12px}
.mm-chart{border:1px solid var(--mm-border);border-radius:4px;background:var(--mm-bg)}
.mm-chart-title{font-size:12px;font-weight:600;fill:var(--mm-fg)}
.mm-axis{font-size:10px;fill:var(--mm-muted)}
.mm-grid{stroke:var(--mm-border);stroke-width:.5}
.mm-line{fill:none;stroke-width:1.5}
.mm-marker{stroke:var(--mm-error);stroke-dasharray:3 3;stroke-width:1}
.mm-bar{fill:var(--mm-accent);opacity:.75}.mm-bar.mm-flagged{fill:var(--mm-error);opacity:1}
.mm-legend{display:flex;flex-wrap:wrap;gap:10px;color:var(--mm-muted);font-size:12px;margin:4px 0}
.mm-swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:middle}
.mm-c0{stroke:#1f77b4;background:#1f77b4}.mm-c1{stroke:#ff7f0e;background:#ff7f0e}.mm-c2{stroke:#2ca02c;background:#2ca02c}.mm-c3{stroke:#d62728;background:#d62728}
.mm-c4{stroke:#9467bd;background:#9467bd}.mm-c5{stroke:#8c564b;background:#8c564b}.mm-c6{stroke:#e377c2;background:#e377c2}.mm-c7{stroke:#17becf;background:#17becf}
`;
