import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { scratchDir } from '../helpers/scratch';

// `modelmon` starts through src/cli/launcher.ts, which runs the CLI bundle from V8's code cache
// in the user's cache folder. The cache must never change what a command prints or returns, and
// is only kept where no one else can write it.

const dir = scratchDir('cli-launcher');
const dist = join(dir, 'dist');

/** The CLI's bundles as scripts/build.mjs builds them (scripts/cli-bundles.mjs), into `dist`. */
async function bundles(): Promise<string> {
  // @ts-expect-error: a build script in JavaScript, without type declarations.
  const { cliBuilds } = (await import('../../../scripts/cli-bundles.mjs')) as { cliBuilds: (common: object, outdir: string) => object[] };
  const common = { bundle: true, target: 'es2022', charset: 'ascii' as const, logLevel: 'error' as const };
  for (const options of cliBuilds(common, dist)) await build(options);
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

test('the launcher runs each command as the bundle does, and leaves private code caches (cli-main.js and the command bundle)', async () => {
  const cli = await bundles();
  const cache = join(dir, 'cache-a');
  const log = 'test/fixtures/tensorboard/nan_divergence';
  const direct = spawnSync(process.execPath, [join(dist, 'cli-main.js'), 'tb', log, '--json'], { encoding: 'utf8' });
  const first = run(cli, cache, ['tb', log, '--json']);
  assert.deepEqual([first.code, first.out, first.err], [0, direct.stdout, '']);
  // One for cli-main.js and one for the tb command's own bundle, each named for the run's command.
  const files = cacheFiles(cache).sort();
  assert.equal(files.length, 2, files.join(', '));
  assert.match(files[0]!, /^cli-\d+-\d+-v\d+\.\d+\.\d+-\w+-tb-cli-cmd-tb-\d+-\d+\.v8$/);
  assert.match(files[1]!, /^cli-\d+-\d+-v\d+\.\d+\.\d+-\w+-tb\.v8$/);
  for (const f of files) assert.equal(statSync(join(cache, 'modelmon', f)).mode & 0o777, 0o600);
  assert.equal(statSync(join(cache, 'modelmon')).mode & 0o777, 0o700);
  // From the cache: the same output; usage errors keep their status and message.
  const second = run(cli, cache, ['tb', log, '--json']);
  assert.deepEqual([second.code, second.out, second.err], [0, direct.stdout, '']);
  const bad = run(cli, cache, ['tb', '--max-points', 'x', log]);
  assert.equal(bad.code, 2);
  // The command's bundle throws its own copy of UsageError, which cli-main.js still knows: the usage follows.
  assert.match(bad.err, /^modelmon tb: --max-points must be an integer >= 16, got 'x'\nusage: modelmon tb <logdir>/);
  assert.deepEqual(cacheFiles(cache).sort(), files);
  // Each command keeps its own; --version loads no command's bundle.
  assert.equal(run(cli, cache, ['--version']).code, 0);
  assert.deepEqual(cacheFiles(cache).sort(), [files[1]!.replace(/-tb\.v8$/, '-other.v8'), ...files].sort());
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

test('the CLI bundles are ASCII, so the launcher\'s latin1 read is their exact text; a command\'s modules load only when it runs', async () => {
  const cli = await bundles();
  for (const file of readdirSync(dist).filter((f) => /^cli.*\.js$/.test(f))) {
    const body = readFileSync(join(dist, file));
    assert.equal(body.findIndex((b) => b > 0x7f), -1, file);
  }
  // cli-main.js holds the command list, not the commands: what --version and --help read is small.
  assert.ok(statSync(join(dist, 'cli-main.js')).size < 64 * 1024);
  // Output with non-ASCII text (the en dash of a range, the units) still prints as written.
  const r = run(cli, join(dir, 'cache-ascii'), ['stats', '--help']);
  assert.equal(r.code, 0);
  const direct = spawnSync(process.execPath, [join(dist, 'cli-main.js'), 'stats', '--help'], { encoding: 'utf8' });
  assert.equal(r.out, direct.stdout);
  // Help lists every command without loading one: node:http (watch, probe) is never required.
  const hook = join(dir, 'record-requires.js');
  writeFileSync(hook, "const M = require('node:module'); const seen = []; const load = M._load; M._load = function (r, ...a) { seen.push(r); return load.call(this, r, ...a); }; process.on('exit', () => process.stderr.write(JSON.stringify(seen)));");
  const help = spawnSync(process.execPath, ['--require', hook, join(dist, 'cli-main.js'), '--help'], { encoding: 'utf8' });
  const required = JSON.parse(help.stderr.slice(help.stderr.lastIndexOf('['))) as string[];
  assert.ok(help.stdout.includes('watch') && help.stdout.includes('efficiency'), help.stdout);
  assert.ok(!required.some((m) => /^(node:)?(http|https|zlib|worker_threads)$/.test(m)), required.join(', '));
  // ... which `watch` does load once it runs (the hook sees what it should).
  const watch = spawnSync(process.execPath, ['--require', hook, join(dist, 'cli-main.js'), 'watch', '--help'], { encoding: 'utf8' });
  assert.ok((JSON.parse(watch.stderr.slice(watch.stderr.lastIndexOf('['))) as string[]).some((m) => /^(node:)?http$/.test(m)));
});

test('a command whose bundle is missing (a damaged install) exits 2 with a message naming the file, not a stack trace', async () => {
  const cli = await bundles();
  rmSync(join(dist, 'cli-cmd-stats.js'));
  const r = run(cli, join(dir, 'cache-missing'), ['stats', '--help']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^modelmon stats: cannot load the command \(ENOENT: no such file or directory, open '.*cli-cmd-stats\.js'\)\n$/);
  // The other commands still run.
  assert.equal(run(cli, join(dir, 'cache-missing'), ['--version']).code, 0);
});
