/**
 * The one interface every streaming drift detector implements (river's `DriftDetector`).
 *
 * Feed one value per `update`; read `driftDetected` after it. A detector resets itself on the
 * update that follows a drift, exactly as river 0.26 does, so indices line up with river's.
 */
export interface DriftDetector {
  update(x: number): void;
  readonly driftDetected: boolean;
  reset(): void;
}

/** A detector over an error stream (1 = error, 0 = correct) that also signals a warning zone. */
export interface BinaryDriftDetector extends DriftDetector {
  readonly warningDetected: boolean;
}

/** A parameter value as a user (CLI flag, settings file) passes it. */
export type ParamValue = number | string | boolean;

/** Thrown for an out-of-range or unknown detector parameter; the message names the parameter. */
export class DriftParameterError extends RangeError {
  override readonly name = 'DriftParameterError';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

interface NumberRule {
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive upper bound. */
  below?: number;
}

/**
 * The largest window or bucket count a detector allocates for: 10 M slots (80 MB of doubles). A
 * larger one (2^32, 2^53) would fail inside the typed-array allocation with a message naming no
 * parameter, or take the machine's memory.
 */
export const MAX_WINDOW_SLOTS = 10_000_000;

/** Validates one numeric parameter and returns it; throws DriftParameterError naming `name`. */
export function checkNumber(detector: string, name: string, value: unknown, rule: NumberRule): number {
  const fail = (why: string): never => {
    throw new DriftParameterError(name, `${detector}: parameter '${name}' ${why} (got ${String(value)})`);
  };
  if (typeof value !== 'number' || !Number.isFinite(value)) fail('must be a finite number');
  const v = value as number;
  if (rule.integer && !Number.isInteger(v)) fail('must be an integer');
  if (rule.min !== undefined && v < rule.min) fail(`must be >= ${rule.min}`);
  if (rule.above !== undefined && v <= rule.above) fail(`must be > ${rule.above}`);
  if (rule.max !== undefined && v > rule.max) fail(`must be <= ${rule.max}`);
  if (rule.below !== undefined && v >= rule.below) fail(`must be < ${rule.below}`);
  return v;
}

/** Validates a boolean parameter. */
export function checkBoolean(detector: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new DriftParameterError(name, `${detector}: parameter '${name}' must be true or false (got ${String(value)})`);
  }
  return value;
}

/** Validates a parameter that takes one of a few strings. */
export function checkChoice<T extends string>(detector: string, name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new DriftParameterError(
      name,
      `${detector}: parameter '${name}' must be one of ${choices.map((c) => `'${c}'`).join(', ')} (got ${String(value)})`,
    );
  }
  return value as T;
}

/** Rejects option keys a detector does not know, so a typo never silently falls back to a default. */
export function checkKnownKeys(detector: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if ((options as Record<string, unknown>)[key] === undefined) continue;
    if (!known.includes(key)) {
      throw new DriftParameterError(
        key,
        `${detector}: unknown parameter '${key}' (known: ${known.join(', ')})`,
      );
    }
  }
}
