import { parse as parseJsonc } from '../../core/config/jsonc';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_FILE_NAME, ConfigLocator, formatProblem, keyOfPath, loadConfig, type ConfigProblem, type LoadedConfig } from '../../core/config';

/** A config that cannot be used: unreadable, invalid, or naming paths that do not exist. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly path: string,
    readonly problems: readonly ConfigProblem[],
    /** The file name as shown in messages (relative to the working directory where possible). */
    readonly displayPath: string,
  ) {
    super(problems.filter((p) => p.severity === 'error').map((p) => formatProblem(displayPath, p)).join('\n'));
  }
}

/** The config a command uses when none is named: `modelmon.json` in the directory or its parents. */
export function findConfig(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Reads and validates a config file, and checks that every path it names exists.
 * Throws ConfigError with positioned problems when it cannot be used.
 */
export function readConfigFile(configPath: string, displayPath = configPath): LoadedConfig {
  const path = resolve(configPath);
  let text: string;
  try {
    // A synchronous read of a FIFO would block even the signal handlers: regular files only.
    const info = statSync(path);
    if (info.isDirectory()) throw new Error('it is a directory');
    if (!info.isFile()) throw new Error('not a regular file (a FIFO, socket or device)');
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError(path, [{ message: `cannot read the config: ${reason}`, line: 1, column: 1, offset: 0, length: 0, key: '', severity: 'error' }], displayPath);
  }
  const { config, problems } = loadConfig(text, displayPath);
  if (!config) throw new ConfigError(path, problems, displayPath);
  const loaded: LoadedConfig = { path, dir: dirname(path), text, config, problems };
  const missing = missingPaths(loaded);
  if (missing.length) throw new ConfigError(path, [...problems, ...missing], displayPath);
  return loaded;
}

/** Problems for configured paths that do not exist, positioned on the path's value. */
export function missingPaths(loaded: LoadedConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  let locator: ConfigLocator | undefined;
  const check = (relative: string, jsonPath: (string | number)[], want: 'file' | 'directory') => {
    const absolute = resolve(loaded.dir, relative);
    let kind: 'file' | 'directory' | 'FIFO, socket or device' | undefined;
    try {
      // No exception for a missing path: building 200,000 of them cost more than the stats.
      const info = statSync(absolute, { throwIfNoEntry: false });
      kind = !info ? undefined : info.isDirectory() ? 'directory' : info.isFile() ? 'file' : 'FIFO, socket or device';
    } catch {
      kind = undefined; // under a file (ENOTDIR), unreadable folder: it cannot be used either way
    }
    if (kind === want) return;
    const message = kind ? `${keyOfPath(jsonPath)} "${relative}" is a ${kind}, not a ${want}` : `${keyOfPath(jsonPath)}: no such ${want} "${relative}" (paths are relative to the config's directory)`;
    out.push((locator ??= new ConfigLocator(loaded.text)).problemAt(jsonPath, message));
  };
  const { config } = loaded;
  config.training.forEach((t, i) => check(t.logdir, ['training', i, 'logdir'], 'directory'));
  // Parsed once, and only when needed: the normalized config no longer says whether `reference` was a bare string.
  const rawPredictions = config.predictions.some((p) => p.reference.log !== undefined) ? rawPredictionsOf(loaded) : undefined;
  config.predictions.forEach((p, i) => {
    // A directory or a glob of rotated files is checked when it is read (it names what it misses).
    const set = (path: string) => /[*?[]/.test(path) || statSync(resolve(loaded.dir, path), { throwIfNoEntry: false })?.isDirectory() === true;
    if (!set(p.log)) check(p.log, ['predictions', i, 'log'], 'file');
    if (p.schema.labelsFile !== undefined && !set(p.schema.labelsFile)) check(p.schema.labelsFile, ['predictions', i, 'labelsFile'], 'file');
    if (p.reference.log !== undefined) check(p.reference.log, ['predictions', i, 'reference', ...(typeof rawPredictions?.[i]?.reference === 'string' ? [] : ['log'])], 'file');
  });
  config.integrity.forEach((m, i) => check(m.manifest, ['integrity', i, 'manifest'], 'file'));
  return out;
}

function rawPredictionsOf(loaded: LoadedConfig): { reference?: unknown }[] | undefined {
  const raw = parseJsonc(loaded.text, [], { allowTrailingComma: true }) as { predictions?: { reference?: unknown }[] } | undefined;
  return raw?.predictions;
}

/** Absolute path of a config-relative path. */
export function resolveFromConfig(loaded: LoadedConfig, relative: string): string {
  return resolve(loaded.dir, relative);
}
