/**
 * The supervised children alive in this process (see childProcess.ts), kept apart from the code
 * that spawns them: the CLI watches the count from its first line, and importing the spawning
 * module would load Node's child_process for every command (14 ms of `modelmon tb`'s start-up)
 * where most never start a child.
 */

/** What the registry needs of a child: a way to end its group when we exit. */
export interface LiveChild {
  kill(signal: NodeJS.Signals): void;
}

interface Registry {
  readonly live: Set<LiveChild>;
  readonly listeners: Set<(count: number) => void>;
  exitHookInstalled: boolean;
}

// One registry per process, under a registered symbol: the CLI's command bundles each carry a copy
// of this module (scripts/cli-bundles.mjs), and the children a command starts must be the ones
// cli-main.js counts to hold its signal handlers.
const REGISTRY = Symbol.for('modelmon.liveChildren');
const registry: Registry = ((globalThis as { [REGISTRY]?: Registry })[REGISTRY] ??= { live: new Set(), listeners: new Set(), exitHookInstalled: false });
const live = registry.live;
const listeners = registry.listeners;

function changed(): void {
  for (const l of [...listeners]) l(live.size);
}

/** Records a child that started; our own exit SIGKILLs every group still alive ('exit' handlers run synchronously). */
export function childStarted(child: LiveChild): void {
  live.add(child);
  if (!registry.exitHookInstalled) {
    registry.exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  changed();
}

/** Records that a child ended (again is harmless). */
export function childEnded(child: LiveChild): void {
  if (live.delete(child)) changed();
}

/** How many supervised children (with their process groups) are still alive. */
export function liveChildCount(): number {
  return live.size;
}

/**
 * Calls `listener(count)` whenever a supervised child starts or ends, synchronously (a child's
 * start is seen before `spawnSupervised` returns). The CLI uses it to keep its signal handlers
 * only while there are children to clean up. Returns the function that unsubscribes.
 */
export function onLiveChildrenChange(listener: (count: number) => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}
