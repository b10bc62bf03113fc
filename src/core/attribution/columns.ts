/**
 * Which log columns hold per-row feature attributions, and for which feature. A pattern names the
 * column with `<feature>` where the feature's name goes: `shap_<feature>` (a column per feature),
 * `shap.<feature>` (an object of them, flattened as every nested field is).
 */

/** Recognised without configuration: SHAP-style columns and objects. */
export const DEFAULT_ATTRIBUTION_PATTERNS: readonly string[] = ['shap_<feature>', 'shap.<feature>', 'attribution_<feature>', 'attributions.<feature>'];

const PLACEHOLDER = '<feature>';

/** What is wrong with `pattern` ("must contain <feature> ..."), for the caller to put after the key's name; undefined when it is usable. */
export function validateAttributionPattern(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return `must be a column pattern such as "shap_${PLACEHOLDER}"`;
  const at = pattern.indexOf(PLACEHOLDER);
  if (at < 0 || pattern.indexOf(PLACEHOLDER, at + 1) >= 0) return `must contain ${PLACEHOLDER} exactly once (got "${pattern}"), e.g. "shap_${PLACEHOLDER}"`;
  if (pattern === PLACEHOLDER) return `needs a prefix or suffix around ${PLACEHOLDER} (got "${pattern}"), or every column would be an attribution`;
  return undefined;
}

/** The feature an attribution column is about under `pattern` (`shap_worst_area` -> `worst_area`), or undefined. */
export function attributedFeature(column: string, pattern: string): string | undefined {
  const at = pattern.indexOf(PLACEHOLDER);
  if (at < 0) return undefined;
  const prefix = pattern.slice(0, at);
  const suffix = pattern.slice(at + PLACEHOLDER.length);
  if (column.length <= prefix.length + suffix.length || !column.startsWith(prefix) || !column.endsWith(suffix)) return undefined;
  return column.slice(prefix.length, column.length - suffix.length);
}
