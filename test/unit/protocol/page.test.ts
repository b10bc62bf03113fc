import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedReportData } from '../helpers/report';
import { DATA_ELEMENT_ID, embedJson, randomNonce, reportShell, webviewPage, type StaticReportData } from '../../../src/protocol';

const data: StaticReportData = {
  version: 1,
  title: 'Report <b>&</b>',
  generatedAt: '2026-01-01T00:00:00Z',
  panels: [{ panel: 'gpu', state: { samples: [], energy: { wh: 1, cost: null, currency: null }, status: '</script><script>alert(1)</script>' } }],
};

test('the webview page has a strict CSP with its nonce and names its panel', () => {
  const html = webviewPage({ panel: 'training', title: 'Training Runs', cspSource: 'https://x.vscode-cdn.net', nonce: 'abc123', scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/media/panel.css' });
  assert.match(html, /default-src 'none'; style-src https:\/\/x\.vscode-cdn\.net; img-src https:\/\/x\.vscode-cdn\.net data:; font-src https:\/\/x\.vscode-cdn\.net; script-src 'nonce-abc123'/);
  assert.match(html, /<body data-panel="training">/);
  assert.match(html, /<script nonce="abc123" src="https:\/\/x\/dist\/webview.js"><\/script>/);
  assert.doesNotMatch(html, /unsafe-inline|unsafe-eval|\son[a-z]+=/);
});

test('the report shell embeds data that cannot close its script element', () => {
  const html = reportShell({ data, script: 'console.log("</script>")', style: 'body{}', nonce: 'n0nce' });
  assert.equal(html.match(/<\/script>/g)?.length, 2, 'only the two real script elements close');
  assert.match(html, new RegExp(`<script type="application/json" id="${DATA_ELEMENT_ID}">`));
  assert.match(html, /<title>Report &lt;b&gt;&amp;&lt;\/b&gt;<\/title>/);
  assert.match(html, /script-src 'nonce-n0nce'/);
  assert.deepEqual(embeddedReportData(html), data);
});

test('embedJson escapes what HTML would read', () => {
  assert.equal(embedJson({ a: '<!--\u2028' }), '{"a":"\\u003c!--\\u2028"}');
});

test('nonces are long and differ', () => {
  const a = randomNonce();
  assert.match(a, /^[A-Za-z0-9]{32}$/);
  assert.notEqual(a, randomNonce());
});
