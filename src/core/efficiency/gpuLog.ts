import { parseSmiTimestamp } from '../gpu/timestamp';
import { isAbsent, MAX_LINE_LENGTH } from '../gpu/parse';
import { GpuHistory } from './history';
import { gpuKey, type GpuSample } from './types';

/** What a GPU log was recorded as. */
export type GpuLogFormat = 'nvidia-smi' | 'modelmon-json' | 'modelmon-record';

/** A line that was not a sample, with why. */
export interface GpuLogProblem {
  readonly line: number;
  readonly message: string;
}

export interface GpuLogOptions {
  /**
   * nvidia-smi writes its `timestamp` in the machine's local time with no zone: this turns the
   * time read as if it were UTC into real UTC (the io side passes the local zone). Default: UTC.
   */
  readonly smiLocalToUtc?: (msAsIfUtc: number) => number;
  /** Field names of a `noheader` nvidia-smi log, as given to `--query-gpu`. */
  readonly smiFields?: readonly string[];
  /** The host the samples are from; '' for this machine. */
  readonly host?: string;
  readonly maxSamplesPerGpu?: number;
}

/** Problems kept word for word; past this only counted. */
const MAX_PROBLEMS = 20;

/** The first line of a compact record (`modelmon gpu --record`). */
export const RECORD_HEADER = '#modelmon-gpu-history v1';

/** The nvidia-smi columns efficiency reads, by the names a header or `--query-gpu` gives them. */
const SMI_COLUMNS: Readonly<Record<string, SmiColumn>> = {
  timestamp: 'timestamp',
  index: 'index',
  uuid: 'uuid',
  'utilization.gpu': 'utilization',
  'memory.used': 'memoryUsed',
  'memory.total': 'memoryTotal',
  'power.draw': 'power',
  'power.draw.instant': 'power',
  'power.draw.average': 'powerAverage',
};
type SmiColumn = 'timestamp' | 'index' | 'uuid' | 'utilization' | 'memoryUsed' | 'memoryTotal' | 'power' | 'powerAverage';

/**
 * Reads a GPU log line by line into a bounded {@link GpuHistory}, telling its format from its first
 * line: nvidia-smi's `--query-gpu=timestamp,... --format=csv -l N` / `-lms N` (its header names the
 * columns; `noheader` logs need `smiFields`), `modelmon gpu --json` lines, or a compact record.
 * Lines that are not samples are counted and the first few kept with their line numbers.
 *
 * @example
 * const log = new GpuLogReader();
 * for (const line of text.split('\n')) log.line(line);
 * log.history.size; log.problems;
 */
export class GpuLogReader {
  readonly history: GpuHistory;
  readonly problems: GpuLogProblem[] = [];
  problemCount = 0;
  samples = 0;
  format: GpuLogFormat | null = null;
  private lineNo = 0;
  private columns: Partial<Record<SmiColumn, number>> | null = null;
  private columnCount = 0;
  private recordGpus: Array<{ gpu: string; index: number; host: string; total: number | null }> = [];

  constructor(private readonly options: GpuLogOptions = {}) {
    this.history = new GpuHistory(options.maxSamplesPerGpu !== undefined ? { maxSamplesPerGpu: options.maxSamplesPerGpu } : {});
    if (options.smiFields) this.useSmiColumns(options.smiFields, 0);
  }

  /** Reads one line (without its line break); `lineNo` when the caller counts lines itself. */
  line(raw: string, lineNo?: number): void {
    this.lineNo = lineNo ?? this.lineNo + 1;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    if (text.length > MAX_LINE_LENGTH) return this.problem(`line of ${text.length} characters is not a sample`);
    if (this.format === null) this.format = text.startsWith('#modelmon-gpu-history') ? 'modelmon-record' : text.trimStart().startsWith('{') ? 'modelmon-json' : 'nvidia-smi';
    if (this.format === 'modelmon-record') this.recordLine(text);
    else if (this.format === 'modelmon-json') this.jsonLine(text);
    else this.smiLine(text);
  }

  /** Everything so far in one sentence, for the CLI: `2372 samples (nvidia-smi log); 1 line not a sample: line 7: ...`. */
  describe(): string {
    const head = `${this.samples} sample${this.samples === 1 ? '' : 's'} (${this.format ?? 'empty'} log)`;
    if (!this.problemCount) return head;
    const first = this.problems[0]!;
    return `${head}; ${this.problemCount} line${this.problemCount === 1 ? '' : 's'} not a sample, first at line ${first.line}: ${first.message}`;
  }

  private add(s: GpuSample): void {
    this.history.add(s);
    this.samples++;
  }

  /** Counts a line the caller could not pass on (one too long to read, say). */
  note(problem: GpuLogProblem): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(problem);
  }

  private problem(message: string): void {
    this.note({ line: this.lineNo, message });
  }

  private useSmiColumns(names: readonly string[], line: number): boolean {
    const columns: Partial<Record<SmiColumn, number>> = {};
    names.forEach((name, i) => {
      const bare = name.trim().replace(/\s*\[[^\]]*\]$/, '');
      const col = SMI_COLUMNS[bare];
      if (col && columns[col] === undefined) columns[col] = i;
    });
    const missing = (['timestamp', 'index'] as const).filter((c) => columns[c] === undefined);
    if (missing.length) {
      this.problem(`${line ? 'the header' : 'the field list'} has no ${missing.join(' or ')} column: record with --query-gpu=timestamp,index,uuid,utilization.gpu,memory.used,memory.total,power.draw`);
      return false;
    }
    this.columns = columns;
    this.columnCount = names.length;
    return true;
  }

  private smiLine(text: string): void {
    const cells = text.split(',').map((c) => c.trim());
    if (cells[0] === 'timestamp' || (cells.includes('index') && !/^\d/.test(cells[0] ?? ''))) {
      // A header: nvidia-smi repeats it when the log was appended to by a second `-l` run.
      this.useSmiColumns(cells, this.lineNo);
      return;
    }
    const c = this.columns;
    if (!c) return this.problem('no header line before the first sample: record with --format=csv (with the header), or name the fields');
    if (cells.length !== this.columnCount) return this.problem(`expected ${this.columnCount} fields, got ${cells.length}`);
    const stamp = parseSmiTimestamp(cells[c.timestamp!]!);
    if (stamp === null) return this.problem(`timestamp "${cells[c.timestamp!]!.slice(0, 40)}" is not nvidia-smi's YYYY/MM/DD HH:MM:SS.mmm`);
    const index = Number(cells[c.index!]);
    if (!/^\d+$/.test(cells[c.index!]!)) return this.problem(`GPU index "${cells[c.index!]!.slice(0, 20)}" is not a number`);
    const cell = (col: SmiColumn) => (c[col] === undefined ? null : numberIn(cells[c[col]!]!));
    const uuid = c.uuid === undefined || isAbsent(cells[c.uuid]!) ? null : cells[c.uuid]!;
    this.add({
      timeMs: (this.options.smiLocalToUtc ?? identity)(stamp),
      gpu: gpuKey(uuid, index),
      index,
      host: this.options.host ?? '',
      utilizationGpu: cell('utilization'),
      memoryUsedMiB: cell('memoryUsed'),
      memoryTotalMiB: cell('memoryTotal'),
      powerW: cell('power') ?? cell('powerAverage'),
    });
  }

  private jsonLine(text: string): void {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return this.problem('not a JSON object');
    }
    if (!isObject(doc) || typeof doc.ts !== 'string' || !Array.isArray(doc.gpus)) return this.problem('not a modelmon gpu --json sample (no "ts" and "gpus")');
    const timeMs = Date.parse(doc.ts);
    if (!Number.isFinite(timeMs)) return this.problem(`"ts" ${JSON.stringify(doc.ts).slice(0, 40)} is not an ISO time`);
    for (const g of doc.gpus) {
      if (!isObject(g) || typeof g.index !== 'number') {
        this.problem('a GPU without an "index"');
        continue;
      }
      const uuid = typeof g.uuid === 'string' ? g.uuid : null;
      this.add({
        timeMs,
        gpu: gpuKey(uuid, g.index),
        index: g.index,
        host: typeof g.host === 'string' ? g.host : (this.options.host ?? ''),
        utilizationGpu: finiteOrNull(g.utilizationGpu),
        memoryUsedMiB: finiteOrNull(g.memoryUsedMiB),
        memoryTotalMiB: finiteOrNull(g.memoryTotalMiB),
        powerW: finiteOrNull(g.powerW),
      });
    }
  }

  /**
   * The compact record: `g <n> <index> <key> <host|-> <totalMiB|->` declares GPU n, and
   * `<n> <timeMs> <util|-> <usedMiB|-> <powerW|->` is one sample of it. Each writing session
   * starts with the header, which restarts the numbering.
   */
  private recordLine(text: string): void {
    if (text.startsWith('#')) {
      if (text.startsWith('#modelmon-gpu-history')) {
        if (text.trim() !== RECORD_HEADER) return this.problem(`unknown record version "${text.trim().slice(0, 40)}"`);
        this.recordGpus = [];
      }
      return;
    }
    const cells = text.split(' ');
    if (cells[0] === 'g') {
      const n = Number(cells[1]);
      const index = Number(cells[2]);
      if (cells.length !== 6 || !Number.isInteger(n) || n < 0 || n > 4096 || !Number.isInteger(index)) return this.problem('a GPU line is "g <n> <index> <id> <host> <memory total>"');
      this.recordGpus[n] = { gpu: cells[3]!, index, host: cells[4] === '-' ? '' : decodeURIComponent(cells[4]!), total: dash(cells[5]!) };
      return;
    }
    if (cells.length !== 5) return this.problem(`expected 5 fields in a sample line, got ${cells.length}`);
    const g = this.recordGpus[Number(cells[0])];
    if (!g) return this.problem(`GPU ${cells[0]!.slice(0, 10)} was not declared by a "g" line`);
    const timeMs = Number(cells[1]);
    if (!Number.isFinite(timeMs)) return this.problem(`time "${cells[1]!.slice(0, 20)}" is not milliseconds`);
    this.add({ timeMs, gpu: g.gpu, index: g.index, host: g.host, utilizationGpu: dash(cells[2]!), memoryUsedMiB: dash(cells[3]!), memoryTotalMiB: g.total, powerW: dash(cells[4]!) });
  }
}

/**
 * Turns samples into compact record lines, declaring each GPU (and a change of its memory total)
 * before its first sample. One writer per writing session; its first line is the header.
 */
export class GpuRecordWriter {
  private readonly numbers = new Map<string, { n: number; total: number | null }>();
  private started = false;

  lines(samples: readonly GpuSample[]): string[] {
    const out: string[] = [];
    if (!this.started) {
      out.push(RECORD_HEADER);
      this.started = true;
    }
    for (const s of samples) {
      const key = `${s.host}\u0000${s.gpu}`;
      let known = this.numbers.get(key);
      if (!known || known.total !== s.memoryTotalMiB) {
        const n = known?.n ?? this.numbers.size;
        known = { n, total: s.memoryTotalMiB };
        this.numbers.set(key, known);
        out.push(`g ${n} ${s.index} ${s.gpu.replace(/\s/g, '_')} ${s.host ? encodeURIComponent(s.host) : '-'} ${num(s.memoryTotalMiB)}`);
      }
      out.push(`${known.n} ${Math.round(s.timeMs)} ${num(s.utilizationGpu)} ${num(s.memoryUsedMiB)} ${num(s.powerW)}`);
    }
    return out;
  }
}

/** A number cell of nvidia-smi (`81559 MiB`, `121.91 W`, `0 %`, `[N/A]`), null when absent or not a number. */
function numberIn(text: string): number | null {
  if (isAbsent(text)) return null;
  const m = /^(-?\d+(?:\.\d+)?)(?:\s*(?:%|MiB|W))?$/.exec(text);
  return m ? Number(m[1]) : null;
}

function dash(text: string): number | null {
  if (text === '-') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

const num = (v: number | null) => (v === null || !Number.isFinite(v) ? '-' : String(Math.round(v * 100) / 100));
const identity = (t: number) => t;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finiteOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
