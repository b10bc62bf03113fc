/** A closed window's realised accuracy once labels arrived after it closed, beside what it closed with. */
export interface LateWindowAccuracy {
  /** The window's index, as in the report's windows. */
  readonly window: number;
  /** Row indices [start, end). */
  readonly start: number;
  readonly end: number;
  /** Rows labelled when the window closed, and labels that arrived since. */
  readonly labelledAtClose: number;
  readonly labelledLate: number;
  /** Accuracy over every labelled row of the window, the late ones included. */
  readonly accuracy: number;
}

/** One closed row still waiting for its label: what the model said. */
interface Pending {
  readonly window: number;
  readonly prediction: string;
}

interface ClosedWindow {
  readonly window: number;
  readonly start: number;
  readonly end: number;
  readonly labelledAtClose: number;
  correct: number;
  late: number;
  readonly ids: string[];
}

/** Closed windows whose rows still take late labels; older ones keep the accuracy they have. */
const MAX_OPEN_WINDOWS = 50;

/**
 * Realised accuracy of closed windows as their labels arrive late (a classifier's labels often
 * come hours or days after the prediction). It keeps, for the last 50 closed windows, the id and
 * prediction of each row that closed unlabelled (about 40 bytes a row), so memory stays bounded
 * however long the log runs; the windows' estimated accuracy is untouched and stays beside it.
 */
export class LateLabelLedger {
  private readonly pending = new Map<string, Pending>();
  private readonly windows: ClosedWindow[] = [];
  /** Windows past the last 50 that took late labels: their accuracy no longer changes. */
  private readonly frozen: ClosedWindow[] = [];

  /** A window closed; `rows` are its rows with their error (-1 unlabelled, 0 right, 1 wrong). */
  windowClosed(window: number, start: number, end: number, rows: readonly { readonly id: string | undefined; readonly prediction: string | undefined; readonly error: number }[]): void {
    let labelled = 0;
    let correct = 0;
    const ids: string[] = [];
    for (const r of rows) {
      if (r.error >= 0) {
        labelled++;
        if (r.error === 0) correct++;
      } else if (r.id !== undefined && r.prediction !== undefined && !this.pending.has(r.id)) {
        this.pending.set(r.id, { window, prediction: r.prediction });
        ids.push(r.id);
      }
    }
    this.windows.push({ window, start, end, labelledAtClose: labelled, correct, late: 0, ids });
    if (this.windows.length > MAX_OPEN_WINDOWS) {
      const old = this.windows.shift()!;
      for (const id of old.ids) if (this.pending.get(id)?.window === old.window) this.pending.delete(id);
      if (old.late) this.frozen.push(old);
      if (this.frozen.length > MAX_OPEN_WINDOWS) this.frozen.shift();
    }
  }

  /** A label arrived; true when it completed a row of a closed window. */
  label(id: string, label: string | number): boolean {
    const p = this.pending.get(id);
    if (!p) return false;
    this.pending.delete(id);
    const w = this.windows.find((x) => x.window === p.window);
    if (!w) return false;
    w.late++;
    if (String(label) === p.prediction) w.correct++;
    return true;
  }

  /** Windows that took late labels, oldest first. */
  accuracies(): LateWindowAccuracy[] {
    return [...this.frozen, ...this.windows]
      .filter((w) => w.late > 0)
      .map((w) => ({
        window: w.window,
        start: w.start,
        end: w.end,
        labelledAtClose: w.labelledAtClose,
        labelledLate: w.late,
        accuracy: Math.round((w.correct / (w.labelledAtClose + w.late)) * 1e4) / 1e4,
      }));
  }
}
