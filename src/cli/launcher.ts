/**
 * `modelmon`'s entry: runs the CLI's bundles (dist/cli-main.js, then the bundle of the command
 * asked for, dist/cli-cmd-*.js) with V8's code cache.
 *
 * Compiling a bundle is most of a command's start-up (a --cpu-prof of `modelmon --version` spent
 * 47 % of its 176 ms in it when the CLI was one bundle). V8 can skip that work when handed the code
 * it compiled last time, so the first run leaves its compiled code in the user's cache folder and
 * later runs start from it. V8 checks the cached code against the source and its own version and
 * flags, and drops it when they differ; any failure here only costs the compilation it would have
 * saved.
 *
 * Set MODELMON_NO_COMPILE_CACHE=1 to compile afresh every time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import Module from 'node:module';

const MAIN = path.join(__dirname, 'cli-main.js');
/** How cli-main.js asks for a command's bundle (see scripts/cli-bundles.mjs). */
const COMMAND_BUNDLE = /^\.\/cli-cmd-[a-z-]+\.js$/;

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
  const dir = process.env.MODELMON_NO_COMPILE_CACHE ? undefined : cacheFolder();
  // The main bundle's size and time and Node's version name the caches, so a rebuilt CLI (every
  // bundle is written at once) or another Node gets new ones; one a command and bundle, as each
  // command compiles its own functions (`--version` next to none).
  const stamp = `cli-${fileStamp(MAIN)}-${process.version}-${process.arch}`.replace(/[^\w.-]/g, '_');
  const command = /^[a-z][a-z-]{0,23}$/.test(process.argv[2] ?? '') ? process.argv[2]! : 'other';
  const pending: (() => void)[] = [];
  const loaded = new Map<string, NodeJS.Module>();

  /** Runs one bundle as a CommonJS module, from the code cache when there is one. */
  const load = (file: string, parent: NodeJS.Module | undefined, asMain: boolean): NodeJS.Module => {
    const known = loaded.get(file);
    if (known) return known;
    // The bundles are ASCII (esbuild's charset: 'ascii' escapes the rest), so latin1 reads the
    // same string as utf8 without the decoding.
    let source = fs.readFileSync(file, 'latin1');
    if (source.startsWith('#!')) source = '//' + source.slice(2);
    // V8 checks a cache against the source's length only: a command bundle's own size and time
    // name its cache too, so a rebuilt bundle of the same length is never run as its old code.
    const own = file === MAIN ? '' : `-${path.basename(file, '.js')}-${fileStamp(file)}`;
    const cacheFile = dir ? path.join(dir, `${stamp}-${command}${own}.v8`) : undefined;
    let cachedData: Buffer | undefined;
    try {
      if (cacheFile) cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
    // At exit the functions this run used are compiled too, so the cache holds them.
    if (cacheFile && (!cachedData || script.cachedDataRejected)) pending.push(() => writeCache(cacheFile, script.createCachedData()));
    const mod = new Module(file, parent);
    mod.filename = file;
    loaded.set(file, mod);
    const fromFile = Module.createRequire(file) as NodeJS.Require & { main: NodeJS.Module };
    // A command's bundle, asked for by cli-main.js, is run from the cache too.
    const requireFromBundle = Object.assign((id: string) => (COMMAND_BUNDLE.test(id) ? load(path.join(__dirname, id), mod, false).exports : fromFile(id)), fromFile) as NodeJS.Require;
    // The main bundle runs its CLI when it is the main module, as when started directly.
    if (asMain) requireFromBundle.main = mod;
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;
    wrapper.call(mod.exports, mod.exports, requireFromBundle, mod, file, __dirname);
    return mod;
  };

  if (dir) {
    process.once('exit', () => {
      if (!pending.length) return;
      try {
        // Caches of an older CLI or Node are never used again.
        for (const old of fs.readdirSync(dir)) if (old.startsWith('cli-') && old.endsWith('.v8') && !old.startsWith(`${stamp}-`)) fs.rmSync(path.join(dir, old), { force: true });
      } catch {
        // Old caches stay until a later run removes them.
      }
      for (const write of pending) write();
    });
  }
  load(MAIN, module, true);
}

/** A bundle's size and modification time, as a name. */
function fileStamp(file: string): string {
  const stat = fs.statSync(file);
  return `${stat.size}-${Math.trunc(stat.mtimeMs)}`;
}

function writeCache(file: string, data: Buffer): void {
  try {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    // No cache this time: the next run compiles, as this one did.
  }
}

run();
