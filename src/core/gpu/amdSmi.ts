import type { ComputeApp, GpuReading } from './types';

/** What a document or one of its parts became: a value, or why it could not be read. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** The unit a reading is converted to. */
export type TargetUnit = 'W' | 'MiB' | 'C' | 'MHz' | '%';

/**
 * Factors from each unit amd-smi prints to the unit Model Monitor keeps. amd-smi's "MB" is MiB:
 * its CLI divides the library's byte counts by 1024 * 1024 before labelling them "MB".
 */
const FACTORS: Record<TargetUnit, Readonly<Record<string, number>>> = {
  W: { W: 1, mW: 1e-3, uW: 1e-6, µW: 1e-6, kW: 1e3 },
  MiB: { MB: 1, MiB: 1, GB: 1024, GiB: 1024, KB: 1 / 1024, KiB: 1 / 1024, B: 1 / 1048576 },
  C: { C: 1, '°C': 1, mC: 1e-3 },
  MHz: { MHz: 1, GHz: 1e3, KHz: 1e-3, kHz: 1e-3, Hz: 1e-6 },
  '%': { '%': 1 },
};

type Json = unknown;
type JsonObject = Record<string, Json>;

function isObject(x: Json): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The value at a dotted path (`usage.gfx_activity`), or undefined where any step is missing. */
export function amdField(x: Json, path: string): Json {
  let cur = x;
  for (const key of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/**
 * One amd-smi reading in `unit`: `{"value": 130, "unit": "W"}` (ROCm 6.1 and later), a bare number
 * (older releases, in the field's documented unit), or null for `"N/A"`, a missing field or a unit
 * that does not convert (a wrong number would be worse than none).
 */
export function amdQuantity(x: Json, unit: TargetUnit): number | null {
  let value: Json = x;
  let given: string = unit;
  if (isObject(x)) {
    value = x.value;
    if (typeof x.unit === 'string') given = x.unit.trim();
  }
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) value = Number(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const factor = FACTORS[unit][given];
  return factor === undefined ? null : value * factor;
}

function text(x: Json): string | null {
  if (typeof x !== 'string') return null;
  const t = x.trim();
  return t === '' || t === 'N/A' ? null : t;
}

/** A plain count (ECC errors): a whole number, or null for "N/A". */
function count(x: Json): number | null {
  const v = typeof x === 'string' && /^\d+$/.test(x.trim()) ? Number(x) : x;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/** Parses one whole JSON document, naming what it was when it is not JSON. */
export function parseJsonDocument(output: string, what: string): Parsed<Json> {
  const trimmed = output.trim();
  if (!trimmed) return { ok: false, reason: `${what} printed nothing` };
  try {
    return { ok: true, value: JSON.parse(trimmed) as Json };
  } catch (e) {
    return { ok: false, reason: `${what} printed something that is not JSON (${(e as Error).message}): ${trimmed.slice(0, 120)}` };
  }
}

/**
 * The per-GPU objects of an amd-smi document. Releases print either a bare list of them or an
 * object holding them under `gpu_data` (beside `cpu_data` and `core_data`); both are accepted.
 */
export function amdGpuEntries(doc: Json, what: string): Parsed<readonly JsonObject[]> {
  const list = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.gpu_data) ? doc.gpu_data : null;
  if (!list) return { ok: false, reason: `${what}: expected a list of GPUs or an object with "gpu_data", got ${Array.isArray(doc) ? 'a list' : typeof doc}` };
  const entries = list.filter((e): e is JsonObject => isObject(e) && typeof e.gpu === 'number' && Number.isInteger(e.gpu) && e.gpu >= 0);
  return { ok: true, value: entries };
}

/** What does not change while the driver is loaded, from `amd-smi static --json` and `amd-smi list --json`. */
export interface AmdGpuFacts {
  readonly name: string | null;
  readonly uuid: string | null;
  readonly busId: string | null;
  readonly driverVersion: string | null;
  readonly powerLimitW: number | null;
  readonly memoryTotalMiB: number | null;
}

const NO_FACTS: AmdGpuFacts = { name: null, uuid: null, busId: null, driverVersion: null, powerLimitW: null, memoryTotalMiB: null };

/** Each GPU's facts by index, from `amd-smi static --json`. */
export function parseAmdStatic(output: string): Parsed<Map<number, AmdGpuFacts>> {
  const doc = parseJsonDocument(output, 'amd-smi static --json');
  if (!doc.ok) return doc;
  const entries = amdGpuEntries(doc.value, 'amd-smi static --json');
  if (!entries.ok) return entries;
  const facts = new Map<number, AmdGpuFacts>();
  for (const e of entries.value) {
    facts.set(e.gpu as number, {
      name: text(amdField(e, 'asic.market_name')) ?? text(amdField(e, 'board.product_name')),
      uuid: text(amdField(e, 'uuid')),
      busId: text(amdField(e, 'bus.bdf')),
      driverVersion: text(amdField(e, 'driver.version')),
      powerLimitW: amdQuantity(amdField(e, 'limit.socket_power'), 'W') ?? amdQuantity(amdField(e, 'limit.max_power'), 'W'),
      memoryTotalMiB: amdQuantity(amdField(e, 'vram.size'), 'MiB'),
    });
  }
  return { ok: true, value: facts };
}

/** Each GPU's UUID by index, from `amd-smi list --json` (`[{"gpu": 0, "bdf": ..., "uuid": ...}]`). */
export function parseAmdList(output: string): Parsed<Map<number, string>> {
  const doc = parseJsonDocument(output, 'amd-smi list --json');
  if (!doc.ok) return doc;
  const entries = amdGpuEntries(doc.value, 'amd-smi list --json');
  if (!entries.ok) return entries;
  const uuids = new Map<number, string>();
  for (const e of entries.value) {
    const uuid = text(e.uuid);
    if (uuid) uuids.set(e.gpu as number, uuid);
  }
  return { ok: true, value: uuids };
}

/** The facts with the UUIDs of `amd-smi list` merged in. */
export function withUuids(facts: ReadonlyMap<number, AmdGpuFacts>, uuids: ReadonlyMap<number, string>): Map<number, AmdGpuFacts> {
  const out = new Map<number, AmdGpuFacts>();
  for (const [index, f] of facts) out.set(index, { ...f, uuid: uuids.get(index) ?? f.uuid });
  return out;
}

/** The identity the alert rules match processes by: the UUID, or a stable stand-in where amd-smi gives none. */
export function amdGpuId(index: number, facts: AmdGpuFacts | undefined): string {
  return facts?.uuid ?? `amd-gpu-${index}`;
}

/**
 * One GPU of `amd-smi metric --json` as a reading. Edge temperature is the GPU temperature, as on
 * the board's own sensor; MI300-class parts report no edge sensor, so the hotspot stands in there.
 */
export function amdReading(entry: JsonObject, facts: AmdGpuFacts = NO_FACTS): GpuReading {
  const index = entry.gpu as number;
  const throttle = text(amdField(entry, 'power.throttle_status'));
  const gfxClock = amdQuantity(amdField(entry, 'clock.gfx_0.clk'), 'MHz');
  return {
    index,
    vendor: 'amd',
    name: facts.name,
    uuid: amdGpuId(index, facts),
    busId: facts.busId,
    driverVersion: facts.driverVersion,
    pstate: null,
    temperatureC: amdQuantity(amdField(entry, 'temperature.edge'), 'C') ?? amdQuantity(amdField(entry, 'temperature.hotspot'), 'C'),
    memoryTemperatureC: amdQuantity(amdField(entry, 'temperature.mem'), 'C'),
    utilizationGpu: amdQuantity(amdField(entry, 'usage.gfx_activity'), '%'),
    utilizationMemory: amdQuantity(amdField(entry, 'usage.umc_activity'), '%'),
    memoryTotalMiB: amdQuantity(amdField(entry, 'mem_usage.total_vram'), 'MiB') ?? facts.memoryTotalMiB,
    memoryUsedMiB: amdQuantity(amdField(entry, 'mem_usage.used_vram'), 'MiB'),
    memoryFreeMiB: amdQuantity(amdField(entry, 'mem_usage.free_vram'), 'MiB'),
    powerW: amdQuantity(amdField(entry, 'power.socket_power'), 'W'),
    powerLimitW: amdQuantity(amdField(entry, 'power.power_limit'), 'W') ?? facts.powerLimitW,
    smClockMHz: gfxClock,
    memoryClockMHz: amdQuantity(amdField(entry, 'clock.mem_0.clk'), 'MHz'),
    graphicsClockMHz: gfxClock,
    fanPercent: amdQuantity(amdField(entry, 'fan.usage'), '%'),
    throttleMask: null,
    throttleReasons: throttle === 'THROTTLED' ? ['amd_throttled'] : throttle === 'UNTHROTTLED' ? [] : null,
    computeMode: null,
    migEnabled: null,
    eccUncorrectedVolatile: count(amdField(entry, 'ecc.total_uncorrectable_count')),
    encoderSessions: null,
    smiTimestamp: typeof entry.timestamp === 'number' ? new Date(entry.timestamp * 1000).toISOString() : null,
  };
}

/** Every GPU of one `amd-smi metric --json` document (one-shot or one tick of `-w`), by index. */
export function parseAmdMetricDocument(doc: Json, facts: ReadonlyMap<number, AmdGpuFacts>): Parsed<GpuReading[]> {
  const entries = amdGpuEntries(doc, 'amd-smi metric --json');
  if (!entries.ok) return entries;
  if (!entries.value.length) return { ok: false, reason: 'amd-smi metric --json listed no GPU' };
  const readings = entries.value.map((e) => amdReading(e, facts.get(e.gpu as number)));
  return { ok: true, value: readings.sort((a, b) => a.index - b.index) };
}

/** `amd-smi metric --json` output as readings. */
export function parseAmdMetric(output: string, facts: ReadonlyMap<number, AmdGpuFacts> = new Map()): Parsed<GpuReading[]> {
  const doc = parseJsonDocument(output, 'amd-smi metric --json');
  return doc.ok ? parseAmdMetricDocument(doc.value, facts) : doc;
}

/**
 * `amd-smi process --json` as compute processes: each GPU's `process_list` of `process_info`
 * objects (name, pid, `mem_usage` in bytes), where "No running processes detected" means none.
 */
export function parseAmdProcesses(output: string, facts: ReadonlyMap<number, AmdGpuFacts> = new Map()): Parsed<ComputeApp[]> {
  const doc = parseJsonDocument(output, 'amd-smi process --json');
  if (!doc.ok) return doc;
  const entries = amdGpuEntries(doc.value, 'amd-smi process --json');
  if (!entries.ok) return entries;
  const apps: ComputeApp[] = [];
  for (const e of entries.value) {
    const list = Array.isArray(e.process_list) ? e.process_list : [];
    for (const item of list) {
      const info = amdField(item, 'process_info');
      if (!isObject(info) || typeof info.pid !== 'number' || !Number.isSafeInteger(info.pid)) continue;
      apps.push({
        pid: info.pid,
        processName: text(info.name) ?? '?',
        usedMemoryMiB: amdQuantity(info.mem_usage, 'MiB') ?? amdQuantity(amdField(info, 'memory_usage.vram_mem'), 'MiB'),
        gpuUuid: amdGpuId(e.gpu as number, facts.get(e.gpu as number)),
      });
    }
  }
  return { ok: true, value: apps };
}
