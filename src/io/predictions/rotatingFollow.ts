import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LogTextDecoder } from './logText';

/** Bytes of a generation's start that identify it: a rename or a copy keeps them, new content does not. */
const HEAD_BYTES = 4096;
/** Bytes read from one file in one pass; the rest waits for the next pass. */
const MAX_PASS_BYTES = 8 << 20;
/** Generations remembered (4 KiB each). */
const MAX_GENERATIONS = 64;

async function readHead(fh: FileHandle): Promise<Buffer> {
  const head = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await fh.read(head, 0, HEAD_BYTES, 0);
  return head.subarray(0, bytesRead);
}

/** One generation of the log (the content between two rotations), wherever it now lives. */
interface Generation {
  head: Buffer;
  /** Bytes of it already read. */
  read: number;
  readonly decoder: LogTextDecoder;
}

/**
 * Follows a log across rotations without losing or repeating a row. Each poll looks at the
 * uncompressed rotation chain, oldest first (`NAME.N` .. `NAME.1`, then `NAME`), and tells each
 * file's generation by its first 4 KiB: a file that starts as a generation already seen is that
 * generation renamed (logrotate's default, rename-and-create) or copied (`copytruncate`), and only
 * its unread tail is read; any other file is a new generation, read from its start. So several
 * rotations of either kind between two polls still give every row once, in order.
 *
 * Limits: rows a writer appends between logrotate's copy and its truncate are lost by
 * `copytruncate` itself; a generation compressed (`NAME.1.gz`) before its tail was read loses that
 * tail (logrotate's `delaycompress` leaves `NAME.1` plain); two generations that start with the
 * same 4 KiB (a CSV header and identical first rows) are taken for one.
 */
export class RotatingLogFollower {
  private generations: Generation[] = [];
  private lastChar = '\n';
  private current: Generation | undefined;
  private busy: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Generations seen so far (the first content, then one per rotation). */
  generationsSeen = 0;
  /**
   * Set when the live file starts as a generation already read but is now shorter than what was
   * read of it: it was rewritten in place, which no rotation does, so its rows are not a
   * continuation. Following stops there; the owner decides whether to start over.
   */
  rewritten = false;

  constructor(
    readonly path: string,
    private readonly onText: (text: string) => void,
    private readonly onNote: (message: string) => void = () => {},
    /** Called as a later generation's text begins (after the line break that ends the previous one). */
    private readonly onGeneration: () => void = () => {},
  ) {}

  /** Polls every `pollMs` until disposed. */
  start(pollMs = 250): void {
    this.timer ??= setInterval(() => void this.poll().catch((e: Error) => this.onNote(`${this.path}: ${e.message}`)), pollMs);
    this.timer.unref?.();
  }

  /**
   * Takes the rotated files present now as read, so that following starts at the live file: rows
   * rotated away before the follower began are history, not new rows.
   */
  async skipRotated(): Promise<void> {
    const files = await this.openChain();
    try {
      for (const { path, fh, head } of files) {
        if (path === this.path || !head.length || this.generations.some((g) => g.head.equals(head))) continue;
        this.generations.push({ head, read: (await fh.stat()).size, decoder: new LogTextDecoder() });
      }
    } finally {
      await Promise.all(files.map(({ fh }) => fh.close()));
    }
  }

  /** Reads what is new in the chain; concurrent calls wait for one pass. */
  poll(): Promise<void> {
    this.busy ??= this.pass().finally(() => (this.busy = undefined));
    return this.busy;
  }

  async dispose(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.busy?.catch(() => {});
  }

  /** NAME.N .. NAME.1, NAME: the uncompressed chain, oldest first. */
  private async chain(): Promise<string[]> {
    const dir = dirname(this.path);
    const name = basename(this.path);
    const numbered = (await readdir(dir))
      .map((n) => ({ n, k: n.startsWith(`${name}.`) ? Number(n.slice(name.length + 1)) : NaN }))
      .filter((x) => Number.isInteger(x.k) && x.k > 0)
      .sort((a, b) => b.k - a.k)
      .map((x) => join(dir, x.n));
    return [...numbered, this.path];
  }

  /**
   * Opens every file of the chain, then checks that no name moved and no rotated file grew
   * meanwhile (a rotation between the listing and the opening, or a copy still being written,
   * would read the new file before the old one's tail): the open files are then one consistent
   * chain, read oldest first.
   */
  private async openChain(): Promise<{ path: string; fh: FileHandle; head: Buffer }[]> {
    for (let attempt = 0; ; attempt++) {
      const names = await this.chain();
      const opened: { path: string; fh: FileHandle; ino: number; size: number; head: Buffer }[] = [];
      for (const path of names) {
        try {
          const fh = await open(path, 'r');
          const s = await fh.stat();
          opened.push({ path, fh, ino: s.ino, size: s.size, head: await readHead(fh) });
        } catch {
          // rotated away between the listing and now
        }
      }
      // Numbers with a gap (NAME.2 but no NAME.1) mean logrotate is between its shift and its new NAME.1.
      let stable = names.length - 1 === Math.max(0, ...names.slice(0, -1).map((n) => Number(n.slice(this.path.length + 1)))) && (await this.chain()).join('\0') === names.join('\0');
      for (const o of opened) {
        if (!stable) break;
        const now = await stat(o.path).catch(() => undefined);
        // A rotated file still growing is a copy being written (copytruncate): its tail comes before the new file's rows.
        stable = now?.ino === o.ino && (o.path === this.path || now.size === o.size);
      }
      if (stable || attempt >= 8) return opened;
      await Promise.all(opened.map((o) => o.fh.close()));
    }
  }

  private async pass(): Promise<void> {
    if (this.rewritten) return;
    const files = await this.openChain();
    try {
      // A file truncated since the chain was opened (copytruncate) ends the pass: its copy, which
      // holds the tail to read first, is in the next pass's chain.
      for (const { path, fh, head } of files) if (!(await this.readFile(fh, head, path === this.path))) break;
    } finally {
      await Promise.all(files.map(({ fh }) => fh.close()));
    }
  }

  /** Reads a file's unread tail; false when it was truncated since `opened` was its head, or rewritten. */
  private async readFile(fh: FileHandle, opened: Buffer, live: boolean): Promise<boolean> {
    const head = await readHead(fh);
    if (!head.subarray(0, opened.length).equals(opened)) return false;
    if (!head.length) return true;
    const known = this.generations.find((g) => g.head.length <= head.length && head.subarray(0, g.head.length).equals(g.head));
    const gen = known ?? { head: Buffer.alloc(0), read: 0, decoder: new LogTextDecoder() };
    const size = (await fh.stat()).size;
    // A rotated copy may be shorter while it is still being written; the live file never is.
    if (known && live && size < gen.read) {
      // Still the same start after the smaller size was seen: rewritten, not truncated by a
      // copytruncate between the head read above and the size (the next pass reads that copy).
      if (!(await readHead(fh)).subarray(0, head.length).equals(head)) return false;
      this.rewritten = true;
      return false;
    }
    if (size <= gen.read) return true;
    const tail = Buffer.alloc(Math.min(size - gen.read, MAX_PASS_BYTES));
    const { bytesRead } = await fh.read(tail, 0, tail.length, gen.read);
    // Truncated while it was read: the tail may hold the next generation's bytes. Leave it to
    // the next pass, which finds this generation's copy.
    if (!(await readHead(fh)).subarray(0, head.length).equals(head)) return false;
    if (!known) {
      this.generations.push(gen);
      // Generations are kept by recency, not by presence: a copy may appear after its original is gone.
      if (this.generations.length > MAX_GENERATIONS) this.generations.shift();
      this.generationsSeen++;
    }
    if (gen.head.length < head.length) gen.head = head;
    this.take(gen, tail.subarray(0, bytesRead));
    return true;
  }

  private take(gen: Generation, bytes: Buffer): void {
    if (this.current !== gen) {
      // A new generation starts a new line.
      const later = this.current !== undefined;
      if (this.current) for (const text of this.current.decoder.end()) this.emit(text);
      if (this.lastChar !== '\n' && this.lastChar !== '\r') this.emit('\n');
      this.current = gen;
      if (later) this.onGeneration();
    }
    gen.read += bytes.length;
    for (const text of gen.decoder.write(bytes)) this.emit(text);
  }

  private emit(text: string): void {
    if (!text) return;
    this.lastChar = text[text.length - 1]!;
    this.onText(text);
  }
}
