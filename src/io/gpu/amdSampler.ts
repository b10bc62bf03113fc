import { classifyAmdFailure } from '../../core/gpu/amdFailures';
import { parseAmdMetricDocument, parseAmdProcesses, parseJsonDocument, type AmdGpuFacts } from '../../core/gpu/amdSmi';
import { JsonDocumentSplitter } from '../../core/gpu/jsonDocuments';
import { LineSplitter } from '../../core/gpu/lines';
import type { GpuSnapshot } from '../../core/gpu/types';
import { runCaptured } from '../childProcess';
import { amdRunFailure, probeAmdGpus, type AmdTool } from './amdProbe';
import type { GpuSamplerStatus } from './gpuSampler';
import { describeExit, SupervisedGpuSampler, type SamplerEvent, type SupervisedSamplerOptions } from './samplerLifecycle';

/**
 * How an `AmdGpuSampler` runs amd-smi or rocm-smi. amd-smi's watch mode counts whole seconds, so it
 * streams at the whole second nearest `intervalMs` (at least 1 s).
 */
export interface AmdGpuSamplerOptions extends SupervisedSamplerOptions {
  readonly tool: AmdTool;
  readonly executable: string;
}

/** The sampler's states: a GpuSampler's, plus polling one process at a time. */
export type AmdSamplerStatus = GpuSamplerStatus | { readonly state: 'polling'; readonly gpuCount: number; readonly reason: string };

export type AmdSamplerEvent = SamplerEvent<AmdSamplerStatus>;

/**
 * Samples AMD GPUs the way `GpuSampler` samples NVIDIA ones, with the same events. amd-smi runs as
 * ONE long-lived `amd-smi metric -w N --json` whose indented documents are split as they arrive;
 * a watch that stays silent from the start (ROCm 7.1.1 prints nothing in that mode) is replaced by
 * one-shot `amd-smi metric --json` polls, one process at a time, as is rocm-smi, which has no
 * watch mode. Exits, crashes and garbage restart with backoff; no permission, no driver and no
 * GPU are reported once and not retried.
 */
export class AmdGpuSampler extends SupervisedGpuSampler<AmdGpuSamplerOptions, AmdSamplerStatus> {
  private facts: ReadonlyMap<number, AmdGpuFacts> | undefined;
  /** Set once a watch proved silent: polling from then on, for this sampler's life. */
  private pollOnly: boolean;

  constructor(options: AmdGpuSamplerOptions) {
    super(options, { name: 'AmdGpuSampler', probeTimeoutMs: 10_000 });
    this.pollOnly = options.tool === 'rocm-smi';
  }

  /** True once sampling has fallen back to (or started with) one-shot polls. */
  get polling(): boolean {
    return this.pollOnly;
  }

  private get tool(): AmdTool {
    return this.options.tool;
  }

  private probe(withFacts: boolean) {
    return this.track(
      probeAmdGpus({
        tool: this.tool,
        executable: this.options.executable,
        ...this.oneOffOptions(),
        ...(this.options.gpuIndex !== undefined ? { gpuIndex: this.options.gpuIndex } : {}),
        ...(withFacts && this.facts ? { facts: this.facts } : {}),
      }),
    );
  }

  protected async cycle(): Promise<void> {
    if (this.disposed) return;
    const gen = ++this.generation;
    this.setStatus({ state: 'starting' });
    const probeStart = Date.now();
    const probe = await this.probe(false);
    if (this.disposed || gen !== this.generation) return;
    if (probe.kind === 'no-gpu') return this.giveUp(probe.message);
    if (probe.kind === 'error') return this.scheduleRestart(probe.message);
    this.facts = probe.facts;
    this.emit({ type: 'snapshot', snapshot: probe.snapshot });
    const gpuCount = probe.snapshot.gpus.length;
    if (this.pollOnly) this.startPolling(gen, gpuCount, `${this.tool} has no JSON watch mode`);
    else this.watch(gen, gpuCount, Date.now() - probeStart);
    if (this.tool === 'amd-smi') this.scheduleComputeApps(gen);
  }

  private keep(gpus: GpuSnapshot['gpus']): GpuSnapshot['gpus'] {
    const i = this.options.gpuIndex;
    return i === undefined || i === 'all' ? gpus : gpus.filter((g) => g.index === i);
  }

  private watch(gen: number, gpuCount: number, probeMs: number): void {
    const seconds = Math.max(1, Math.round(this.options.intervalMs / 1000));
    const child = this.spawnChild(this.options.executable, ['metric', '-w', String(seconds), '--json']);
    let documents = 0;
    let noise = 0;
    let lastGood = Date.now();
    const facts = this.facts ?? new Map<number, AmdGpuFacts>();
    const splitter = new JsonDocumentSplitter(
      (text) => {
        const doc = parseJsonDocument(text, 'amd-smi metric -w');
        const parsed = doc.ok ? parseAmdMetricDocument(doc.value, facts) : doc;
        if (!parsed.ok) {
          if (noise++ === 0) this.emit({ type: 'notice', message: `ignoring unexpected amd-smi output: ${parsed.reason.slice(0, 160)}` });
          return;
        }
        documents++;
        lastGood = Date.now();
        latest = { timeMs: lastGood, gpus: this.keep(parsed.value) };
      },
      (line) => {
        if (noise++ === 0) this.emit({ type: 'notice', message: `ignoring unexpected amd-smi output: ${line.slice(0, 120)}` });
      },
    );
    // Only the newest document of a chunk is sent: a slow listener skips samples, never queues them.
    let latest: GpuSnapshot | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      latest = undefined;
      splitter.push(chunk);
      if (latest && gen === this.generation) this.deliver(latest);
    });
    const err = new LineSplitter();
    let stderrText = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of err.push(chunk)) {
        if (!line.trim() || stderrText.length > 4000) continue;
        stderrText += line + '\n';
        this.emit({ type: 'notice', message: `amd-smi: ${line.slice(0, 200)}` });
      }
    });
    void child.exited.then((exit) => {
      // A child we stopped ourselves was already unset: only an exit of its own is news.
      if (this.child !== child) return;
      this.child = null;
      if (this.disposed || gen !== this.generation) return;
      const known = classifyAmdFailure('amd-smi', stderrText);
      if (known) return this.giveUp(known.message);
      this.scheduleRestart(`amd-smi metric -w ${describeExit(exit)}`);
    });
    if (child.pid !== undefined) this.setStatus({ state: 'running', pid: child.pid, gpuCount, droppedFields: [] });
    this.startWatchdog(seconds * 1000, probeMs, () => lastGood, (silenceMs) => {
      if (documents === 0) {
        // ROCm 7.1.1's watch prints nothing at all; one-shot queries still answer.
        this.pollOnly = true;
        this.liveTimer = null;
        void this.stopChild();
        const reason = `amd-smi metric -w printed nothing for ${(silenceMs / 1000).toFixed(1)} s (a known ROCm 7.1.1 bug); polling amd-smi metric --json instead`;
        this.emit({ type: 'notice', message: reason });
        this.startPolling(gen, gpuCount, reason);
        return;
      }
      this.scheduleRestart(`amd-smi sent no sample for ${(silenceMs / 1000).toFixed(1)} s`);
    });
  }

  /** One one-shot query at a time, each started an interval after the last one started (or at once if it overran). */
  private startPolling(gen: number, gpuCount: number, reason: string): void {
    this.setStatus({ state: 'polling', gpuCount, reason });
    const poll = async () => {
      if (this.disposed || gen !== this.generation) return;
      const began = Date.now();
      const r = await this.probe(true);
      if (this.disposed || gen !== this.generation) return;
      if (r.kind === 'no-gpu') return this.giveUp(r.message);
      if (r.kind === 'error') return this.scheduleRestart(r.message);
      this.deliver(r.snapshot);
      this.liveTimer = setTimeout(() => void poll(), Math.max(0, this.options.intervalMs - (Date.now() - began)));
    };
    this.liveTimer = setTimeout(() => void poll(), this.options.intervalMs);
  }

  /** One chain per cycle: a replaced cycle's chain stops, its late answer unsent. */
  private scheduleComputeApps(gen: number): void {
    this.repeatComputeApps(async () => {
      if (this.disposed || gen !== this.generation) return false;
      const limits = this.oneOffOptions();
      const r = await this.track(runCaptured(this.options.executable, ['process', '--json'], limits));
      if (this.disposed || gen !== this.generation) return false;
      if (!amdRunFailure('amd-smi', this.options.executable, r, limits.timeoutMs, this.aborter.signal)) {
        const apps = parseAmdProcesses(r.stdout, this.facts ?? new Map());
        if (apps.ok) this.emit({ type: 'computeApps', apps: apps.value, timeMs: Date.now() });
      }
      return true;
    });
  }
}
