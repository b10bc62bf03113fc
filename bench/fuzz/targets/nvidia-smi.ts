import { parseComputeApps, parseGpuList } from '../../../src/core/gpu/computeApps';
import { initialQuery, rejectedFieldOf, streamingQuery } from '../../../src/core/gpu/fields';
import { LineSplitter } from '../../../src/core/gpu/lines';
import { parseGpuLine, parseGpuTable } from '../../../src/core/gpu/parse';
import { SnapshotAssembler } from '../../../src/core/gpu/snapshot';
import { ascii } from '../bytes';
import { readFixtures } from '../corpus';
import { mutate } from '../mutate';
import { Random, hashBytes } from '../random';
import { InvariantBroken, type FuzzTarget, type TargetContext } from '../target';

const STREAM = streamingQuery(initialQuery());
const FULL = initialQuery();
const decoder = new TextDecoder();

/** A header line's field names, mapped to the sampler's fields by name. */
function valuesByField(header: string, line: string): Map<string, string> {
  const names = header.split(',').map((h) => h.trim().replace(/ \[.*\]$/, ''));
  const cells = line.split(',').map((c) => c.trim());
  return new Map(names.map((n, i) => [n, cells[i] ?? '']));
}

const ALIASES: Record<string, string> = { 'clocks.sm': 'clocks.current.sm', 'clocks.mem': 'clocks.current.memory', 'clocks.gr': 'clocks.current.graphics' };

/**
 * nvidia-smi output: the recorded H100 stream rewritten in the sampler's streaming field order
 * (as `-lms --format=csv,noheader,nounits` prints it), the one-off query, compute-apps and `-L`
 * recordings, all mutated; fed in chunks through the bounded line splitter to `parseGpuLine` and
 * the snapshot assembler (as the sampler does), and whole to `parseGpuTable`, `parseComputeApps`,
 * `parseGpuList` and `rejectedFieldOf`.
 */
export class NvidiaSmiTarget implements FuzzTarget {
  readonly name = 'nvidia-smi';
  readonly describes = 'nvidia-smi lines: LineSplitter, parseGpuLine, SnapshotAssembler, parseGpuTable, parseComputeApps, parseGpuList';
  private recordings: Uint8Array[] = [];
  private streamLines: string[] = [];

  prepare(context: TargetContext): void {
    this.recordings = readFixtures(context.root, 'test/fixtures/nvidia-smi', /\.(csv|txt)$/);
    const loop = readFixtures(context.root, 'test/fixtures/nvidia-smi', /^query-gpu-loop-250ms\.csv$/)[0]!;
    const [header, ...rows] = decoder.decode(loop).split('\n').filter((l) => l.trim());
    this.streamLines = rows.slice(0, 4000).map((row) => {
      const values = valuesByField(header!, row);
      return STREAM.map((q) => {
        const name = q.field.names[0]!;
        const v = values.get(ALIASES[name] ?? name) ?? values.get(name) ?? '';
        return v.replace(/ (%|MiB|W|MHz)$/, '');
      }).join(', ');
    });
  }

  generate(rng: Random): Uint8Array {
    if (rng.chance(0.3)) return mutate(rng, rng.pick(this.recordings), this.recordings, 1 << 20);
    const from = rng.below(this.streamLines.length);
    const lines = this.streamLines.slice(from, from + rng.size(400));
    // Several GPUs: the same tick under other indices, sometimes out of order or repeated.
    const gpus = rng.size(8);
    const out: string[] = [];
    for (const line of lines) for (let g = 0; g < gpus; g++) out.push(line.replace(/^\d+/, String(rng.chance(0.95) ? g : rng.pick([-1, 2 ** 31, 1e21, 7]))));
    return mutate(rng, ascii(out.join(rng.pick(['\n', '\r\n']))), this.recordings, 1 << 20);
  }

  run(input: Uint8Array): void {
    // child.stdout.setEncoding('utf8') hands the sampler strings; chunk sizes follow from the input.
    const text = decoder.decode(input);
    const chunking = new Random(hashBytes(input));
    const splitter = new LineSplitter();
    const assembler = new SnapshotAssembler(1 + (hashBytes(input) % 8));
    let t = 0;
    for (let at = 0; at < text.length; ) {
      const chunk = text.slice(at, at + chunking.size(1 << 16));
      at += chunk.length;
      for (const line of splitter.push(chunk)) {
        if (line.trim() === '') continue;
        const r = parseGpuLine(line, STREAM);
        if (!r.ok) {
          if (!r.reason) throw new InvariantBroken('a rejected line without a reason');
          continue;
        }
        for (const snapshot of assembler.push(r.values, ++t)) if (snapshot.gpus.length === 0) throw new InvariantBroken('an empty snapshot');
      }
    }
    assembler.flush(++t);
    parseGpuTable(text, FULL);
    parseComputeApps(text);
    parseGpuList(text);
    rejectedFieldOf(text);
  }
}
