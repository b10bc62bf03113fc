import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { analyzePredictionLog } from '../../../src/io/predictions/logFile';
import { ascii } from '../bytes';
import { lineStarts, lineWindow, readFixtures } from '../corpus';
import { deepNesting, mutate } from '../mutate';
import type { Random } from '../random';
import { InvariantBroken, MAX_INPUT_BYTES, type FuzzTarget, type TargetContext } from '../target';

const decoder = new TextDecoder();

function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 + 2 * i] = c & 0xff;
    out[3 + 2 * i] = c >>> 8;
  }
  return out;
}

/** Replaces the value of one field of one line with `value` (CSV: a cell; JSONL: a member). */
function replaceValue(rng: Random, lines: string[], csv: boolean, value: string): void {
  if (lines.length < 2) return;
  const i = 1 + rng.below(lines.length - 1);
  const line = lines[i]!;
  if (csv) {
    const cells = line.split(',');
    cells[rng.below(cells.length)] = value;
    lines[i] = cells.join(',');
  } else {
    const members = [...line.matchAll(/"([^"]+)": /g)];
    const m = members.length ? rng.pick(members) : undefined;
    if (!m) return;
    const start = m.index! + m[0].length;
    const end = line.slice(start).search(/[,}]/);
    lines[i] = line.slice(0, start) + value + (end < 0 ? '}' : line.slice(start + end));
  }
}

/**
 * Prediction logs (CSV or JSON Lines): windows of the real fixtures with line-level damage (stray
 * quotes that never close, inf and NaN values, deep JSON, BOMs, UTF-16, CR-only endings, NULs,
 * very long lines, duplicate or thousands of columns) and byte mutations, read end to end by
 * `analyzePredictionLog` (what `modelmon predictions` runs) with 20 reference rows and windows of
 * 20, so the drift code sees the damage too.
 */
export class PredictionLogTarget implements FuzzTarget {
  readonly describes: string;
  private texts: { bytes: Uint8Array; starts: number[] }[] = [];
  private path = '';

  constructor(
    readonly name: 'csv' | 'jsonl',
    private readonly fixtures: RegExp,
  ) {
    this.describes = `${name === 'csv' ? 'CSV' : 'JSON Lines'} prediction logs: analyzePredictionLog (line splitting, ${name === 'csv' ? 'CSV records' : 'JSON rows'}, schema, windows, drift)`;
  }

  prepare(context: TargetContext): void {
    this.texts = readFixtures(context.root, 'test/fixtures/predictions', this.fixtures).map((bytes) => ({ bytes, starts: lineStarts(bytes) }));
    this.path = join(context.scratch, `predictions.${this.name}`);
  }

  generate(rng: Random): Uint8Array {
    const source = rng.pick(this.texts);
    // Few rows: with 20-row windows the drift tests run every 5 rows, so 600 rows already cost a few hundred ms.
    const window = lineWindow(rng, source.bytes, source.starts, rng.chance(0.2) ? 600 : 150);
    if (rng.chance(0.3)) return mutate(rng, window, this.texts.map((t) => t.bytes.subarray(0, 1 << 16)), 1 << 20);
    const csv = this.name === 'csv';
    const lines = decoder.decode(window).split('\n');
    for (let n = 1 + rng.below(3); n > 0; n--) {
      switch (rng.below(10)) {
        case 0: {
          // A stray quote that never closes, then thousands of lines (megabytes) it swallows.
          const i = rng.below(lines.length);
          lines[i] = '"' + lines[i];
          if (csv) lines.splice(i + 1, 0, ...decoder.decode(lineWindow(rng, source.bytes, source.starts, 10_000)).split('\n').slice(1));
          break;
        }
        case 1:
          replaceValue(rng, lines, csv, rng.pick(['inf', '-inf', 'Infinity', 'NaN', '1e999', '-1e999', '', 'null', '"x"', '0x1A']));
          break;
        case 2:
          replaceValue(rng, lines, csv, decoder.decode(deepNesting(rng, rng.size(200_000))));
          break;
        case 3:
          lines[0] = '\ufeff' + lines[0];
          break;
        case 4:
          lines.splice(rng.below(lines.length + 1), 0, 'x'.repeat(rng.size(3 << 20)));
          break;
        case 5:
          lines[0] = csv ? lines[0] + ',' + lines[0] : lines[0]!.replace('{', '{"a.b": 1, "a": {"b": 2}, "__proto__": {"x": 1}, ');
          break;
        case 6:
          lines[0] = csv ? lines[0] + Array.from({ length: rng.size(20_000) }, (_, k) => `,c${k}`).join('') : lines[0]!.replace('{', `{"wide": [${new Array(rng.size(100_000)).fill(0.5).join(',')}], `);
          break;
        case 7: {
          const i = rng.below(lines.length);
          lines[i] = lines[i]!.slice(0, rng.below(lines[i]!.length + 1)) + '\u0000' + lines[i]!.slice(rng.below(lines[i]!.length + 1));
          break;
        }
        case 8:
          lines.splice(rng.below(lines.length + 1), 0, ...Array.from({ length: rng.size(500) }, () => rng.pick(['', ' ', '\r', ',,,', '{}', '[]', '"'])));
          break;
        default:
          break;
      }
    }
    const ending = rng.pick(['\n', '\n', '\r\n', '\r']);
    const text = lines.join(ending);
    const bytes = rng.chance(0.1) ? utf16le(text) : ascii(text);
    return bytes.length > MAX_INPUT_BYTES ? bytes.subarray(0, MAX_INPUT_BYTES) : bytes;
  }

  async run(input: Uint8Array): Promise<void> {
    await writeFile(this.path, input);
    const report = await analyzePredictionLog(this.path, { referenceRows: 20, window: 20 });
    for (const p of report.problems) {
      if (!(Number.isInteger(p.line) && p.line >= 0 && p.message)) throw new InvariantBroken(`a problem without a line or message: ${JSON.stringify(p).slice(0, 200)}`);
    }
    // `modelmon predictions --json` prints the report: it must serialise.
    JSON.stringify(report);
  }
}

export const csvTarget = (): PredictionLogTarget => new PredictionLogTarget('csv', /\.csv$/);
export const jsonlTarget = (): PredictionLogTarget => new PredictionLogTarget('jsonl', /\.jsonl$/);

