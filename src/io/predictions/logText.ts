import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { TextDecoder } from 'node:util';

/** The text encodings a log is read in; `utf8` unless a byte-order mark (or UTF-16's zero bytes) says otherwise. */
export type LogEncoding = 'utf8' | 'utf16le' | 'utf16be';

const TEXT_PIECE_BYTES = 64 * 1024;

/** The encoding the first bytes of a file show, and how many of them are a byte-order mark. */
export function sniffEncoding(head: Uint8Array): { encoding: LogEncoding; bom: number } {
  const [a, b, c] = head;
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'utf8', bom: 3 };
  if (a === 0xff && b === 0xfe) return { encoding: 'utf16le', bom: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: 'utf16be', bom: 2 };
  // No mark: a log starts with ASCII ('{', a header name), which UTF-16 pairs with a zero byte.
  if (head.length >= 4 && a !== 0 && b === 0 && c !== 0 && head[3] === 0) return { encoding: 'utf16le', bom: 0 };
  if (head.length >= 4 && a === 0 && b !== 0 && c === 0 && head[3] !== 0) return { encoding: 'utf16be', bom: 0 };
  return { encoding: 'utf8', bom: 0 };
}

/**
 * Decodes a log's bytes, chunk by chunk, into text: UTF-8 (its byte-order mark dropped), or
 * UTF-16 LE/BE told by a byte-order mark or by the zero bytes of ASCII text. The first 4 bytes
 * are held back until the encoding is known. Text comes out in pieces of at most 64 KiB.
 *
 * @example
 * const d = new LogTextDecoder();
 * for await (const chunk of stream) for (const text of d.write(chunk)) splitter.push(text);
 * for (const text of d.end()) splitter.push(text);
 */
export class LogTextDecoder {
  private head: Buffer | undefined = Buffer.alloc(0);
  private encodingValue: LogEncoding | undefined;
  private utf8 = new StringDecoder('utf8');
  private utf16: TextDecoder | undefined;
  /** Every UTF-8 chunk so far was ASCII. */
  private ascii = true;

  /** `known`: the encoding, when the bytes do not start at the file's start. */
  constructor(known?: LogEncoding) {
    if (known) {
      this.head = undefined;
      this.use(known);
    }
  }

  /** The encoding in use; undefined until 4 bytes (or the end) were seen. */
  get encoding(): LogEncoding | undefined {
    return this.encodingValue;
  }

  write(bytes: Buffer): string[] {
    if (this.head) {
      this.head = Buffer.concat([this.head, bytes]);
      if (this.head.length < 4) return [];
      bytes = this.start();
    }
    return this.decode(bytes);
  }

  /** Flushes what is held back (a final partial character becomes U+FFFD). */
  end(): string[] {
    const out = this.head ? this.decode(this.start()) : [];
    const rest = this.utf16 ? this.utf16.decode() : this.utf8.end();
    if (rest) out.push(rest);
    return out;
  }

  private start(): Buffer {
    const head = this.head!;
    this.head = undefined;
    const { encoding, bom } = sniffEncoding(head);
    this.use(encoding);
    return head.subarray(bom);
  }

  private use(encoding: LogEncoding): void {
    this.encodingValue = encoding;
    if (encoding !== 'utf8') this.utf16 = new TextDecoder(encoding === 'utf16le' ? 'utf-16le' : 'utf-16be', { ignoreBOM: true });
  }

  private decode(bytes: Buffer): string[] {
    const out: string[] = [];
    // Strings under V8's large-object size are born in the young generation and die there; a
    // megabyte string goes straight to the old one, and a large log then drives full collections.
    for (let at = 0; at < bytes.length; at += TEXT_PIECE_BYTES) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + TEXT_PIECE_BYTES));
      let text: string;
      if (this.utf16) text = this.utf16.decode(piece, { stream: true });
      else {
        // While every chunk was ASCII (most logs) the decoder holds no partial character, and
        // Latin-1 copying gives the same text without UTF-8 decoding.
        if (this.ascii && !isAscii(piece)) this.ascii = false;
        text = this.ascii ? piece.toString('latin1') : this.utf8.write(piece);
      }
      if (text) out.push(text);
    }
    return out;
  }
}
