/**
 * Run colours that depend on the run's name, not on its position in a list, so a run keeps its
 * colour in the dashboard, the HTML report and after another run appears.
 */

/** FNV-1a over UTF-16 code units: cheap, stable across platforms and bundles. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A colour slot for each run: the name's hash picks a hue among `hues`; a hue already taken by an
 * earlier name (in sorted order) moves on to the next free one, so up to `hues` runs never share a
 * colour. Past that, slot `hues + k` is hue k's second shade, and so on.
 *
 * @example runColourSlots(['diverge_lr5', 'nan_divergence'], 6) // Map { 'diverge_lr5' => 4, 'nan_divergence' => 1 }
 */
export function runColourSlots(names: readonly string[], hues: number): Map<string, number> {
  if (!Number.isInteger(hues) || hues < 1) throw new RangeError('hues must be a positive whole number');
  const slots = new Map<string, number>();
  const taken = new Set<number>();
  for (const name of [...new Set(names)].sort()) {
    const round = Math.floor(taken.size / hues);
    const start = fnv1a(name) % hues;
    let hue = start;
    while (taken.has(round * hues + hue)) hue = (hue + 1) % hues;
    taken.add(round * hues + hue);
    slots.set(name, round * hues + hue);
  }
  return slots;
}
