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

const live = new Set<LiveChild>();
const listeners = new Set<(count: number) => void>();
let exitHookInstalled = false;

function changed(): void {
  for (const l of [...listeners]) l(live.size);
}

/** Records a child that started; our own exit SIGKILLs every group still alive ('exit' handlers run synchronously). */
export function childStarted(child: LiveChild): void {
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
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
