import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { makeWorkspace } from './workspace';
import { scratchDir } from '../helpers/scratch';

// The CLI ships as one esbuild bundle: prove check and report work from it (jsonc-parser's UMD
// entry, for one, does not survive bundling; the config code imports its ES module build).
test('the bundled CLI checks and reports a workspace', async () => {
  const dir = scratchDir('cli');
  const healthy = makeWorkspace();
  const drifted = makeWorkspace({ drifted: true });
  try {
    const cli = join(dir, 'cli.js');
    await esbuild.build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'es2022', outfile: cli, logLevel: 'silent' });
    const run = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
    const ok = run(healthy, 'check');
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const bad = run(drifted, 'check', '--markdown', 'summary.md');
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.ok(existsSync(join(drifted, 'summary.md')));
    const report = run(drifted, 'report', '--html', 'report.html');
    assert.equal(report.status, 0, report.stderr);
    assert.match(report.stdout, /^wrote report\.html \(\d+(\.\d)? KiB, charts: svg; check found problems\)\n$/);
    const usage = run(healthy, 'report');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--html FILE is required/);
  } finally {
    for (const d of [dir, healthy, drifted]) rmSync(d, { recursive: true, force: true });
  }
});
