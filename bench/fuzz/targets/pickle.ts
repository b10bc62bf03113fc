import { dtypeSize } from '../../../src/core/integrity/dtype';
import { PickleScanner } from '../../../src/core/integrity/pickle-scanner';
import { torchTensorsOf } from '../../../src/core/integrity/torch-tensors';
import { torchTensorLayouts } from '../../../src/core/integrity/torch-zip';
import { mutate } from '../mutate';
import { stateDictPickle } from '../pickle-writer';
import type { Random } from '../random';
import { InvariantBroken, type FuzzTarget, type TargetContext } from '../target';
import { hostilePickle, hostileTensorSpec, readCheckpointFixture, zipMembers } from './integrity-seeds';

/** Storages are assumed present up to this size, as in a checkpoint file of 1 GiB. */
const STORAGE_LIMIT = 2 ** 30;
const VERDICTS = new Set(['safe', 'suspicious', 'dangerous', 'malformed']);

/**
 * Pickles: the scanner (`PickleScanner.scan`, which never throws by contract) and then the
 * torch.save layout recovery the checkpoint reader runs on its result (`torchTensorsOf`,
 * `torchTensorLayouts`), with every storage present up to 1 GiB.
 */
export class PickleTarget implements FuzzTarget {
  readonly name = 'pickle';
  readonly describes = 'pickles: PickleScanner.scan, torchTensorsOf and torchTensorLayouts (storages up to 1 GiB)';
  private seeds: Uint8Array[] = [];

  prepare(context: TargetContext): void {
    const members = zipMembers(readCheckpointFixture(context.root, 'digits_cnn.pt'));
    this.seeds = members.filter((m) => m.name.endsWith('.pkl')).map((m) => m.data);
  }

  generate(rng: Random): Uint8Array {
    switch (rng.below(4)) {
      case 0:
        return mutate(rng, rng.pick(this.seeds), this.seeds, 1 << 20);
      case 1:
        return hostilePickle(rng, this.seeds);
      case 2:
        return stateDictPickle(Array.from({ length: 1 + rng.below(6) }, (_, i) => hostileTensorSpec(rng, i)));
      default:
        return mutate(rng, hostilePickle(rng, this.seeds), this.seeds, 1 << 20);
    }
  }

  run(input: Uint8Array): void {
    const scanner = new PickleScanner();
    const analysis = scanner.scan(input, 0, 'data.pkl');
    const result = scanner.result();
    if (!VERDICTS.has(result.verdict)) throw new InvariantBroken(`verdict '${String(result.verdict)}' is not one of ${[...VERDICTS].join(', ')}`);
    if (analysis.error && result.verdict === 'safe') throw new InvariantBroken(`a malformed pickle (${analysis.error.message}) was called safe`);
    if (!analysis.result) return;
    const refs = torchTensorsOf(analysis.result);
    const sizes = new Map(refs.map((r) => [r.storageKey, Math.min(STORAGE_LIMIT, r.storageNumel * dtypeSize(r.dtype))]));
    torchTensorLayouts(refs, (key) => ({ offset: 0, size: sizes.get(key) ?? 0, stored: true }), false);
  }
}
