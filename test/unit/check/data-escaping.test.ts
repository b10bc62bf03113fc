import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { toMarkdown } from '../../../src/core/check';
import { code } from '../../../src/core/check/markdown';
import { captureIO } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';

// A column name that is HTML, breaks a table, opens a code span and carries ESC/CSI (C0 and C1).
const HOSTILE = '<img src=x onerror=alert(1)>|`x`\u001b[31m\u009b2J';
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const ws = scratchDir('check-escaping');
after(() => rmSync(ws, { recursive: true, force: true }));
{
  // The tabular fixture, whose mean_radius drifts from row 2000, with that column renamed.
  const lines = readFileSync('test/fixtures/predictions/tabular_dev.csv', 'utf8').split('\n');
  lines[0] = lines[0]!.replace('mean_radius', HOSTILE);
  writeFileSync(join(ws, 'log.csv'), lines.join('\n'));
  const config = { predictions: [{ name: 'tabular', log: 'log.csv', reference: { rows: 1000 }, window: 500, severity: { data_drift: 'error' } }] };
  writeFileSync(join(ws, 'modelmon.json'), JSON.stringify(config));
}

async function check(...args: string[]) {
  const io = captureIO({ cwd: ws });
  const exit = await main(['check', ...args], io);
  return { exit, out: io.stdout(), err: io.stderr() };
}

/** Cells of a Markdown table row: split at pipes that no backslash escapes. */
const cells = (row: string) => row.slice(1, -1).split(/(?<!\\)\|/).length;

test('Markdown: a hostile column name is text, not HTML, and every table row keeps its cell count', async () => {
  const r = await check('--markdown', '-');
  assert.equal(r.exit, 1, r.err);
  assert.ok(!r.out.includes('<img'), 'no raw HTML');
  assert.ok(!CONTROL.test(r.out.replace(/\n/g, '')), 'no control characters');
  const escaped = '&lt;img src=x onerror=alert(1)&gt;\\|\\`x\\`\uFFFD\\[31m\uFFFD2J';
  assert.match(r.out, new RegExp(`^Drifted features: .*\\*\\*${escaped.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}\\*\\*`, 'm'));
  const lines = r.out.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('| ---')) continue;
    const width = cells(lines[i - 1]!);
    for (let k = i + 1; lines[k]?.startsWith('|'); k++) assert.equal(cells(lines[k]!), width, lines[k]);
  }
});

test('Markdown code spans hold any backticks; names in headings are escaped', () => {
  assert.equal(code('logs/a.csv'), '`logs/a.csv`');
  assert.equal(code('a`b'), '``a`b``');
  assert.equal(code('`x``'), '``` `x`` ```');
  const md = toMarkdown({
    configPath: 'cfg`\n.json',
    failOn: 'error',
    verdict: 'pass',
    exitCode: 0,
    counts: { error: 0, warning: 0, info: 0, acknowledged: 0 },
    monitors: [{ name: '<b>x</b>', type: 'predictions', target: 'a`b', summary: '*bold* [link](http://x)', failed: false, findings: [], tables: [], driftedFeatures: [] }],
  } as unknown as Parameters<typeof toMarkdown>[0]);
  assert.ok(md.includes('config ``cfg` .json``.'), md);
  assert.ok(md.includes('### Predictions: &lt;b&gt;x&lt;/b&gt;'), md);
  assert.ok(md.includes('``a`b``: \\*bold\\* \\[link\\](http://x)'), md);
});

test('check prints no control character from the data; --json escapes C1 controls and parses back to the name', async () => {
  const text = await check();
  assert.equal(text.exit, 1);
  assert.ok(!CONTROL.test(text.out.replace(/\n/g, '')), 'no control characters in the text summary');
  assert.ok(text.out.includes('<img src=x onerror=alert(1)>|`x`?[31m?2J'), text.out);
  const json = await check('--json');
  assert.equal(json.exit, 1);
  assert.ok(!CONTROL.test(json.out.replace(/\n/g, '')), 'no raw control characters in JSON');
  assert.ok(json.out.includes('\\u001b[31m\\u009b2J'));
  const doc = JSON.parse(json.out) as { monitors: { driftedFeatures: string[] }[] };
  assert.ok(doc.monitors[0]!.driftedFeatures.includes(HOSTILE));
});
