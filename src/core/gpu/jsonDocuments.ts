/** Longest JSON document worth parsing from a GPU tool: a 16-GPU metric dump is about 200 KB. */
export const MAX_DOCUMENT_CHARS = 4 * 1024 * 1024;

/**
 * Splits a stream of concatenated JSON documents, as `amd-smi metric -w N --json` prints them (one
 * indented array or object per tick, no separator), into one text per document. A document starts
 * with `[` or `{` as the first character of a line; text outside documents is reported line by
 * line as noise. Memory is bounded: a document growing past `maxChars` is dropped and counted.
 *
 * @example
 * const s = new JsonDocumentSplitter((doc) => docs.push(JSON.parse(doc)), (line) => noise.push(line));
 * s.push('[{"gpu": 0}]\n[{"gpu"');
 * s.push(': 0}]\n'); // docs now holds both arrays
 */
export class JsonDocumentSplitter {
  /** Documents dropped for growing past the limit. */
  overflows = 0;
  private doc: string[] = [];
  private docChars = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private overflowing = false;
  private noise = '';
  private atLineStart = true;

  constructor(
    private readonly onDocument: (text: string) => void,
    private readonly onNoise: (line: string) => void,
    private readonly maxChars = MAX_DOCUMENT_CHARS,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.depth === 0) {
        if (c === 10) {
          this.endNoiseLine();
          this.atLineStart = true;
          continue;
        }
        if (this.atLineStart && (c === 91 || c === 123) && this.noise.trim() === '') {
          this.noise = '';
          this.depth = 1;
          this.inString = false;
          this.escaped = false;
          start = i;
          continue;
        }
        if (c !== 32 && c !== 9 && c !== 13) this.atLineStart = false;
        if (this.noise.length < 512) this.noise += chunk[i];
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) this.inString = false;
        continue;
      }
      if (c === 34) this.inString = true;
      else if (c === 91 || c === 123) this.depth++;
      else if (c === 93 || c === 125) {
        this.depth--;
        if (this.depth === 0) {
          this.append(chunk.slice(start, i + 1));
          this.finishDocument();
          this.atLineStart = false;
        }
      }
    }
    if (this.depth > 0) this.append(chunk.slice(start));
  }

  private append(text: string): void {
    if (this.overflowing) return;
    this.docChars += text.length;
    if (this.docChars > this.maxChars) {
      // Keep counting brackets so the stream resynchronises, but keep none of the text.
      this.overflowing = true;
      this.doc = [];
      return;
    }
    this.doc.push(text);
  }

  private finishDocument(): void {
    if (this.overflowing) this.overflows++;
    else this.onDocument(this.doc.join(''));
    this.doc = [];
    this.docChars = 0;
    this.overflowing = false;
  }

  private endNoiseLine(): void {
    const line = this.noise.trim();
    this.noise = '';
    if (line) this.onNoise(line);
  }
}
