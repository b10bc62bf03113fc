import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigLocator, formatProblem, LineIndex, loadConfig, type ConfigProblem } from '../../../src/core/config';
import { ConfigError, readConfigFile } from '../../../src/io/check';
import { buildCliBundle } from '../helpers/cliBundle';
import { scratchDir } from '../helpers/scratch';

/** A modelmon.json of `n` prediction monitors, one a line from line 4, each naming a log that does not exist. */
function manyMonitors(n: number, extra = ''): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`    { "name": "m${i}", "log": "logs/p${i}.csv"${extra} }`);
  return `{\n  "version": 1,\n  "predictions": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

/**
 * Runs `fn` and returns what it threw, how long it took and the CPU time it used: on a shared
 * machine the wall time also counts the waits for a core, which no change of ours can shorten.
 */
function timed(fn: () => void): { error: unknown; ms: number; cpuMs: number } {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  const cpu = process.cpuUsage(cpu0);
  return { error, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function missingLogProblems(dir: string, n: number): { problems: readonly ConfigProblem[]; ms: number; cpuMs: number } {
  const file = join(dir, `modelmon-${n}.json`);
  writeFileSync(file, manyMonitors(n));
  const { error, ms, cpuMs } = timed(() => readConfigFile(file, 'modelmon.json'));
  assert.ok(error instanceof ConfigError, String(error));
  return { problems: error.problems, ms, cpuMs };
}

test('2,000 monitors with missing logs: every problem at its own line, in well under a second', () => {
  const dir = scratchDir('config-scale');
  try {
    missingLogProblems(dir, 2000); // once to compile the parser and validator (cold: 0.6-0.8 s here under load)
    const { problems, ms, cpuMs } = missingLogProblems(dir, 2000);
    assert.equal(problems.length, 2000);
    assert.equal(formatProblem('modelmon.json', problems[0]!), 'modelmon.json:4: predictions[0].log: no such file "logs/p0.csv" (paths are relative to the config\'s directory)');
    assert.equal(formatProblem('modelmon.json', problems[1999]!), 'modelmon.json:2003: predictions[1999].log: no such file "logs/p1999.csv" (paths are relative to the config\'s directory)');
    // The value's column moves right with the digits of the monitor's name ("m7", "m1999").
    assert.ok(problems.every((p, i) => p.line === i + 4 && p.column === 27 + String(i).length && p.key === `predictions[${i}].log`));
    // Quadratic before (a parse and a line index per problem): 19.5 s here under load, 4.9 s idle.
    // Now 120-180 ms warm (wall, load 13 on 2 cores).
    // The bound is on CPU time: with other suites running beside it, the wall time here has
    // reached 1.2 s while the work itself took a fraction of that.
    assert.ok(cpuMs < 400, `took ${cpuMs.toFixed(0)} ms of CPU (${ms.toFixed(0)} ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('200,000 monitors, each missing its log, and 200,000 misspelt keys: linear, each within 120 s (quadratic took over 15 minutes)', () => {
  const dir = scratchDir('config-scale-200k');
  try {
    // Over 15 minutes before; 10-25 s each now on the shared 2-core development machine under load.
    const { problems, ms } = missingLogProblems(dir, 200_000);
    assert.equal(problems.length, 200_000);
    assert.equal(problems[199_999]!.line, 200_003);
    assert.ok(ms < 120_000, `missing logs took ${ms.toFixed(0)} ms`);

    const text = manyMonitors(200_000, ', "windw": 200');
    let result: ReturnType<typeof loadConfig> | undefined;
    const misspelt = timed(() => (result = loadConfig(text, 'modelmon.json')));
    assert.equal(result!.problems.length, 200_000);
    assert.equal(formatProblem('modelmon.json', result!.problems[199_999]!), 'modelmon.json:200003: unknown key "windw" in predictions[199999] (did you mean "window"?)');
    assert.ok(misspelt.ms < 120_000, `misspelt keys took ${misspelt.ms.toFixed(0)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the locator and the line index give the positions a scan from the top gives', () => {
  const text = '{\r\n  "predictions": [\n\n    {"log": "a.csv"},\n    {"log": "b.csv", "reference": {"log": "r.csv"}}\n  ]\n}';
  const locator = new ConfigLocator(text);
  const at = (path: (string | number)[]) => {
    const p = locator.problemAt(path, 'x');
    return [p.line, p.column, text.slice(p.offset, p.offset + p.length)];
  };
  assert.deepEqual(at(['predictions', 0, 'log']), [4, 13, '"a.csv"']);
  assert.deepEqual(at(['predictions', 1, 'reference', 'log']), [5, 43, '"r.csv"']);
  assert.deepEqual(at(['predictions', 7, 'log']), [1, 1, '']); // no such value: the start of the file
  const lines = new LineIndex(text);
  for (let offset = 0; offset <= text.length; offset++) {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    assert.deepEqual(lines.position(offset), { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 });
  }
});

test('SIGTERM ends modelmon check within a second while it validates a huge config (no handler holds it)', { skip: process.platform === 'win32' }, async () => {
  const dir = scratchDir('config-sigterm');
  try {
    const cli = await buildCliBundle('config-sigterm');
    writeFileSync(join(dir, 'modelmon.json'), manyMonitors(400_000, ', "windw": 200'));
    const child = spawn(process.execPath, [cli, 'check'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
    });
    const limit = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await new Promise((r) => setTimeout(r, 1500)); // well into the synchronous parse and validation
    const sentAt = Date.now();
    child.kill('SIGTERM');
    const end = await exited;
    clearTimeout(limit);
    assert.equal(stderr, '', 'check had already finished before the signal');
    assert.deepEqual([end.code, end.signal], [null, 'SIGTERM']);
    assert.ok(end.at - sentAt < 1000, `ended ${end.at - sentAt} ms after SIGTERM`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
