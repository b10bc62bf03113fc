import type { FieldKey, GpuField, QueryField } from './fields';
import { decodeThrottleReasons, parseThrottleMask } from './throttle';
import type { GpuReading } from './types';

/** What one field's text became. */
export type FieldValue = string | number | boolean | null;

/** The values of one CSV line, by reading key. */
export type FieldValues = Partial<Record<FieldKey, FieldValue>>;

/** A parsed `--query-gpu` line, or why it was not one. */
export type LineResult = { readonly ok: true; readonly values: FieldValues } | { readonly ok: false; readonly reason: string };

/** Longest line worth parsing; anything longer is garbage, not a sample. */
export const MAX_LINE_LENGTH = 8192;

/**
 * True for nvidia-smi's placeholders for a missing value: `[N/A]`, `[Not Supported]`,
 * `[Unknown Error]`, `[Insufficient Permissions]`, `[GPU is lost]`, and the bare `N/A` some builds print.
 */
export function isAbsent(text: string): boolean {
  return text === '' || text === 'N/A' || (text.startsWith('[') && text.endsWith(']'));
}

/**
 * Parses one field's text. Units (`81559 MiB`, `130.43 W`, `0 %`) are removed when they are the
 * field's own unit; a number in any other unit, or not a number at all, is null rather than a
 * wrong value.
 */
export function parseFieldValue(text: string, field: GpuField): FieldValue {
  let t = text.trim();
  if (isAbsent(t)) return null;
  switch (field.kind) {
    case 'text':
      return t;
    case 'mask':
      return parseThrottleMask(t);
    case 'enabled':
      return t === 'Enabled' ? true : t === 'Disabled' ? false : null;
    case 'int':
    case 'number': {
      if (field.unit && t.endsWith(field.unit)) t = t.slice(0, -field.unit.length).trimEnd();
      if (!/^-?\d+(\.\d+)?$/.test(t)) return null;
      const n = Number(t);
      return field.kind === 'int' && !Number.isInteger(n) ? null : n;
    }
  }
}

/**
 * Parses one `--format=csv,noheader[,nounits]` line for `query`. A line whose column count is wrong
 * or whose `index` is not a number is not a sample (an error message, a truncated write, noise).
 */
export function parseGpuLine(line: string, query: readonly QueryField[]): LineResult {
  if (line.length > MAX_LINE_LENGTH) return { ok: false, reason: `line of ${line.length} characters` };
  const cells = line.split(',');
  if (cells.length !== query.length) {
    return { ok: false, reason: `expected ${query.length} fields, got ${cells.length}` };
  }
  const values: FieldValues = {};
  query.forEach((q, i) => {
    values[q.field.key] = parseFieldValue(cells[i]!, q.field);
  });
  if (typeof values.index !== 'number') return { ok: false, reason: 'no GPU index' };
  return { ok: true, values };
}

function num(v: FieldValue | undefined): number | null {
  return typeof v === 'number' ? v : null;
}
function str(v: FieldValue | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

/**
 * Builds a reading from a streamed line's values and the GPU's static facts (queried once).
 * Streamed values win where both have one.
 */
export function toReading(values: FieldValues, facts: FieldValues = {}): GpuReading {
  const v: FieldValues = { ...facts };
  for (const [k, x] of Object.entries(values) as Array<[FieldKey, FieldValue]>) {
    if (x !== null || !(k in v)) v[k] = x;
  }
  const mask = num(v.throttleMask);
  return {
    index: num(v.index) ?? -1,
    vendor: 'nvidia',
    name: str(v.name),
    uuid: str(v.uuid),
    busId: str(v.busId),
    driverVersion: str(v.driverVersion),
    pstate: str(v.pstate),
    temperatureC: num(v.temperatureC),
    memoryTemperatureC: num(v.memoryTemperatureC),
    utilizationGpu: num(v.utilizationGpu),
    utilizationMemory: num(v.utilizationMemory),
    memoryTotalMiB: num(v.memoryTotalMiB),
    memoryUsedMiB: num(v.memoryUsedMiB),
    memoryFreeMiB: num(v.memoryFreeMiB),
    powerW: num(v.powerW),
    powerLimitW: num(v.powerLimitW),
    smClockMHz: num(v.smClockMHz),
    memoryClockMHz: num(v.memoryClockMHz),
    graphicsClockMHz: num(v.graphicsClockMHz),
    fanPercent: num(v.fanPercent),
    throttleMask: mask,
    throttleReasons: mask === null ? null : decodeThrottleReasons(mask),
    computeMode: str(v.computeMode),
    migEnabled: typeof v.migEnabled === 'boolean' ? v.migEnabled : null,
    eccUncorrectedVolatile: num(v.eccUncorrectedVolatile),
    encoderSessions: num(v.encoderSessions),
    smiTimestamp: str(v.smiTimestamp),
  };
}

/**
 * Parses the whole output of a one-off query (no `-lms`) into readings, skipping lines that are not
 * samples. `garbage` counts those.
 */
export function parseGpuTable(text: string, query: readonly QueryField[]): { readings: GpuReading[]; garbage: number } {
  const readings: GpuReading[] = [];
  let garbage = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const r = parseGpuLine(line, query);
    if (r.ok) readings.push(toReading(r.values));
    else garbage++;
  }
  return { readings, garbage };
}
