import { readdir, readFile, readlink } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { ComputeApp } from '../../core/gpu/types';

/** What the system says of one training process. */
export interface TrainingProcess {
  readonly pid: number;
  /** GPU UUIDs it holds a compute context on. */
  readonly gpus: readonly string[];
  readonly cwd: string | null;
  /** Its command line's arguments. */
  readonly argv: readonly string[];
  /** The Python script it runs, absolute, when the command line names one. */
  readonly script: string | null;
  /** Directories of the TensorBoard event files it has open. */
  readonly eventDirs: readonly string[];
}

/** A run tied to the process that writes it, and how. */
export interface RunProcess {
  readonly process: TrainingProcess;
  /** `event-file`: the process has the run's event file open; `argument`: its command line names the run's directory or a parent of it. */
  readonly by: 'event-file' | 'argument';
}

/** Open file descriptors read per process at most: a data loader may hold thousands. */
const MAX_FDS = 4096;

/**
 * The compute processes as /proc shows them: working directory, command line, script and the
 * event files they hold open. A process that has gone, or whose /proc entries this user may not
 * read, keeps what could be read (nothing is guessed).
 */
export async function describeProcesses(apps: readonly ComputeApp[], procRoot = '/proc'): Promise<TrainingProcess[]> {
  const byPid = new Map<number, string[]>();
  for (const a of apps) byPid.set(a.pid, [...(byPid.get(a.pid) ?? []), a.gpuUuid]);
  return Promise.all(
    [...byPid].map(async ([pid, gpus]) => {
      const base = `${procRoot}/${pid}`;
      const cwd = await readlink(`${base}/cwd`).catch(() => null);
      const argv = await readFile(`${base}/cmdline`, 'utf8').then((t) => t.split('\0').filter((a) => a !== ''), () => [] as string[]);
      const scriptArg = argv.find((a, i) => i > 0 && a.endsWith('.py'));
      const script = scriptArg ? (isAbsolute(scriptArg) ? scriptArg : cwd ? resolve(cwd, scriptArg) : null) : null;
      return { pid, gpus: [...new Set(gpus)], cwd, argv, script, eventDirs: await openEventDirs(base) };
    }),
  );
}

async function openEventDirs(base: string): Promise<string[]> {
  const fds = await readdir(`${base}/fd`).catch(() => [] as string[]);
  const dirs = new Set<string>();
  for (const fd of fds.slice(0, MAX_FDS)) {
    const target = await readlink(`${base}/fd/${fd}`).catch(() => null);
    if (target && /(^|\/)events\.out\.tfevents\.[^/]*$/.test(target.replace(/ \(deleted\)$/, ''))) dirs.add(dirname(target));
  }
  return [...dirs];
}

/**
 * Which process writes each run directory: the one holding an event file in it open, else the
 * one whose command line names the directory or a folder above it (`--logdir runs`); a run two
 * processes claim equally is left to neither. Keys are the run directories as given.
 */
export function tieRunsToProcesses(runDirs: readonly string[], processes: readonly TrainingProcess[]): Map<string, RunProcess> {
  const ties = new Map<string, RunProcess>();
  for (const dir of runDirs) {
    const full = resolve(dir);
    const byFile = processes.filter((p) => p.eventDirs.some((d) => resolve(d) === full));
    if (byFile.length === 1) {
      ties.set(dir, { process: byFile[0]!, by: 'event-file' });
      continue;
    }
    if (byFile.length > 1) continue;
    // The deepest folder named on a command line that holds the run wins; a tie is no answer.
    let best: { p: TrainingProcess; depth: number } | null = null;
    let tied = false;
    for (const p of processes) {
      for (const arg of argumentPaths(p)) {
        if (!within(full, arg)) continue;
        const depth = arg.split(sep).length;
        if (best && best.p.pid !== p.pid && depth === best.depth) tied = true;
        else if (!best || depth > best.depth) {
          best = { p, depth };
          tied = false;
        }
      }
    }
    if (best && !tied) ties.set(dir, { process: best.p, by: 'argument' });
  }
  return ties;
}

/** Arguments that look like paths (`--logdir=runs/a`, `runs/a`), resolved against the process's directory. */
function argumentPaths(p: TrainingProcess): string[] {
  if (!p.cwd) return [];
  const out: string[] = [];
  for (const arg of p.argv.slice(1)) {
    const value = arg.startsWith('-') ? (arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : '') : arg;
    if (!value || value.endsWith('.py') || !/[A-Za-z0-9_./-]/.test(value)) continue;
    out.push(resolve(p.cwd, value));
  }
  return out;
}

function within(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
