import { closeSync, openSync, readSync } from 'node:fs';

/** The marker a stand-in GPU tool carries near its top; no vendor binary contains this text. */
export const STAND_IN_MARKER = 'modelmon-stand-in:';

/**
 * What a stand-in tool replays (the text after its marker in the first 4 KiB), or null for a
 * real tool or an unreadable file. Read once per session, so the cost is one small read.
 */
export function standInDescription(executable: string): string | null {
  let fd: number | undefined;
  try {
    fd = openSync(executable, 'r');
    const buffer = Buffer.alloc(4096);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, n).toString('latin1');
    const at = head.indexOf(STAND_IN_MARKER);
    if (at < 0) return null;
    const line = head.slice(at + STAND_IN_MARKER.length).split(/\r?\n/, 1)[0]!.trim();
    // The description is read as UTF-8 once located (it may hold "×").
    return Buffer.from(line, 'latin1').toString('utf8') || 'a stand-in that replays recorded output';
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
