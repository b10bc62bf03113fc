/**
 * When the CLI handles SIGINT and SIGTERM itself. A JavaScript handler runs only when the event
 * loop is free, so while one is installed a command busy in a long synchronous loop (a large
 * scan, a big config) would ignore Ctrl-C until the loop ends. Handlers are therefore installed
 * only while something holds them: a follow mode, or a child process group that must be killed
 * (children run in groups of their own and do not get the terminal's Ctrl-C). The rest of the
 * time the signal's default action ends the process at once, as it does any Unix tool.
 */
export class InterruptPolicy {
  private holds = 0;
  private installed = false;
  private readonly handler: (signal: NodeJS.Signals) => void;

  constructor(onSignal: (signal: NodeJS.Signals) => void) {
    this.handler = onSignal;
  }

  /** Installs the handlers until the returned function is called (idempotent); holds nest. */
  hold(): () => void {
    this.holds++;
    this.update();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.update();
    };
  }

  /** True while the handlers are installed. */
  get handling(): boolean {
    return this.installed;
  }

  private update(): void {
    const want = this.holds > 0;
    if (want === this.installed) return;
    this.installed = want;
    // Removing the last listener gives the signal back its default action (Node resets it).
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      if (want) process.on(signal, this.handler);
      else process.off(signal, this.handler);
    }
  }
}
