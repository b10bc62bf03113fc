import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { analyzePickle } from '../../../src/core/integrity/pickle';
import { classifyGlobal } from '../../../src/core/integrity/pickle-policy';
import { PICKLE_SCAN_LIMIT, inspectCheckpoint } from '../../../src/io/integrity/checkpoint-reader';
import type { Random } from '../random';
import { InvariantBroken, type FuzzTarget, type TargetContext } from '../target';

const VERDICTS = new Set(['safe', 'suspicious', 'dangerous', 'malformed']);

/** The first dangerous global a pickle read from byte 0 imports, if it reads as one at all. */
function dangerousPickleImport(input: Uint8Array): string | undefined {
  const analysis = analyzePickle(input, 0, 100_000);
  if (analysis.error) return undefined;
  for (const imp of analysis.imports) {
    if (imp.module === '' || classifyGlobal(imp.module, imp.name).safety === 'dangerous') return imp.module ? `${imp.module}.${imp.name}` : 'a computed global';
  }
  return undefined;
}

/**
 * A checkpoint file given to the product's reader (`inspectCheckpoint`, as `modelmon integrity
 * scan` and the checkpoint watcher call it), which must never throw for bad content and must fail
 * closed: a file that reads as a pickle importing a dangerous global from byte 0 (what
 * `torch.load` would run) is never `safe`, whatever else it looks like.
 */
export abstract class CheckpointFileTarget implements FuzzTarget {
  abstract readonly name: string;
  abstract readonly describes: string;
  /**
   * The reader may inflate a zip entry up to its 64 MiB pickle window (PICKLE_SCAN_LIMIT), and
   * zlib holds its output chunks and the joined buffer at once: twice that is by design.
   */
  readonly memoryAllowanceBytes = 2 * PICKLE_SCAN_LIMIT;
  private path = '';

  prepare(context: TargetContext): Promise<void> | void {
    this.path = join(context.scratch, `${this.name}.ckpt`);
    return this.load(context);
  }

  protected abstract load(context: TargetContext): Promise<void> | void;
  abstract generate(rng: Random): Uint8Array;

  async run(input: Uint8Array): Promise<void> {
    await writeFile(this.path, input);
    const inspection = await inspectCheckpoint(this.path);
    if (!VERDICTS.has(inspection.verdict)) throw new InvariantBroken(`verdict '${String(inspection.verdict)}' is not one of ${[...VERDICTS].join(', ')}`);
    if (inspection.verdict === 'malformed' && !inspection.findings.some((f) => f.message.length > 0))
      throw new InvariantBroken('a malformed verdict came without a message');
    if (inspection.verdict === 'safe') {
      const danger = dangerousPickleImport(input);
      if (danger) throw new InvariantBroken(`scanned as ${inspection.format} and called safe, but from byte 0 it is a pickle importing ${danger}`);
    }
  }
}
