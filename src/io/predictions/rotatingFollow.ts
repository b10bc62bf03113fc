import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LogTextDecoder } from './logText';

/** Bytes of a file's start kept to recognise it: a copy keeps them, a truncated-and-rewritten file loses them. */
const HEAD_BYTES = 4096;
const READ_BYTES = 1 << 20;

/**
 * Follows a log across rotations without losing or repeating a row. It keeps the file it reads
 * open, so after **rename-and-create** (logrotate's default) it reads the renamed file to its
 * end before it opens the new one; after **copy-and-truncate** (`copytruncate`) it reads the
 * bytes it had not yet read from the copy (`NAME.1`, or the newest `NAME.*` whose start matches)
 * and then the truncated file from its start. A truncation is seen by a size below what was read
 * or by a changed first 4 KiB. Text reaches `onText` as it is read; each generation of the file
 * ends its last line before the next starts.
 *
 * Rows a writer appends between logrotate's copy and its truncate are lost by copytruncate
 * itself, before any reader can see them.
 */
export class RotatingLogFollower {
  private fh: FileHandle | undefined;
  private ino: number | undefined;
  private offset = 0;
  private head = Buffer.alloc(0);
  private decoder = new LogTextDecoder();
  private lastChar = '\n';
  private busy: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Rotations seen so far, by kind. */
  readonly rotations = { renamed: 0, truncated: 0 };

  constructor(
    readonly path: string,
    private readonly onText: (text: string) => void,
    private readonly onNote: (message: string) => void = () => {},
  ) {}

  /** Polls every `pollMs` until disposed. */
  start(pollMs = 250): void {
    this.timer ??= setInterval(() => void this.poll().catch((e: Error) => this.onNote(`${this.path}: ${e.message}`)), pollMs);
    this.timer.unref?.();
  }

  /** Reads what is new, following a rotation if one happened; concurrent calls wait for one pass. */
  poll(): Promise<void> {
    this.busy ??= this.pass().finally(() => (this.busy = undefined));
    return this.busy;
  }

  async dispose(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.busy?.catch(() => {});
    await this.fh?.close();
    this.fh = undefined;
  }

  private async pass(): Promise<void> {
    for (let guard = 0; guard < 8; guard++) {
      if (!this.fh && !(await this.openCurrent())) return;
      await this.drain();
      let s;
      try {
        s = await stat(this.path);
      } catch {
        return; // renamed away and not yet created again: what the old file held is read
      }
      if (s.ino !== this.ino) {
        this.rotations.renamed++;
        await this.drain(); // a writer may have appended to the old file since the read above
        await this.fh!.close();
        this.fh = undefined;
        this.endGeneration();
        continue;
      }
      if (s.size < this.offset || !(await this.headUnchanged())) {
        this.rotations.truncated++;
        await this.readCopyTail();
        this.offset = 0;
        this.head = Buffer.alloc(0);
        this.endGeneration();
        continue;
      }
      return;
    }
  }

  private async openCurrent(): Promise<boolean> {
    try {
      this.fh = await open(this.path, 'r');
    } catch {
      return false;
    }
    this.ino = (await this.fh.stat()).ino;
    this.offset = 0;
    this.head = Buffer.alloc(0);
    return true;
  }

  private async drain(): Promise<void> {
    const buf = Buffer.alloc(READ_BYTES);
    for (;;) {
      const { bytesRead } = await this.fh!.read(buf, 0, buf.length, this.offset);
      if (bytesRead === 0) return;
      const chunk = buf.subarray(0, bytesRead);
      if (this.head.length < HEAD_BYTES && this.offset === this.head.length) this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
      this.offset += bytesRead;
      for (const text of this.decoder.write(Buffer.from(chunk))) this.emit(text);
    }
  }

  private async headUnchanged(): Promise<boolean> {
    if (!this.head.length) return true;
    const now = Buffer.alloc(this.head.length);
    const { bytesRead } = await this.fh!.read(now, 0, now.length, 0);
    return bytesRead === this.head.length && now.equals(this.head);
  }

  /** After copy-and-truncate: what the copy holds past the offset already read. */
  private async readCopyTail(): Promise<void> {
    const copy = await this.findCopy();
    if (!copy) {
      this.onNote(`${this.path}: truncated, and no copy starting as it did was found; bytes ${this.offset} on of the old file may be lost`);
      return;
    }
    const fh = await open(copy, 'r');
    try {
      const buf = Buffer.alloc(READ_BYTES);
      for (let at = this.offset; ; ) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, at);
        if (bytesRead === 0) break;
        at += bytesRead;
        for (const text of this.decoder.write(Buffer.from(buf.subarray(0, bytesRead)))) this.emit(text);
      }
    } finally {
      await fh.close();
    }
  }

  private async findCopy(): Promise<string | undefined> {
    const dir = dirname(this.path);
    const name = basename(this.path);
    const names = (await readdir(dir)).filter((n) => n.startsWith(`${name}.`) && !/\.(gz|zst|zstd)$/.test(n));
    const candidates = await Promise.all(names.map(async (n) => ({ path: join(dir, n), s: await stat(join(dir, n)).catch(() => undefined) })));
    const ordered = candidates.filter((c) => c.s && c.s.size >= this.offset).sort((a, b) => (a.path.endsWith('.1') ? -1 : b.path.endsWith('.1') ? 1 : b.s!.mtimeMs - a.s!.mtimeMs));
    for (const c of ordered) {
      const fh = await open(c.path, 'r');
      try {
        const h = Buffer.alloc(this.head.length);
        const { bytesRead } = await fh.read(h, 0, h.length, 0);
        if (bytesRead === h.length && h.equals(this.head)) return c.path;
      } finally {
        await fh.close();
      }
    }
    return undefined;
  }

  private emit(text: string): void {
    if (!text) return;
    this.lastChar = text[text.length - 1]!;
    this.onText(text);
  }

  /** The next generation starts a new line, and is decoded from its own start. */
  private endGeneration(): void {
    for (const text of this.decoder.end()) this.emit(text);
    if (this.lastChar !== '\n' && this.lastChar !== '\r') this.emit('\n');
    this.decoder = new LogTextDecoder();
  }
}
