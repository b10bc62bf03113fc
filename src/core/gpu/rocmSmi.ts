import { parseJsonDocument, type Parsed } from './amdSmi';
import type { GpuReading } from './types';

/**
 * The arguments of the one query Model Monitor runs: `--showmaxpower` adds the power cap
 * ("Max Graphics Package Power (W)") to what the dashboards need.
 */
export const ROCM_SMI_ARGS: readonly string[] = [
  '--showuse', '--showmemuse', '--showmeminfo', 'vram', '--showtemp', '--showpower', '--showmaxpower', '--showproductname', '--json',
];

/** The first of `keys` a card object holds, as text; `"N/A"` and its variants (`"N/A (Secondary die)"`) are absent. */
function field(card: Record<string, unknown>, ...keys: string[]): string | null {
  for (const key of keys) {
    const v = card[key];
    if (typeof v !== 'string') continue;
    const t = v.trim();
    if (t === '' || t.startsWith('N/A')) continue;
    return t;
  }
  return null;
}

function number(card: Record<string, unknown>, ...keys: string[]): number | null {
  const t = field(card, ...keys);
  return t !== null && /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : null;
}

/**
 * `rocm-smi ... --json` output as readings: one object per `cardN`, every value a string, keys as
 * rocm_smi.py prints them (`"GPU use (%)"`, `"VRAM Total Memory (B)"`, ...). Releases differ in a
 * few spellings (`Card series` before ROCm 6, `Card Series` after; MI300 prints
 * `Current Socket Graphics Package Power (W)`), so each field tries every spelling.
 */
export function parseRocmSmi(output: string): Parsed<GpuReading[]> {
  const doc = parseJsonDocument(output, 'rocm-smi --json');
  if (!doc.ok) return doc;
  const root = doc.value;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return { ok: false, reason: 'rocm-smi --json: expected an object of cards' };
  const readings: GpuReading[] = [];
  for (const [key, value] of Object.entries(root as Record<string, unknown>)) {
    const m = /^card(\d+)$/.exec(key);
    if (!m || typeof value !== 'object' || value === null) continue;
    const card = value as Record<string, unknown>;
    const mib = (k: string) => {
      const bytes = number(card, k);
      return bytes === null ? null : Math.round(bytes / 1048576);
    };
    const total = mib('VRAM Total Memory (B)');
    const used = mib('VRAM Total Used Memory (B)');
    readings.push({
      index: Number(m[1]),
      vendor: 'amd',
      name: field(card, 'Card Series', 'Card series', 'Card Model', 'Card model', 'Card SKU'),
      uuid: field(card, 'Unique ID') ?? `amd-gpu-${m[1]}`,
      busId: field(card, 'PCI Bus'),
      driverVersion: null,
      pstate: null,
      temperatureC: number(card, 'Temperature (Sensor edge) (C)', 'Temperature (Sensor junction) (C)'),
      memoryTemperatureC: number(card, 'Temperature (Sensor memory) (C)'),
      utilizationGpu: number(card, 'GPU use (%)'),
      utilizationMemory: number(card, 'GPU memory use (%)'),
      memoryTotalMiB: total,
      memoryUsedMiB: used,
      memoryFreeMiB: total !== null && used !== null ? total - used : null,
      powerW: number(card, 'Average Graphics Package Power (W)', 'Current Socket Graphics Package Power (W)'),
      powerLimitW: number(card, 'Max Graphics Package Power (W)'),
      smClockMHz: null,
      memoryClockMHz: null,
      graphicsClockMHz: null,
      fanPercent: null,
      throttleMask: null,
      throttleReasons: null,
      computeMode: null,
      migEnabled: null,
      eccUncorrectedVolatile: null,
      encoderSessions: null,
      smiTimestamp: null,
    });
  }
  if (!readings.length) return { ok: false, reason: 'rocm-smi --json listed no card' };
  return { ok: true, value: readings.sort((a, b) => a.index - b.index) };
}
