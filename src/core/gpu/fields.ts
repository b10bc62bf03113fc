import type { GpuReading } from './types';

/** How a field's text becomes a value. */
export type FieldKind = 'text' | 'int' | 'number' | 'mask' | 'enabled';

/** The reading's keys that come straight from one queried field. */
export type FieldKey = Exclude<keyof GpuReading, 'throttleReasons' | 'cluster'>;

/** One `--query-gpu` field: the names nvidia-smi accepts for it and where its value goes. */
export interface GpuField {
  /** Preferred name first; older names follow and are tried when a driver rejects the newer one. */
  readonly names: readonly string[];
  readonly key: FieldKey;
  readonly kind: FieldKind;
  /** The unit nvidia-smi appends when `nounits` is not given. */
  readonly unit?: string;
  /** Facts that do not change while the driver is loaded: queried once, not streamed. */
  readonly isStatic?: boolean;
}

const f = (name: string | string[], key: FieldKey, kind: FieldKind, unit?: string, isStatic = false): GpuField => ({
  names: Array.isArray(name) ? name : [name],
  key,
  kind,
  ...(unit ? { unit } : {}),
  ...(isStatic ? { isStatic } : {}),
});

/** Every field the sampler asks for, in query order. `index` must stay first: lines are keyed by it. */
export const GPU_FIELDS: readonly GpuField[] = [
  f('index', 'index', 'int'),
  f('timestamp', 'smiTimestamp', 'text'),
  f('name', 'name', 'text', undefined, true),
  f('uuid', 'uuid', 'text', undefined, true),
  f('pci.bus_id', 'busId', 'text', undefined, true),
  f('driver_version', 'driverVersion', 'text', undefined, true),
  f('memory.total', 'memoryTotalMiB', 'number', 'MiB', true),
  f('compute_mode', 'computeMode', 'text', undefined, true),
  f('mig.mode.current', 'migEnabled', 'enabled', undefined, true),
  f('pstate', 'pstate', 'text'),
  f('temperature.gpu', 'temperatureC', 'number'),
  f('temperature.memory', 'memoryTemperatureC', 'number'),
  f('utilization.gpu', 'utilizationGpu', 'number', '%'),
  f('utilization.memory', 'utilizationMemory', 'number', '%'),
  f('memory.used', 'memoryUsedMiB', 'number', 'MiB'),
  f('memory.free', 'memoryFreeMiB', 'number', 'MiB'),
  f('power.draw', 'powerW', 'number', 'W'),
  f('power.limit', 'powerLimitW', 'number', 'W'),
  f('clocks.sm', 'smClockMHz', 'number', 'MHz'),
  f('clocks.mem', 'memoryClockMHz', 'number', 'MHz'),
  f('clocks.gr', 'graphicsClockMHz', 'number', 'MHz'),
  f('fan.speed', 'fanPercent', 'number', '%'),
  f(['clocks_event_reasons.active', 'clocks_throttle_reasons.active'], 'throttleMask', 'mask'),
  f('ecc.errors.uncorrected.volatile.total', 'eccUncorrectedVolatile', 'int'),
  f('encoder.stats.sessionCount', 'encoderSessions', 'int'),
];

/** A field as it will be queried: which of its names is in use. */
export interface QueryField {
  readonly field: GpuField;
  readonly nameIndex: number;
}

/** The fields to query, each under its preferred name. */
export function initialQuery(fields: readonly GpuField[] = GPU_FIELDS): QueryField[] {
  return fields.map((field) => ({ field, nameIndex: 0 }));
}

/** The `--query-gpu=` value for a query. */
export function queryArgument(query: readonly QueryField[]): string {
  return query.map((q) => q.field.names[q.nameIndex]).join(',');
}

/** The streamed part of a query: `index` plus every non-static field. */
export function streamingQuery(query: readonly QueryField[]): QueryField[] {
  return query.filter((q) => q.field.key === 'index' || !q.field.isStatic);
}

/**
 * The query after the driver rejected `rejected`: the field moves on to its next older name, or is
 * dropped when it has none. Returns null when `rejected` is not in the query (nothing to retry) or
 * when it is `index`, without which lines cannot be attributed to a GPU.
 */
export function withoutRejected(query: readonly QueryField[], rejected: string): QueryField[] | null {
  const at = query.findIndex((q) => q.field.names[q.nameIndex] === rejected);
  if (at < 0) return null;
  const q = query[at]!;
  if (q.field.key === 'index') return null;
  const next = q.nameIndex + 1 < q.field.names.length ? [{ field: q.field, nameIndex: q.nameIndex + 1 }] : [];
  return [...query.slice(0, at), ...next, ...query.slice(at + 1)];
}

/** The field nvidia-smi names in `Field "x" is not a valid field to query.`; null for any other text. */
export function rejectedFieldOf(output: string): string | null {
  const m = /Field "([^"]+)" is not a valid field to query/.exec(output);
  return m ? m[1]! : null;
}
