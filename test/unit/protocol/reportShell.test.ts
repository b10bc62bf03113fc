import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_ELEMENT_ID, reportShell, type StaticReportData } from '../../../src/protocol';

const data: StaticReportData = { version: 1, title: 'Report', generatedAt: '2026-01-01T00:00:00Z', panels: [] };

test('the report shell puts its summary in the body, just above the dashboards\' root', () => {
  // A stylesheet that mentions the root element must not draw the summary into itself.
  const style = `/* <main id="${ROOT_ELEMENT_ID}"> */ body{}`;
  const html = reportShell({ data, script: '', style, nonce: 'n', summaryHtml: '<section id="summary">ok</section>' });
  assert.ok(html.includes(`<body class="modelmon-static" data-theme="auto">\n<section id="summary">ok</section>\n<main id="${ROOT_ELEMENT_ID}"></main>`));
  assert.equal(html.match(/id="summary"/g)?.length, 1);
  assert.ok(html.includes(`<style nonce="n">${style}</style>`));
});

test('without a summary the root follows the body tag directly', () => {
  const html = reportShell({ data, script: '', style: '', nonce: 'n', theme: 'dark' });
  assert.ok(html.includes(`<body class="modelmon-static" data-theme="dark">\n<main id="${ROOT_ELEMENT_ID}"></main>`));
});
