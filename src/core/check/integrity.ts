import type { VerifyReport } from '../integrity/manifest';
import type { IntegrityFileView, IntegrityView } from '../report/types';
import type { MonitorObservation, RawFinding } from './types';
import { plural } from '../charts/format';

/** A load-safety scan of one checkpoint (the integrity engine's FileScanReport, structurally). */
export interface ScanOutcome {
  /** Relative to the manifest's folder, like the manifest's own paths. */
  readonly path: string;
  readonly verdict: 'safe' | 'suspicious' | 'malformed' | 'dangerous';
  readonly findings: readonly { readonly severity: string; readonly message: string }[];
}

export interface IntegrityObservationInput {
  /** The manifest path as the config names it. */
  readonly manifest: string;
  readonly report: VerifyReport;
  readonly scans: readonly ScanOutcome[];
}

/** A manifest verified once: changed, missing and unexpected checkpoints, and unsafe pickles. */
export function observeIntegrity(input: IntegrityObservationInput): { observation: MonitorObservation; view: IntegrityView } {
  const folder = input.manifest.includes('/') ? input.manifest.slice(0, input.manifest.lastIndexOf('/') + 1) : '';
  // Absolute manifest paths (a sha256sum list may hold them) are shown as written.
  const shown = (p: string) => (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) ? p : folder + p);
  const { report } = input;
  const findings: RawFinding[] = [];
  const files = new Map<string, IntegrityFileView>();
  for (const p of report.unchanged) files.set(p, { path: shown(p), status: 'ok', detail: 'matches the manifest' });
  for (const c of report.changed) {
    const tensors = [
      c.changedTensors.length ? `tensors changed: ${list(c.changedTensors)}` : '',
      c.addedTensors.length ? `added: ${list(c.addedTensors)}` : '',
      c.removedTensors.length ? `removed: ${list(c.removedTensors)}` : '',
    ].filter(Boolean);
    const detail = `sha256 ${c.before.sha256.slice(0, 12)}… is now ${c.after.sha256.slice(0, 12)}…${c.before.size !== c.after.size ? `, size ${c.before.size} → ${c.after.size} bytes` : ''}${tensors.length ? `; ${tensors.join('; ')}` : ''}`;
    files.set(c.path, { path: shown(c.path), status: 'modified', detail });
    findings.push({ kind: 'modified', severity: 'error', message: `${shown(c.path)} changed since the manifest: ${detail}`, subject: shown(c.path), location: { file: shown(c.path) } });
  }
  for (const p of report.missing) {
    files.set(p, { path: shown(p), status: 'missing', detail: 'listed in the manifest but not found' });
    findings.push({ kind: 'missing', severity: 'error', message: `${shown(p)} is in the manifest but missing`, subject: shown(p), location: { file: input.manifest } });
  }
  for (const p of report.added) {
    files.set(p, { path: shown(p), status: 'unexpected', detail: 'a checkpoint the manifest does not list' });
    findings.push({ kind: 'unexpected', severity: 'warning', message: `${shown(p)} is not in the manifest (run modelmon integrity snapshot to accept it)`, subject: shown(p), location: { file: shown(p) } });
  }
  for (const p of report.outside ?? []) {
    files.set(p, { path: shown(p), status: 'error', detail: 'outside the workspace: not read' });
    findings.push({
      kind: 'outside',
      severity: 'error',
      message: `${shown(p)} lies outside the workspace, so it was neither read nor hashed (set "allowOutside": true on the integrity monitor to verify it)`,
      subject: shown(p),
      location: { file: input.manifest },
    });
  }
  for (const scan of input.scans) {
    if (scan.verdict === 'safe') continue;
    // Fail closed, as `integrity scan` does: a file that is not provably safe is an error.
    const severity = 'error';
    const why = scan.findings.map((f) => f.message).slice(0, 3).join('; ') || scan.verdict;
    const previous = files.get(scan.path);
    files.set(scan.path, { path: shown(scan.path), status: scan.verdict === 'malformed' ? 'error' : 'unsafe', detail: previous && previous.status !== 'ok' ? `${previous.detail}; ${why}` : why });
    findings.push({ kind: scan.verdict === 'malformed' ? 'malformed' : 'unsafe', severity, message: `${shown(scan.path)} is ${scan.verdict} to load: ${why}`, subject: shown(scan.path), location: { file: shown(scan.path) } });
  }
  const total = report.unchanged.length + report.changed.length + report.missing.length;
  const bad = report.changed.length + report.missing.length;
  const summary = `${plural(total, 'checkpoint')} in the manifest: ${bad ? `${report.changed.length} modified, ${report.missing.length} missing` : 'all unchanged'}${report.added.length ? `; ${report.added.length} not in the manifest` : ''}`;
  const view: IntegrityView = { manifest: input.manifest, files: [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1)) };
  return {
    observation: {
      findings,
      summary,
      tables: [
        {
          caption: 'Checkpoints',
          columns: ['File', 'Status', 'Detail'],
          rows: view.files.map((f) => [f.path, f.status, f.detail]),
          emphasis: view.files.flatMap((f, i) => (f.status === 'ok' ? [] : [i])),
        },
      ],
    },
    view,
  };
}

function list(names: readonly string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
