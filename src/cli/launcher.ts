/**
 * `modelmon`'s entry: runs the CLI bundle (dist/cli-main.js) with V8's code cache.
 *
 * Compiling the 1.5 MB bundle is most of the CLI's start-up (a --cpu-prof of `modelmon --version`
 * spends 47 % of its 176 ms in it). V8 can skip that work when handed the code it compiled last
 * time, so the first run leaves its compiled code in the user's cache folder and later runs start
 * from it. V8 checks the cached code against the source and its own version and flags, and drops
 * it when they differ; any failure here only costs the compilation it would have saved.
 *
 * Set MODELMON_NO_COMPILE_CACHE=1 to compile afresh every time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import Module from 'node:module';

const BUNDLE = path.join(__dirname, 'cli-main.js');

/** The user's own cache folder for modelmon, or undefined where there is none we can trust. */
function cacheFolder(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const dir = path.join(base, 'modelmon');
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const info = fs.statSync(dir);
    // A folder someone else owns, or others can write, could hand us code: compile instead.
    const uid = process.getuid?.();
    if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

function run(): void {
  // The bundle is ASCII (esbuild's charset: 'ascii' escapes the rest), so latin1 reads the same
  // string as utf8 without the decoding: a third less time on the 1.6 MB file.
  let source = fs.readFileSync(BUNDLE, 'latin1');
  if (source.startsWith('#!')) source = '//' + source.slice(2);
  const stat = fs.statSync(BUNDLE);
  const dir = process.env.MODELMON_NO_COMPILE_CACHE ? undefined : cacheFolder();
  // The bundle's size and time and Node's version name the cache, so a rebuilt CLI or another Node
  // gets a new one; one a command, as each compiles its own functions (`--version` next to none).
  const stamp = `cli-${stat.size}-${Math.trunc(stat.mtimeMs)}-${process.version}-${process.arch}`.replace(/[^\w.-]/g, '_');
  const command = /^[a-z][a-z-]{0,23}$/.test(process.argv[2] ?? '') ? process.argv[2]! : 'other';
  const key = `${stamp}-${command}.v8`;
  const cacheFile = dir ? path.join(dir, key) : undefined;
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, ...(cachedData ? { cachedData } : {}) });
  if (dir && cacheFile && (!cachedData || script.cachedDataRejected)) {
    // At exit the functions this run used are compiled too, so the cache holds them.
    process.once('exit', () => {
      try {
        // Caches of an older CLI or Node are never used again.
        for (const old of fs.readdirSync(dir)) if (old.startsWith('cli-') && old.endsWith('.v8') && !old.startsWith(`${stamp}-`)) fs.rmSync(path.join(dir, old), { force: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
      } catch {
        // No cache this time: the next run compiles, as this one did.
      }
    });
  }
  const bundle = new Module(BUNDLE, module);
  bundle.filename = BUNDLE;
  const requireFromBundle = Module.createRequire(BUNDLE) as NodeJS.Require & { main: NodeJS.Module };
  // The bundle runs its CLI when it is the main module, as when started directly.
  requireFromBundle.main = bundle;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;
  wrapper.call(bundle.exports, bundle.exports, requireFromBundle, bundle, BUNDLE, __dirname);
}

run();
