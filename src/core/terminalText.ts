// C0 controls but newline, DEL and C1: ESC and CSI start escape sequences, BEL rings, CR overwrites.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
const RAW_IN_JSON = /[\u007f-\u009f]/g;

/**
 * Text for a terminal: control characters that data (run and tag names, column names, categories,
 * file names) could carry become `?`, so no escape sequence from a log reaches the terminal.
 * Newlines are kept; tabs are replaced too (they would misalign the columns).
 *
 * @example
 * printable('tag\u001b[2Jname\n'); // 'tag?[2Jname\n'
 */
export function printable(text: string): string {
  return text.replace(CONTROL, '?');
}

/**
 * JSON for a terminal: JSON.stringify escapes C0 controls but leaves DEL and the C1 controls
 * (U+0080-U+009F, CSI among them) raw. They can only occur inside strings, where `\u009b`
 * parses back to the same string.
 */
export function terminalJson(json: string): string {
  return json.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
