import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { scratchDir } from '../helpers/scratch';

// `modelmon` starts through src/cli/launcher.ts, which runs the CLI bundle from V8's code cache
// in the user's cache folder. The cache must never change what a command prints or returns, and
// is only kept where no one else can write it.

const dir = scratchDir('cli-launcher');
const dist = join(dir, 'dist');

async function bundles(): Promise<string> {
  const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'es2022', outdir: dist, logLevel: 'error' as const };
  await build({ ...common, entryPoints: { cli: 'src/cli/launcher.ts' }, banner: { js: '#!/usr/bin/env node' } });
  await build({ ...common, entryPoints: { 'cli-main': 'src/cli/main.ts' } });
  return join(dist, 'cli.js');
}

function run(cli: string, cache: string, args: string[], extra: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache, ...extra } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const cacheFiles = (cache: string) => {
  try {
    return readdirSync(join(cache, 'modelmon')).filter((f) => f.endsWith('.v8'));
  } catch {
    return [];
  }
};

test('the launcher runs each command as the bundle does, and leaves one private code cache', async () => {
  const cli = await bundles();
  const cache = join(dir, 'cache-a');
  const log = 'test/fixtures/tensorboard/nan_divergence';
  const direct = spawnSync(process.execPath, [join(dist, 'cli-main.js'), 'tb', log, '--json'], { encoding: 'utf8' });
  const first = run(cli, cache, ['tb', log, '--json']);
  assert.deepEqual([first.code, first.out, first.err], [0, direct.stdout, '']);
  const files = cacheFiles(cache);
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^cli-\d+-\d+-v\d+\.\d+\.\d+-\w+-tb\.v8$/);
  assert.equal(statSync(join(cache, 'modelmon', files[0]!)).mode & 0o777, 0o600);
  assert.equal(statSync(join(cache, 'modelmon')).mode & 0o777, 0o700);
  // From the cache: the same output; usage errors keep their status and message.
  const second = run(cli, cache, ['tb', log, '--json']);
  assert.deepEqual([second.code, second.out, second.err], [0, direct.stdout, '']);
  const bad = run(cli, cache, ['tb', '--max-points', 'x', log]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^modelmon tb: --max-points must be an integer >= 16, got 'x'\n/);
  assert.deepEqual(cacheFiles(cache), files);
  // Each command keeps its own.
  assert.equal(run(cli, cache, ['--version']).code, 0);
  assert.deepEqual(cacheFiles(cache).sort(), [files[0]!.replace(/-tb\.v8$/, '-other.v8'), files[0]!]);
});

test('a damaged cache is replaced; a folder others can write, or MODELMON_NO_COMPILE_CACHE, gets none', async () => {
  const cli = await bundles();
  const cache = join(dir, 'cache-b');
  assert.equal(run(cli, cache, ['--version']).code, 0);
  const [file] = cacheFiles(cache);
  writeFileSync(join(cache, 'modelmon', file!), 'not V8 code');
  const again = run(cli, cache, ['--version']);
  assert.deepEqual([again.code, again.err], [0, '']);
  assert.ok(statSync(join(cache, 'modelmon', file!)).size > 1000, 'rewritten with real cached code');

  const open = join(dir, 'cache-c');
  mkdirSync(join(open, 'modelmon'), { recursive: true });
  chmodSync(join(open, 'modelmon'), 0o777);
  const shared = run(cli, open, ['--version']);
  assert.deepEqual([shared.code, shared.err], [0, '']);
  assert.deepEqual(cacheFiles(open), []);

  const off = join(dir, 'cache-d');
  assert.equal(run(cli, off, ['--version'], { MODELMON_NO_COMPILE_CACHE: '1' }).code, 0);
  assert.deepEqual(cacheFiles(off), []);
});
