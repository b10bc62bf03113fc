import type { Finding, Severity, Verdict } from './findings';
import { worseVerdict } from './findings';
import { analyzePickle, type CallOpcode, type PickleAnalysis } from './pickle';
import { classifyGlobal, type GlobalSafety } from './pickle-policy';

/** An imported global with its classification and how it is used. */
export interface ClassifiedImport {
  readonly module: string;
  readonly name: string;
  readonly safety: GlobalSafety;
  readonly reason: string;
  /** The opcodes that imported it (GLOBAL, STACK_GLOBAL, INST, EXT). */
  readonly via: readonly string[];
  /** The opcodes that call it (REDUCE, OBJ, INST, NEWOBJ...); empty when only imported. */
  readonly calledBy: readonly CallOpcode[];
}

/** The outcome of scanning one pickle (or a stream of them). */
export interface PickleScanResult {
  readonly verdict: Verdict;
  readonly findings: readonly Finding[];
  readonly imports: readonly ClassifiedImport[];
  /** One analysis per pickle read, in order. */
  readonly analyses: readonly PickleAnalysis[];
}

const SEVERITY: Record<GlobalSafety, Severity> = { safe: 'info', suspicious: 'medium', dangerous: 'critical' };

/**
 * Scans pickles without executing them: lists every imported global, classifies it, and turns
 * parse failures into a `malformed` verdict. `label` prefixes messages (e.g. a zip entry name).
 */
export class PickleScanner {
  private readonly findings: Finding[] = [];
  private readonly imports = new Map<string, { module: string; name: string; via: Set<string>; calledBy: Set<CallOpcode>; sources: Set<string> }>();
  private readonly analyses: PickleAnalysis[] = [];
  private verdict: Verdict = 'safe';

  /** Scans one pickle that starts at `start` of `bytes`; returns its analysis. */
  scan(bytes: Uint8Array, start = 0, label = ''): PickleAnalysis {
    return this.record(analyzePickle(bytes, start), label);
  }

  /** Takes in a pickle already analysed: its imports, calls and any failure. */
  record(analysis: PickleAnalysis, label = ''): PickleAnalysis {
    this.analyses.push(analysis);
    const where = label ? `${label}: ` : '';
    for (const imp of analysis.imports) {
      const e = this.entry(imp.module, imp.name);
      e.via.add(imp.opcode);
      if (label) e.sources.add(label);
    }
    for (const c of analysis.calls) {
      if (c.callee) this.entry(c.callee.module, c.callee.name).calledBy.add(c.opcode);
      else this.add('suspicious', 'medium', `${where}${c.opcode} at byte ${c.offset} calls a computed value, not an imported global`);
    }
    if (analysis.error?.kind === 'budget') this.add('malformed', 'high', `${where}not fully scanned: ${analysis.error.message}; what follows could run code`);
    else if (analysis.error) this.add('malformed', 'high', `${where}malformed pickle: ${analysis.error.message}`);
    return analysis;
  }

  /** Records a finding that does not come from the pickle itself (e.g. a container problem). */
  add(verdict: Verdict, severity: Severity, message: string): void {
    this.verdict = worseVerdict(this.verdict, verdict);
    this.findings.push({ severity, message });
  }

  /** The verdict and findings so far: one finding per distinct non-safe global, worst first. */
  result(): PickleScanResult {
    const imports: ClassifiedImport[] = [];
    const globalFindings: Finding[] = [];
    for (const e of this.imports.values()) {
      const { safety, reason } =
        e.module === ''
          ? { safety: 'dangerous' as const, reason: 'STACK_GLOBAL on computed names: the import target cannot be checked' }
          : e.via.has('EXT')
            ? { safety: 'suspicious' as const, reason: 'a copyreg extension code, resolved only at load time' }
            : classifyGlobal(e.module, e.name);
      imports.push({ module: e.module, name: e.name, safety, reason, via: [...e.via], calledBy: [...e.calledBy] });
      if (safety === 'safe') continue;
      this.verdict = worseVerdict(this.verdict, safety);
      const label = e.module ? `${e.module}.${e.name}` : '<computed global>';
      const use = e.calledBy.size ? `imported by ${[...e.via].join('/')} and called by ${[...e.calledBy].join('/')}` : `imported by ${[...e.via].join('/')}`;
      const where = e.sources.size ? ` in ${[...e.sources].join(', ')}` : '';
      globalFindings.push({ severity: SEVERITY[safety], message: `${safety} global ${label} (${use})${where}: ${reason}` });
    }
    const order: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
    const findings = [...globalFindings, ...this.findings].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
    return { verdict: this.verdict, findings, imports, analyses: this.analyses };
  }

  private entry(module: string, name: string) {
    const key = `${module}\n${name}`;
    let e = this.imports.get(key);
    if (!e) this.imports.set(key, (e = { module, name, via: new Set(), calledBy: new Set(), sources: new Set() }));
    return e;
  }
}

/** Scans a single pickle held in memory (a .pkl file, a data.pkl entry). */
export function scanPickle(bytes: Uint8Array): PickleScanResult {
  const scanner = new PickleScanner();
  scanner.scan(bytes);
  return scanner.result();
}
