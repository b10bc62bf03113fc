/**
 * Chart colours read from VS Code's theme variables at runtime, so charts follow light, dark and
 * high-contrast themes (and the static report's own light/dark defaults from panel.css).
 */
export interface Theme {
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly border: string;
  readonly background: string;
  readonly tooltipBackground: string;
  readonly tooltipBorder: string;
  readonly fontFamily: string;
  readonly fontSize: number;
  readonly error: string;
  readonly warning: string;
  readonly info: string;
  readonly focus: string;
  readonly palette: readonly string[];
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

export function readTheme(): Theme {
  const s = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => cssVar(s, `--vscode-${name}`, fallback);
  const foreground = v('foreground', '#cccccc');
  // Runs get distinct hues first; red and yellow come last because findings use them.
  const palette = [
    v('charts-blue', '#3794ff'),
    v('charts-orange', '#d18616'),
    v('charts-green', '#89d185'),
    v('charts-purple', '#b180d7'),
    v('terminal-ansiCyan', '#11a8cd'),
    v('terminal-ansiMagenta', '#bc3fbc'),
    v('charts-yellow', '#cca700'),
    v('charts-red', '#f14c4c'),
  ];
  return {
    foreground,
    muted: v('descriptionForeground', foreground),
    grid: withAlpha(v('charts-lines', foreground), 0.18),
    border: v('panel-border', v('widget-border', '#80808059')),
    background: v('editor-background', '#1e1e1e'),
    tooltipBackground: v('editorHoverWidget-background', v('editorWidget-background', '#252526')),
    tooltipBorder: v('editorHoverWidget-border', '#454545'),
    fontFamily: v('font-family', 'system-ui, sans-serif'),
    fontSize: parseFloat(v('font-size', '13')) || 13,
    error: v('editorError-foreground', v('errorForeground', '#f14c4c')),
    warning: v('editorWarning-foreground', '#cca700'),
    info: v('editorInfo-foreground', '#3794ff'),
    focus: v('focusBorder', '#007fd4'),
    palette: [...palette, ...palette.map((c) => withAlpha(c, 0.6))],
  };
}

/** Distinct hues runs are spread over before a second shade is used (red and yellow stay for findings). */
export const RUN_HUES = 6;

/** The colour of a run's slot (core's `runColourSlots`): hue `slot % 6`, a lighter shade past six runs. */
export function runSlotColour(theme: Theme, slot: number): string {
  const hue = slot % RUN_HUES;
  const shade = Math.floor(slot / RUN_HUES) % 2;
  return theme.palette[shade * (theme.palette.length / 2) + hue]!;
}

/** The colour of the i-th run: stable across charts because runs keep their index. */
export function seriesColour(theme: Theme, i: number): string {
  return theme.palette[i % theme.palette.length]!;
}

/** Any CSS colour with an alpha, via the browser's own parser (theme values may be #rgb, rgb(), ...). */
export function withAlpha(colour: string, alpha: number): string {
  const rgb = parseColour(colour);
  return rgb ? `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${alpha * (rgb[3] ?? 1)})` : colour;
}

let probe: CanvasRenderingContext2D | null | undefined;

function parseColour(colour: string): [number, number, number, number?] | undefined {
  const hex = /^#([0-9a-f]{3,8})$/i.exec(colour.trim());
  if (hex) {
    let h = hex[1]!;
    if (h.length <= 4) h = [...h].map((c) => c + c).join('');
    const n = (i: number) => parseInt(h.slice(i, i + 2), 16);
    return [n(0), n(2), n(4), h.length === 8 ? n(6) / 255 : undefined];
  }
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/i.exec(colour.trim());
  if (rgb) {
    const a = rgb[4] === undefined ? undefined : rgb[4].endsWith('%') ? parseFloat(rgb[4]) / 100 : parseFloat(rgb[4]);
    return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), a];
  }
  // Named or exotic colours: let a canvas normalise them to #rrggbb.
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return undefined;
  probe.fillStyle = '#000';
  probe.fillStyle = colour;
  const normalised = String(probe.fillStyle);
  return normalised.startsWith('#') && normalised !== colour ? parseColour(normalised) : undefined;
}

/** Calls back when the VS Code theme (body class) or the OS colour scheme changes. */
export function onThemeChange(callback: () => void): () => void {
  const observer = new MutationObserver(() => callback());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', callback);
  return () => {
    observer.disconnect();
    media.removeEventListener('change', callback);
  };
}
