/** The glyph an alert marker is drawn with; kinds that share a colour still look apart. */
export type MarkerShape = 'triangle' | 'circle' | 'square' | 'diamond' | 'up' | 'plus';

/** Glyphs in the order kinds take them; the legend draws the same ones (`.pin-<shape>` in panel.css). */
export const MARKER_SHAPES: readonly MarkerShape[] = ['triangle', 'circle', 'square', 'diamond', 'up', 'plus'];

/**
 * One glyph per alert kind, in order of first appearance, so a chart and its legend agree.
 * A seventh kind takes the first glyph again (its colour or label still tells it apart).
 */
export function markerShapesByKind(kinds: Iterable<string>): Map<string, MarkerShape> {
  const shapes = new Map<string, MarkerShape>();
  for (const kind of kinds) if (!shapes.has(kind)) shapes.set(kind, MARKER_SHAPES[shapes.size % MARKER_SHAPES.length]!);
  return shapes;
}
