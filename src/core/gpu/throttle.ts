/**
 * Why the clocks are below their maximum, one name per bit of nvidia-smi's
 * `clocks_event_reasons.active` (formerly `clocks_throttle_reasons.active`). Bit values are
 * NVML's `nvmlClocksEventReason*` constants from nvml.h.
 */
export type ThrottleReason =
  | 'gpu_idle'
  | 'applications_clocks_setting'
  | 'sw_power_cap'
  | 'hw_slowdown'
  | 'sync_boost'
  | 'sw_thermal_slowdown'
  | 'hw_thermal_slowdown'
  | 'hw_power_brake_slowdown'
  | 'display_clock_setting'
  /** amd-smi's `throttle_status: THROTTLED`: held back by power or heat, cause not given. */
  | 'amd_throttled';

/** Each reason with its NVML bit, in bit order. */
export const THROTTLE_REASON_BITS: ReadonlyArray<readonly [ThrottleReason, number]> = [
  ['gpu_idle', 0x1],
  ['applications_clocks_setting', 0x2],
  ['sw_power_cap', 0x4],
  ['hw_slowdown', 0x8],
  ['sync_boost', 0x10],
  ['sw_thermal_slowdown', 0x20],
  ['hw_thermal_slowdown', 0x40],
  ['hw_power_brake_slowdown', 0x80],
  ['display_clock_setting', 0x100],
];

/**
 * Reasons that mean the GPU is held back against the user's wishes (power or heat). Idle,
 * application clocks, sync boost and display clocks are normal operation, not alerts.
 */
export const PERFORMANCE_THROTTLE_REASONS: ReadonlySet<ThrottleReason> = new Set<ThrottleReason>([
  'sw_power_cap',
  'hw_slowdown',
  'sw_thermal_slowdown',
  'hw_thermal_slowdown',
  'hw_power_brake_slowdown',
  'amd_throttled',
]);

/**
 * Parses a bitmask as nvidia-smi prints it (`0x0000000000000004`); null for anything else.
 * Bits above 2^53 are beyond NVML's defined reasons, so a double is precise enough.
 */
export function parseThrottleMask(text: string): number | null {
  const m = /^0x([0-9a-fA-F]{1,16})$/.exec(text.trim());
  return m ? Number.parseInt(m[1]!, 16) : null;
}

/** Names every known bit set in `mask`, in bit order. Unknown bits are ignored. */
export function decodeThrottleReasons(mask: number): ThrottleReason[] {
  const reasons: ThrottleReason[] = [];
  for (const [reason, bit] of THROTTLE_REASON_BITS) {
    // Bitwise & would truncate to 32 bits; NVML's reasons all fit, so this is exact.
    if (Math.floor(mask / bit) % 2 === 1) reasons.push(reason);
  }
  return reasons;
}
