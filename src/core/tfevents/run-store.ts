import { SESSION_STATUS_START, decodeEvent, type HParamsInfo, type TfEvent } from './event';
import { decodeUtf8, viewOf } from './protobuf';
import { relateRun, type RunRelation } from './run-relation';
import { SimpleScalars, hashBytes, scanSimpleScalars } from './simple-scalars';
import { TagSeries, type SeriesLimits, type SeriesSizing } from './tag-series';

/** A timeline cut: points at or after `step` were dropped when the run restarted. */
export interface RunRestart {
  step: number;
  /** 'purge': a SessionLog START (PyTorch purge_step); 'backwards': a tag's step went back. */
  cause: 'purge' | 'backwards';
  /** Logged points dropped by this cut, over all tags. */
  droppedPoints: number;
}

/** The tags of one run (a directory of event files). */
export class RunData {
  /**
   * Gives `copy`, a structured clone of an instance (as a worker thread posts it), its class back,
   * with the classes of what it holds. Returns it, now an instance.
   */
  static revive(copy: object): RunData {
    const run = Object.setPrototypeOf(copy, RunData.prototype) as RunData;
    for (const series of run.tags.values()) TagSeries.revive(series);
    return run;
  }

  readonly tags = new Map<string, TagSeries>();
  /** Event files of this run, in the order read (set by the reader). */
  files: string[] = [];
  readonly restarts: RunRestart[] = [];
  /** hparams written by add_hparams / Lightning, merged across records. */
  hparams: HParamsInfo | undefined;
  fileVersion: string | undefined;
  version = 0;
  /** Scalar series by the hash of their tag's UTF-8 bytes, so the common case decodes no strings. */
  private readonly byTagBytes = new Map<number, TagEntry[]>();
  /** Entries in first-seen order; writers log their tags in the same order every step, so the next is a good guess. */
  private readonly tagOrder: TagEntry[] = [];
  private guess = 0;
  private readonly sizing: SeriesSizing = { grownTo: 0 };

  constructor(
    readonly name: string,
    private readonly limits: SeriesLimits,
  ) {}

  /**
   * Decodes one record's payload into this run. Returns what the decoder left out to stay bounded
   * (see {@link TfEvent.skipped}), one line each, usually none. Throws ProtoError on a malformed event.
   */
  addRecord(payload: Uint8Array): readonly string[] {
    return this.addRecordAt(payload, 0, payload.length);
  }

  /** As {@link addRecord} for the payload `buf[start, end)`, without a view per record. */
  addRecordAt(buf: Uint8Array, start: number, end: number): readonly string[] {
    const batch = SCRATCH;
    if (!scanSimpleScalars(buf, batch, start, end)) {
      const event = decodeEvent(buf.subarray(start, end), (tag) => this.pluginOf(tag));
      this.applyEvent(event);
      return event.skipped ? event.skipped.map((note) => `step ${event.step}, ${note}`) : NOTHING_SKIPPED;
    }
    for (let i = 0; i < batch.count; i++) {
      const series = this.scalarSeriesFor(buf, batch.tagStart[i]!, batch.tagEnd[i]!);
      if (!series) continue;
      const before = series.totalPoints;
      if (series.add(batch.step, batch.wallTime, batch.values[i]!)) {
        this.noteRestart(batch.step, 'backwards', before + 1 - series.totalPoints);
      }
    }
    this.version++;
    return NOTHING_SKIPPED;
  }

  /** The scalar series of the tag in `payload[start, end)`, created if new; undefined if the tag holds another kind. */
  private scalarSeriesFor(payload: Uint8Array, start: number, end: number): TagSeries | undefined {
    const guessed = this.tagOrder[this.guess];
    if (guessed && sameBytes(guessed, payload, start, end)) return this.found(guessed);
    const hash = hashBytes(payload, start, end);
    const bucket = this.byTagBytes.get(hash);
    if (bucket) {
      for (const entry of bucket) if (sameBytes(entry, payload, start, end)) return this.found(entry);
    }
    const tag = decodeUtf8(payload, start, end);
    let series = this.tags.get(tag);
    if (!series) {
      series = new TagSeries(tag, 'scalar', '', this.limits, this.sizing);
      this.tags.set(tag, series);
    }
    const entry = tagEntry(payload.slice(start, end), series, this.tagOrder.length);
    this.tagOrder.push(entry);
    if (bucket) bucket.push(entry);
    else this.byTagBytes.set(hash, [entry]);
    return this.found(entry);
  }

  private found(entry: TagEntry): TagSeries | undefined {
    this.guess = entry.index + 1 === this.tagOrder.length ? 0 : entry.index + 1;
    return entry.series.kind === 'scalar' ? entry.series : undefined;
  }

  /** Releases spare series capacity once a run has been read in full. */
  trim(): void {
    for (const series of this.tags.values()) series.trim();
  }

  /** Grouping with a parent run (Lightning version, add_scalars sibling, hparams sub-run), if any. */
  get relation(): RunRelation | undefined {
    return relateRun(this.name, this.tags.keys());
  }

  /** The name of the run this one is shown under: its parent for related runs, else itself. */
  get group(): string {
    return this.relation?.parent ?? this.name;
  }

  tag(name: string): TagSeries | undefined {
    return this.tags.get(name);
  }

  /** Tags sorted by name. */
  tagList(): TagSeries[] {
    return [...this.tags.values()].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  }

  /**
   * Adds one event to the run, applying the restart rule:
   *
   * 1. A SessionLog START at step S (what PyTorch's `purge_step=S` writes at the head of the new
   *    file) drops every point of every tag with step > S: training resumed from the checkpoint of
   *    step S, so the old timeline up to S is the history the new one continues, and everything
   *    after S was abandoned. (TensorBoard also hides S itself, which leaves a hole at S whenever
   *    the resumed run logs from S + 1 on, as a run resumed from a step-S checkpoint does; a resumed
   *    run that logs S again replaces it by rule 2.)
   * 2. A point whose step is at or before its tag's latest step drops that tag's points with
   *    step >= it (a restart without purge_step simply logs earlier steps again; a repeated step
   *    replaces its point). Only the newest timeline is kept, so no step appears twice.
   *
   * Rule 1 is the Python EventAccumulator's purge on START (kept through S, see above), rule 2 the
   * Rust data server's per-tag preemption.
   */
  applyEvent(event: TfEvent): void {
    if (event.fileVersion !== undefined) this.fileVersion = event.fileVersion;
    if (event.sessionLog?.status === SESSION_STATUS_START) this.purgeAfter(event.step);
    for (const v of event.values) {
      const data = v.data;
      if (data.kind === 'hparams') {
        this.hparams = { ...this.hparams, ...data.hparams };
        this.version++;
        continue;
      }
      let series = this.tags.get(v.tag);
      if (!series) {
        series = new TagSeries(v.tag, data.kind, v.plugin, this.limits, data.kind === 'scalar' ? this.sizing : undefined);
        this.tags.set(v.tag, series);
      } else if (series.kind !== data.kind) {
        continue; // a tag keeps the kind of its first value; a mismatched later value is ignored
      }
      if (!series.plugin && v.plugin) series.plugin = v.plugin;
      const before = series.totalPoints;
      const lastStep = series.lastStep;
      const cut =
        data.kind === 'scalar'
          ? series.add(event.step, event.wallTime, data.value)
          : series.add(event.step, event.wallTime, NaN, data);
      if (cut && lastStep !== undefined) this.noteRestart(event.step, 'backwards', before + 1 - series.totalPoints);
    }
    this.version++;
  }

  /** The plugin a tag's first value named, for values that omit their metadata. */
  pluginOf(tag: string): string | undefined {
    return this.tags.get(tag)?.plugin || undefined;
  }

  private purgeAfter(step: number): void {
    let dropped = 0;
    // Steps are integers: dropping from S + 1 drops everything after S.
    for (const series of this.tags.values()) dropped += series.dropFrom(step + 1);
    if (dropped > 0) this.noteRestart(step, 'purge', dropped);
  }

  /** One entry per cut: tags cut at the same step by the same cause share it. */
  private noteRestart(step: number, cause: RunRestart['cause'], dropped: number): void {
    const last = this.restarts[this.restarts.length - 1];
    if (last && last.step === step && last.cause === cause) last.droppedPoints += dropped;
    else this.restarts.push({ step, cause, droppedPoints: dropped });
  }
}

interface TagEntry {
  bytes: Uint8Array;
  words: Int32Array;
  series: TagSeries;
  index: number;
}

const SCRATCH = new SimpleScalars();
const NOTHING_SKIPPED: readonly string[] = Object.freeze([]);

/** Whether `buf[start, end)` holds the entry's tag, compared four bytes at a time (a third of the lookup's time went to the byte loop). */
function sameBytes(entry: TagEntry, buf: Uint8Array, start: number, end: number): boolean {
  const bytes = entry.bytes;
  if (bytes.length !== end - start) return false;
  const words = entry.words;
  const view = viewOf(buf);
  let i = 0;
  for (let k = 0; k < words.length; k++, i += 4) if (view.getInt32(start + i, true) !== words[k]) return false;
  for (; i < bytes.length; i++) if (bytes[i] !== buf[start + i]) return false;
  return true;
}

/** A tag's bytes and their whole little-endian 32-bit words, for {@link sameBytes}. */
function tagEntry(bytes: Uint8Array, series: TagSeries, index: number): TagEntry {
  const words = new Int32Array(bytes.length >>> 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < words.length; k++) words[k] = view.getInt32(4 * k, true);
  return { bytes, words, series, index };
}

/**
 * Every run's tag series, fed event by event. The store is pure: readers (io) frame and feed
 * the records, the editor and the CLI read `runs`, and health checks run over it.
 */
export class RunStore {
  private readonly byName = new Map<string, RunData>();
  /** Bumped on every change. */
  version = 0;

  constructor(readonly limits: SeriesLimits = {}) {}

  /** The run, created empty on first use. */
  run(name: string): RunData {
    let run = this.byName.get(name);
    if (!run) {
      run = new RunData(name, this.limits);
      this.byName.set(name, run);
      this.version++;
    }
    return run;
  }

  get(name: string): RunData | undefined {
    return this.byName.get(name);
  }

  /** Runs sorted by name. */
  get runs(): RunData[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Takes a run read elsewhere (a worker thread's RunData, revived), replacing any of the same name. */
  adopt(run: RunData): void {
    this.byName.set(run.name, run);
    this.version++;
  }

  removeRun(name: string): boolean {
    const removed = this.byName.delete(name);
    if (removed) this.version++;
    return removed;
  }

  /** Decodes one record's payload into `runName`; returns what was left out (see RunData.addRecord). Throws ProtoError on a malformed event. */
  addRecord(runName: string, payload: Uint8Array): readonly string[] {
    const skipped = this.run(runName).addRecord(payload);
    this.version++;
    return skipped;
  }

  /** Releases every series' spare capacity (after a one-shot read or a first scan). */
  trim(): void {
    for (const run of this.byName.values()) run.trim();
  }

  applyEvent(runName: string, event: TfEvent): void {
    this.run(runName).applyEvent(event);
    this.version++;
  }
}
