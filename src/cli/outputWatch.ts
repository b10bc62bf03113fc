import { fstatSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';

/** How often a long-running mode checks, between its writes, that stdout still has a reader. */
const PROBE_INTERVAL_MS = 250;
/** Write errors that say the reader went away, as opposed to the output failing. */
const READER_GONE = new Set(['EPIPE', 'ECONNRESET']);
const NOTHING = Buffer.alloc(0);

/**
 * Notices that nobody reads stdout any more (`modelmon tb --follow | head -1`) and calls
 * `onClosed` once. A failed write reveals it for every command; `watch()` also looks between
 * writes, for modes that may print nothing for minutes.
 */
export class OutputWatch {
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stdout: NodeJS.WriteStream & { readonly fd: number },
    private readonly onClosed: () => void,
  ) {
    stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (READER_GONE.has(e.code ?? '')) this.close();
    });
    stdout.on('close', () => this.close());
  }

  /** Starts looking for a departed reader between writes; a terminal or a file never loses it. */
  watch(): void {
    if (this.closed || this.timer || process.platform === 'win32') return;
    let kind: 'pipe' | 'socket' | undefined;
    try {
      const stat = fstatSync(this.stdout.fd);
      kind = stat.isFIFO() ? 'pipe' : stat.isSocket() ? 'socket' : undefined;
    } catch {
      return;
    }
    // Node writes a datagram socket through a stand-in stream, and such a socket would take the
    // empty probe for a message: only stream sockets and pipes are probed.
    if (!kind || !(this.stdout instanceof Socket)) return;
    // A Linux pipe accepts the empty probe even without a reader (only a write of at least one
    // byte, or poll(2), which Node offers for no write-only descriptor, tells): there the lost
    // reader shows at the next write, as with most Unix tools, and probing would be wasted.
    if (kind === 'pipe' && process.platform === 'linux') return;
    this.timer = setInterval(() => this.probe(), PROBE_INTERVAL_MS).unref();
  }

  /** Stops looking; idempotent, and safe in an 'exit' handler. */
  dispose(): void {
    clearInterval(this.timer);
  }

  /** An empty write fails on a socket, and on a BSD or macOS pipe, whose reader is gone; it writes nothing. */
  private probe(): void {
    try {
      writeSync(this.stdout.fd, NOTHING);
    } catch (e) {
      if (READER_GONE.has((e as NodeJS.ErrnoException).code ?? '')) this.close();
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dispose();
    this.onClosed();
  }
}
