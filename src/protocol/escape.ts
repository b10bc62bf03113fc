/**
 * Text for HTML element content and attribute values: the one escaper for every page the product
 * writes (the webview shell, the HTML report and its charts).
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
