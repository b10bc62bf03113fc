// deploy/prometheus: the example config and alert rules load in Prometheus's own tool, and the
// rules fire (and stay quiet) as their promtool tests say.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FAMILIES } from '../../../src/core/fleet/families';
import { PROMTOOL } from '../../servers/prometheus/harness';
import { scratchDir } from '../helpers/scratch';

const DIR = 'deploy/prometheus';
const promtool = (args: string[], cwd = DIR) => spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8', timeout: 30_000 });

test('promtool test rules: every alert rule fires where its test says, and only there', () => {
  const run = promtool(['test', 'rules', 'modelmon-rules.test.yml']);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /SUCCESS/);
  const tests = readFileSync(join(DIR, 'modelmon-rules.test.yml'), 'utf8');
  for (const alert of ['ModelmonFeatureDrift', 'ModelmonTrainingNaN', 'ModelmonGpuIdleWhileTraining', 'ModelmonEndpointDown', 'ModelmonCheckpointChanged', 'ModelmonWatchDown']) {
    assert.match(tests, new RegExp(`alertname: ${alert}\\n`), `${alert} has a test`);
  }
});

test('the rule tests fail when a rule is broken (they are not vacuous)', () => {
  const dir = scratchDir('fleet-rules');
  cpSync(DIR, dir, { recursive: true });
  const rules = join(dir, 'modelmon-rules.yml');
  // GPUs "idle" below 1% instead of 10%: the 3%-busy host no longer fires.
  writeFileSync(rules, readFileSync(rules, 'utf8').replace('< 0.1\n', '< 0.01\n'));
  const run = promtool(['test', 'rules', 'modelmon-rules.test.yml'], dir);
  assert.equal(run.status, 1);
  assert.match(run.stdout + run.stderr, /FAILED[\s\S]*ModelmonGpuIdleWhileTraining/);
});

test('promtool check config accepts the example scrape config and the rules it loads', () => {
  const run = promtool(['check', 'config', 'prometheus.yml']);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /SUCCESS: 6 rules found/);
});

test('the rules name only families modelmon watch publishes', () => {
  const rules = readFileSync(join(DIR, 'modelmon-rules.yml'), 'utf8');
  const published = new Set(Object.values(FAMILIES).map((f) => f.name));
  const used = [...new Set(rules.match(/\bmodelmon_[a-z_]+/g) ?? [])];
  assert.deepEqual(used.filter((n) => !published.has(n)), []);
  assert.ok(used.length >= 5);
});

test('the systemd unit runs modelmon watch and stops it with SIGTERM', () => {
  const unit = readFileSync('deploy/systemd/modelmon-watch.service', 'utf8');
  assert.match(unit, /^ExecStart=.*modelmon watch --config \S+ --listen \S+$/m);
  assert.match(unit, /^KillMode=mixed$/m);
  assert.match(unit, /^\[Install\]\nWantedBy=multi-user.target$/m);
});
