import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { writeHtmlReport } from '../../../src/io/report';
import type { ReportBundle } from '../../../src/core/report';

const OUT = '.test-output';
const SHOTS = join(OUT, 'screenshots');
const CONFIG = 'examples/modelmon.json';
const MAX_BYTES = 1024 * 1024;

let browser: Browser;
test.before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
  });
});
test.after(() => browser?.close());

/** The dashboards' bundle built here, so the test does not depend on what dist/ holds. */
async function dashboardsBundle(): Promise<ReportBundle> {
  const built = await esbuild.build({ entryPoints: ['webview/main.ts'], bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: true, write: false, logLevel: 'silent' });
  return { script: built.outputFiles[0]!.text, style: readFileSync('media/panel.css', 'utf8') };
}

async function open(file: string, screenshot: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto('file://' + join(process.cwd(), file));
  return { page, problems, requests, shoot: () => page.screenshot({ path: join(SHOTS, screenshot), fullPage: true }) };
}

test('the HTML report draws the runs, drift and integrity with the dashboards\' own code, offline and under 1 MB', async () => {
  const file = join(OUT, 'report.html');
  const written = await writeHtmlReport(CONFIG, file, { bundle: await dashboardsBundle(), now: new Date('2026-01-05T12:00:00Z') });
  assert.equal(written.charts, 'bundle');
  assert.ok(written.bytes < MAX_BYTES, `report is ${written.bytes} bytes`);
  console.log(`report.html: ${written.bytes} bytes (${(written.bytes / 1024).toFixed(0)} KiB)`);
  const html = readFileSync(file, 'utf8');
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-`), 'strict CSP');
  const markup = html.replace(/(<(script|style)[^>]*>)[\s\S]*?(<\/\2>)/g, '$1$3');
  assert.ok(!/<script\s[^>]*\bsrc=|<link\s|<img\s|<iframe\s/.test(markup), 'no external resources in the markup');

  const { page, problems, requests, shoot } = await open(file, 'report.png');
  // chart.js draws on animation frames: wait until every training chart canvas holds pixels.
  // Page functions run in the browser; written as source text since this tsconfig has no DOM types.
  await page.waitForFunction(`(() => {
    const canvases = [...document.querySelectorAll('canvas')];
    return canvases.length >= 10 && canvases.every((c) => c.width > 0 && c.height > 0);
  })()`, undefined, { timeout: 15000 });
  await page.waitForTimeout(500);
  const drawn = await page.evaluate<number[]>(`[...document.querySelectorAll('canvas')].map((c) => {
    const ctx = c.getContext('2d');
    if (!ctx || !c.width || !c.height) return 0;
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
    return inked;
  })`);
  const text = await page.evaluate<string>('document.body.innerText');
  await shoot();
  await page.close();
  assert.deepEqual(problems, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), [], 'no network');
  assert.ok(drawn.filter((n) => n > 500).length >= 10, `charts with ink: ${drawn.join(', ')}`);
  for (const expected of ['failed', 'nan_divergence', 'mean_radius', 'worst_area', 'digits_cnn.safetensors', 'matches the manifest', 'train/loss']) {
    assert.ok(text.includes(expected), `report mentions ${expected}`);
  }
});

test('without the bundle the report falls back to static SVG charts (no script at all)', async () => {
  const file = join(OUT, 'report-svg.html');
  const written = await writeHtmlReport(CONFIG, file, { charts: 'svg', now: new Date('2026-01-05T12:00:00Z') });
  assert.equal(written.charts, 'svg');
  assert.ok(written.bytes < MAX_BYTES / 2, `report is ${written.bytes} bytes`);
  const html = readFileSync(file, 'utf8');
  assert.doesNotMatch(html, /<script(?! type="application\/json")/);
  const { page, problems, shoot } = await open(file, 'report-svg.png');
  const lines = await page.evaluate<number>(`[...document.querySelectorAll('svg path.mm-line')].filter((p) => (p.getAttribute('d') || '').length > 20).length`);
  const bars = await page.evaluate<number>(`document.querySelectorAll('svg rect.mm-bar').length`);
  await shoot();
  await page.close();
  assert.deepEqual(problems, []);
  assert.ok(lines >= 15, `line paths: ${lines}`);
  assert.ok(bars >= 30, `drift bars: ${bars}`);
});
