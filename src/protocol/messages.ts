/**
 * Every message between the extension host and the dashboards' webview, as two tagged unions with
 * their type guards. Both sides import this module; nothing crosses `postMessage` untyped.
 */
import { PANEL_KINDS, type PanelKind, type PanelState, type PanelUpdate, type TrainingFocus } from './views';

export type XAxisMode = 'step' | 'relative' | 'wall';
export const X_AXIS_MODES: readonly XAxisMode[] = ['step', 'relative', 'wall'];

/** The training dashboard's controls; kept in the webview state and echoed to the host. */
export interface TrainingViewOptions {
  /** TensorBoard's smoothing weight in [0, 1). */
  readonly smoothing: number;
  readonly xAxis: XAxisMode;
  readonly logScale: boolean;
  /** Scale the y axis to the bulk of the data when a few points are far off (a diverging run). */
  readonly ignoreOutliers: boolean;
  readonly hiddenRuns: readonly string[];
  /** When present, exactly these runs are shown (a sweep of many runs); hiddenRuns is then ignored. */
  readonly shownRuns?: readonly string[];
  readonly tagFilter: string;
}

export type ViewOptions =
  | { readonly panel: 'training'; readonly options: TrainingViewOptions }
  | { readonly panel: 'predictions'; readonly options: { readonly log: string } };

// ---------------------------------------------------------------- host -> webview

export type HostToWebview =
  | ({ readonly type: 'init' } & PanelState)
  | ({ readonly type: 'update' } & PanelUpdate)
  /** Scroll to a tag's chart and mark a step (training) on an already open panel. */
  | { readonly type: 'reveal'; readonly panel: 'training'; readonly focus: TrainingFocus };

// ---------------------------------------------------------------- webview -> host

export type WebviewToHost =
  | { readonly type: 'ready'; readonly panel: PanelKind }
  /** Sent after every draw: how many data points and charts are on screen. */
  | { readonly type: 'rendered'; readonly panel: PanelKind; readonly points: number; readonly charts: number; readonly title?: string }
  /** Open a file the host sent (a prediction log) at a 1-based line. */
  | { readonly type: 'openFile'; readonly path: string; readonly line: number }
  | ({ readonly type: 'setOptions' } & ViewOptions)
  | { readonly type: 'error'; readonly message: string };

// ---------------------------------------------------------------- guards

type Fields = Record<string, unknown>;

function isRecord(x: unknown): x is Fields {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function isPanelKind(x: unknown): x is PanelKind {
  return typeof x === 'string' && (PANEL_KINDS as readonly string[]).includes(x);
}

const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isString = (x: unknown): x is string => typeof x === 'string';
const isStringArray = (x: unknown): x is string[] => Array.isArray(x) && x.every(isString);

/** Strings the host accepts from a webview are bounded, so a broken page cannot flood the log. */
const MAX_TEXT = 4096;
const isShortString = (x: unknown): x is string => isString(x) && x.length <= MAX_TEXT;

export function isTrainingViewOptions(x: unknown): x is TrainingViewOptions {
  return (
    isRecord(x) &&
    isFiniteNumber(x.smoothing) &&
    x.smoothing >= 0 &&
    x.smoothing < 1 &&
    isString(x.xAxis) &&
    (X_AXIS_MODES as readonly string[]).includes(x.xAxis) &&
    typeof x.logScale === 'boolean' &&
    typeof x.ignoreOutliers === 'boolean' &&
    isStringArray(x.hiddenRuns) &&
    (x.shownRuns === undefined || isStringArray(x.shownRuns)) &&
    isShortString(x.tagFilter)
  );
}

function isViewOptions(x: Fields): boolean {
  if (x.panel === 'training') return isTrainingViewOptions(x.options);
  if (x.panel === 'predictions') return isRecord(x.options) && isShortString(x.options.log) && x.options.log.length > 0;
  return false;
}

/** True for a well-formed message from a dashboard webview; anything else must be dropped. */
export function isWebviewMessage(x: unknown): x is WebviewToHost {
  if (!isRecord(x)) return false;
  switch (x.type) {
    case 'ready':
      return isPanelKind(x.panel);
    case 'rendered':
      return (
        isPanelKind(x.panel) &&
        Number.isSafeInteger(x.points) &&
        (x.points as number) >= 0 &&
        Number.isSafeInteger(x.charts) &&
        (x.charts as number) >= 0 &&
        (x.title === undefined || typeof x.title === 'string')
      );
    case 'openFile':
      return isShortString(x.path) && x.path.length > 0 && Number.isSafeInteger(x.line) && (x.line as number) >= 1;
    case 'setOptions':
      return isViewOptions(x);
    case 'error':
      return isShortString(x.message);
    default:
      return false;
  }
}

function isTrainingFocus(x: unknown): x is TrainingFocus {
  return (
    isRecord(x) &&
    (x.runs === undefined || isStringArray(x.runs)) &&
    (x.tag === undefined || isString(x.tag)) &&
    (x.step === undefined || isFiniteNumber(x.step))
  );
}

/**
 * True for a message the webview can act on. The host is trusted, so this checks the envelope
 * (type, panel, payload object), not every field of the payload.
 */
export function isHostMessage(x: unknown): x is HostToWebview {
  if (!isRecord(x) || !isPanelKind(x.panel)) return false;
  switch (x.type) {
    case 'init':
      return isRecord(x.state) && (x.focus === undefined || (x.panel === 'training' && isTrainingFocus(x.focus)));
    case 'update':
      return isRecord(x.update);
    case 'reveal':
      return x.panel === 'training' && isTrainingFocus(x.focus);
    default:
      return false;
  }
}
