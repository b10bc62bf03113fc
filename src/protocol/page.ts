/**
 * The HTML around the one webview bundle, in its two settings: a VS Code webview panel (messages
 * over postMessage) and the static HTML report (state embedded in the page). Both pages are built
 * here so the element ids the bundle looks for are written in one place.
 *
 * Static-mode contract (what dist/webview.js expects when `acquireVsCodeApi` is undefined):
 * - `<main id="app">` to render into (created at the end of `<body>` when absent);
 * - `<script type="application/json" id="modelmon-data">` holding a `StaticReportData`
 *   (`version: 1`, `title`, `generatedAt`, `panels: PanelState[]`, each panel drawn in order);
 * - media/panel.css inlined; `<body data-theme="auto|light|dark">` picks the colours;
 * - after drawing, `document.body.dataset.<panel>Points` (e.g. `trainingPoints`) holds the number
 *   of points drawn, for anyone checking the page in a browser.
 */
import { escapeHtml } from './escape';
import type { PanelKind, StaticReportData } from './views';

/** `<script type="application/json">` holding a StaticReportData; its presence selects static mode. */
export const DATA_ELEMENT_ID = 'modelmon-data';
/** The element the bundle renders into. */
export const ROOT_ELEMENT_ID = 'app';
/** `<body data-panel="training|predictions|gpu">` tells a webview which dashboard it is. */
export const PANEL_ATTRIBUTE = 'data-panel';

export interface WebviewPageOptions {
  readonly panel: PanelKind;
  readonly title: string;
  /** `webview.cspSource`. */
  readonly cspSource: string;
  readonly nonce: string;
  /** `webview.asWebviewUri(...)` of dist/webview.js and media/panel.css, as strings. */
  readonly scriptUri: string;
  readonly styleUri: string;
}

/** What differs between the three pages; everything else of the document is written once, here. */
export interface HtmlDocumentParts {
  /** Content-Security-Policy directives, joined with '; '. */
  readonly csp: readonly string[];
  /** Plain text; escaped here. */
  readonly title: string;
  /** Trusted markup after the title (stylesheets). */
  readonly head: string;
  /** Trusted attributes of `<body>`, e.g. `class="x" data-theme="auto"`. */
  readonly bodyAttributes: string;
  /** Trusted markup of the body, each element on its own line. */
  readonly body: readonly string[];
  /** Adds `<meta name="generator">`: the standalone reports say what made them. */
  readonly generator?: boolean;
}

/** An HTML document with the CSP, charset and viewport every page of ours carries. */
export function htmlDocument(d: HtmlDocumentParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${d.csp.join('; ')}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${d.generator ? '<meta name="generator" content="Model Monitor">\n' : ''}<title>${escapeHtml(d.title)}</title>
${d.head}
</head>
<body ${d.bodyAttributes}>
${d.body.join('\n')}
</body>
</html>
`;
}

/** The page of a dashboard webview panel: strict CSP, one stylesheet, one nonce'd script. */
export function webviewPage(o: WebviewPageOptions): string {
  // Only the parts from outside are escaped: the policy's own quotes stay as written.
  const source = escapeHtml(o.cspSource);
  const nonce = escapeHtml(o.nonce);
  return htmlDocument({
    csp: ["default-src 'none'", `style-src ${source}`, `img-src ${source} data:`, `font-src ${source}`, `script-src 'nonce-${nonce}'`],
    title: o.title,
    head: `<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">`,
    bodyAttributes: `${PANEL_ATTRIBUTE}="${o.panel}"`,
    body: [`<main id="${ROOT_ELEMENT_ID}" aria-live="polite"></main>`, `<script nonce="${nonce}" src="${escapeHtml(o.scriptUri)}"></script>`],
  });
}

export interface ReportShellOptions {
  readonly data: StaticReportData;
  /** The text of dist/webview.js, inlined so the report is one self-contained file. */
  readonly script: string;
  /** The text of media/panel.css. */
  readonly style: string;
  /** Page theme before any user preference: follows the OS (`auto`) unless told. */
  readonly theme?: 'auto' | 'light' | 'dark';
  /** A fresh random nonce; one is generated when omitted. */
  readonly nonce?: string;
  /** Trusted, already escaped HTML shown above the dashboards (the report's summary). */
  readonly summaryHtml?: string;
}

/**
 * A standalone HTML report: the dashboards' bundle and stylesheet inlined, the state embedded as
 * JSON, and a CSP that allows only those (no network at all).
 */
export function reportShell(o: ReportShellOptions): string {
  const nonce = escapeHtml(o.nonce ?? randomNonce());
  return htmlDocument({
    csp: ["default-src 'none'", `style-src 'nonce-${nonce}'`, 'img-src data:', `script-src 'nonce-${nonce}'`],
    title: o.data.title,
    generator: true,
    head: `<style nonce="${nonce}">${escapeRawText(o.style, 'style')}</style>`,
    bodyAttributes: `class="modelmon-static" data-theme="${o.theme ?? 'auto'}"`,
    body: [
      ...(o.summaryHtml === undefined ? [] : [o.summaryHtml]),
      `<main id="${ROOT_ELEMENT_ID}"></main>`,
      `<script type="application/json" id="${DATA_ELEMENT_ID}">${embedJson(o.data)}</script>`,
      `<script nonce="${nonce}">${escapeRawText(o.script, 'script')}</script>`,
    ],
  });
}

/** JSON that is safe inside a `<script>` element: no `<`, so no `</script>` or `<!--`. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeRawText(text: string, element: 'script' | 'style'): string {
  return text.replace(new RegExp(`</(${element})`, 'gi'), '<\\/$1');
}

/** 32 random alphanumerics from the platform's CSPRNG (Node 20 and browsers both have one). */
export function randomNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
