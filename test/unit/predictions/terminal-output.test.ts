import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printable, terminalJson } from '../../../src/core/terminalText';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
// ESC-based SGR and OSC (set the window title, ended by BEL), and the one-byte C1 CSI.
const COLUMN = 'mean_\u001b[31mradius\u001b]0;pwned\u0007\u009b2J';

const dir = scratchDir('pred-terminal');
after(() => rmSync(dir, { recursive: true, force: true }));
{
  const lines = readFileSync('test/fixtures/predictions/tabular_dev.csv', 'utf8').split('\n');
  lines[0] = lines[0]!.replace('mean_radius', COLUMN);
  writeFileSync(join(dir, 'log.csv'), lines.join('\n'));
}

test('predictions: the summary carries no control character from the log; the drifted column is named with ? for each', async () => {
  const r = await runCli(['predictions', 'log.csv'], '', dir);
  assert.equal(r.code, 0, r.err);
  assert.ok(!CONTROL.test(r.out.replace(/\n/g, '')), 'no control characters');
  assert.ok(r.out.includes('mean_?[31mradius?]0;pwned??2J'), r.out);
  assert.ok(r.out.includes("  row 2099    data_drift    line 2101: data drift over the last 200 rows vs the reference: segment mix of 'segment' shifted (clinic_c 34% -> 52%, clinic_a 32% -> 18%, clinic_b 34% -> 31%); later also mean_texture, mean_?[31mradius?]0;pwned??2J, worst_area\n"), r.out);
});

test('predictions --json: C1 controls escaped like C0 ones, and the document parses back to the real name', async () => {
  const r = await runCli(['predictions', 'log.csv', '--json'], '', dir);
  assert.equal(r.code, 0, r.err);
  assert.ok(!CONTROL.test(r.out.replace(/\n$/, '')), 'no raw control characters');
  const doc = JSON.parse(r.out) as { rows: number; schema: { columns: string[] } };
  assert.equal(doc.rows, 4000);
  assert.ok(doc.schema.columns.includes(COLUMN));
});

test('printable and terminalJson: exactly the C0 (but newline), DEL and C1 characters are replaced', () => {
  assert.equal(printable('a\u0000b\tc\nd\u001be\u007ff\u0080g\u009fh\u00a0i'), 'a?b?c\nd?e?f?g?h\u00a0i');
  const json = JSON.stringify({ k: 'x\u001b\u009b\u007fy\u00e9' });
  assert.equal(terminalJson(json), '{"k":"x\\u001b\\u009b\\u007fyé"}');
  assert.deepEqual(JSON.parse(terminalJson(json)), { k: 'x\u001b\u009b\u007fy\u00e9' });
});
