// modelmon check with a training monitor's "efficiency": the real run and H100 log fail the check
// on input-bound where the config makes it an error, and pass where its thresholds clear it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';

const fixtures = join(__dirname, '../../fixtures/efficiency');

function workspace(efficiency: object): string {
  const dir = scratchDir('efficiency-check');
  cpSync(join(fixtures, 'runs'), join(dir, 'runs'), { recursive: true });
  cpSync(join(fixtures, 'gpu-h100-250ms.csv'), join(dir, 'gpu.csv'));
  const config = { version: 1, training: [{ name: 'train', logdir: 'runs', efficiency: { gpuLog: 'gpu.csv', utcOffsetMinutes: 0, ...efficiency }, severity: { 'input-bound': 'error' } }] };
  writeFileSync(join(dir, 'modelmon.json'), JSON.stringify(config, null, 2));
  return dir;
}

const findings = (out: string) =>
  (JSON.parse(out) as { monitors: { findings: { kind: string; severity: string; subject: string }[] }[] }).monitors[0]!.findings.map((f) => [f.kind, f.severity, f.subject]);

test('check fails on the input-bound run when the config makes input-bound an error', async () => {
  const r = await runCli(['check', '--json'], '', workspace({}));
  assert.equal(r.code, 1, r.err);
  assert.deepEqual(findings(r.out), [
    ['input-bound', 'error', 'resumed_purge'],
    ['memory-underused', 'info', 'resumed_purge'],
  ]);
});

test('a threshold that counts every sample as busy clears input-bound, and the check passes', async () => {
  const r = await runCli(['check', '--json'], '', workspace({ thresholds: { busyUtilization: 0 } }));
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(findings(r.out), [['memory-underused', 'info', 'resumed_purge']]);
});

test('a bad threshold is a config problem with its line; a bad GPU log names its file and line', async () => {
  const bad = await runCli(['check'], '', workspace({ thresholds: { inputBoundShare: 2 } }));
  assert.equal(bad.code, 2);
  assert.match(bad.err, /modelmon\.json:\d+: .*inputBoundShare.*/);
  const dir = workspace({});
  writeFileSync(join(dir, 'gpu.csv'), 'timestamp, index, utilization.gpu [%]\nnot a sample\n');
  const r = await runCli(['check', '--json'], '', dir);
  assert.equal(r.code, 1);
  assert.match(r.out + r.err, new RegExp(`GPU log ${join(dir, 'gpu.csv').replace(/[.\\/]/g, '\\$&')}:2: expected 3 fields, got 1`));
});
