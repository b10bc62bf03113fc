import type { Random } from './random';

/**
 * A fuzz target: a generator of hostile inputs for one parser, and a run that feeds one input to
 * the parser's product entry point. `run` lets the parser's own documented error type (or a
 * result carrying an error message) pass and throws anything else; a broken invariant throws
 * {@link InvariantBroken}.
 */
export interface FuzzTarget {
  readonly name: string;
  /** One line for `--list` and the README: what the target feeds and to which entry point. */
  readonly describes: string;
  /** Loads the seed corpus (real fixtures plus built inputs); called once per worker. */
  prepare(context: TargetContext): Promise<void> | void;
  /** Input number i: a mutated seed or a structure-aware build, from `rng` alone. */
  generate(rng: Random): Uint8Array;
  run(input: Uint8Array): Promise<void> | void;
  /**
   * Memory the product is documented to spend on any input, on top of the runner's bound (e.g.
   * the checkpoint reader's 64 MiB pickle window); 0 when absent.
   */
  readonly memoryAllowanceBytes?: number;
  /** Frees what `prepare` made (temporary files). */
  dispose?(): Promise<void> | void;
}

export interface TargetContext {
  /** The repository root, where test/fixtures lives. */
  readonly root: string;
  /** A private scratch folder for targets whose entry point reads a file. */
  readonly scratch: string;
}

/** An outcome the parser must never produce, even for garbage (e.g. a dangerous pickle called safe). */
export class InvariantBroken extends Error {
  override readonly name = 'InvariantBroken';
}

/** Largest input any generator returns: enough for every structure, small enough for thousands of inputs a second. */
export const MAX_INPUT_BYTES = 4 << 20;
