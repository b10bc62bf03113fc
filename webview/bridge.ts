import type { PanelKind, WebviewToHost } from '../src/protocol';

/**
 * What a dashboard may do with the world around it: post to the host and keep its view state.
 * In the static report both are local (messages go nowhere, state lives in memory).
 */
export interface Bridge {
  readonly interactive: boolean;
  post(message: WebviewToHost): void;
  /** This panel's persisted view state (the webview's getState(), keyed by panel). */
  loadState<T>(panel: PanelKind): Partial<T> | undefined;
  saveState<T>(panel: PanelKind, state: T): void;
}

type StoredState = Partial<Record<PanelKind, unknown>>;

export function vscodeBridge(api: VsCodeWebviewApi): Bridge {
  const stored = (): StoredState => {
    const s = api.getState();
    return typeof s === 'object' && s !== null ? (s as StoredState) : {};
  };
  return {
    interactive: true,
    post: (message) => api.postMessage(message),
    loadState: <T>(panel: PanelKind) => stored()[panel] as Partial<T> | undefined,
    saveState: (panel, state) => api.setState({ ...stored(), [panel]: state }),
  };
}

export function staticBridge(): Bridge {
  const memory: StoredState = {};
  return {
    interactive: false,
    post: (message) => {
      // The report has no host; the last render count is left on the page for whoever checks it.
      if (message.type === 'rendered') document.body.dataset[`${message.panel}Points`] = String(message.points);
    },
    loadState: <T>(panel: PanelKind) => memory[panel] as Partial<T> | undefined,
    saveState: (panel, state) => {
      memory[panel] = state;
    },
  };
}
