// The splitter is shared with the GPU reader; the monitor and its users import it from here.
export { DEFAULT_MAX_LINE_CHARS, LineSplitter, type LineProblem, type LogLine } from '../lineSplitter';

/**
 * A copy of a string that no longer keeps alive the text it was cut from. Lines are slices of
 * megabyte read chunks, and CSV fields slices of lines: a 20-character timestamp kept in a report
 * would otherwise pin its whole chunk. Strings under 13 characters are copies already in V8.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}
