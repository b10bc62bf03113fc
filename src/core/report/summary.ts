import { countsLine, isFailing, where, type CheckResult, type Finding, type MonitorResult, type MonitorTable } from '../check';
import { escapeHtml as h } from '../../protocol';
import type { IntegrityView } from './types';

const TYPE_LABEL = { training: 'Training', predictions: 'Predictions', integrity: 'Integrity', gpu: 'GPU', endpoint: 'Endpoint' } as const;
const MAX_FINDINGS = 200;

/** The report's verdict, monitor overview, findings, measured tables and integrity state, as HTML. */
export function summaryHtml(
  result: CheckResult,
  title: string,
  generatedAt: string,
  integrity: readonly { name: string; view: IntegrityView }[],
  /** The dashboards draw the drift tables themselves; the static page needs them here. */
  withDriftTables: boolean,
): string {
  const pass = result.verdict === 'pass';
  const out: string[] = [];
  out.push(`<header><h1>${h(title)}</h1>`);
  out.push(
    `<p class="mm-meta"><span class="mm-verdict ${pass ? 'mm-pass' : 'mm-fail'}" data-verdict="${result.verdict}">${pass ? 'passed' : 'failed'}</span> ${h(countsLine(result.counts))}; fails on ${h(result.failOn)}; generated ${h(generatedAt)} from <code>${h(result.configPath)}</code></p></header>`,
  );
  out.push('<h2>Monitors</h2>');
  out.push(
    table(
      ['Monitor', 'Type', 'Watches', 'Result', 'Summary'],
      result.monitors.map((m) => [h(m.name), TYPE_LABEL[m.type], `<code>${h(m.target)}</code>`, status(m), h(m.summary)]),
    ),
  );
  const findings = result.monitors.flatMap((m) => m.findings);
  out.push(`<h2>Findings (${findings.length})</h2>`);
  if (findings.length) {
    out.push(
      table(
        ['Severity', 'Monitor', 'Kind', 'Subject', 'Finding', 'Where'],
        findings.slice(0, MAX_FINDINGS).map((f) => [severity(f, result), h(f.monitor), h(f.kind), h(f.subject ?? ''), h(f.message) + ack(f), h(where(f))]),
      ),
    );
    if (findings.length > MAX_FINDINGS) out.push(`<p class="mm-meta">…and ${findings.length - MAX_FINDINGS} more.</p>`);
  } else {
    out.push('<p>No findings.</p>');
  }
  // Training runs and GPUs have their own charts; prediction logs keep their drift tables here.
  const measured = withDriftTables ? result.monitors.filter((m) => m.tables.length && m.type === 'predictions') : [];
  for (const m of measured) {
    out.push(`<h3>${TYPE_LABEL[m.type]}: ${h(m.name)}</h3>`);
    if (m.driftedFeatures.length) out.push(`<p>Drifted features: ${m.driftedFeatures.map((f) => `<strong>${h(f)}</strong>`).join(', ')}</p>`);
    for (const t of m.tables) out.push(tableOf(t));
  }
  if (integrity.length) {
    out.push('<h2>Integrity</h2>');
    for (const { name, view } of integrity) {
      out.push(`<h3>${h(name)} <span class="mm-meta">(<code>${h(view.manifest)}</code>)</span></h3>`);
      out.push(
        table(
          ['File', 'Status', 'Detail'],
          view.files.map((f) => [`<code>${h(f.path)}</code>`, `<span class="${f.status === 'ok' ? 'mm-status-ok' : 'mm-status-bad'}">${h(f.status)}</span>`, h(f.detail)]),
        ),
      );
    }
  }
  return out.join('\n');
}

function status(m: MonitorResult): string {
  if (m.failed) return '<span class="mm-status-bad">failed</span>';
  if (!m.findings.length) return '<span class="mm-status-ok">ok</span>';
  // Acknowledged findings are counted apart: "1 acknowledged" must not read like "1 noted".
  const acknowledged = m.findings.filter((f) => f.acknowledged !== undefined).length;
  const open = m.findings.length - acknowledged;
  const parts = [open ? `<span class="mm-sev-info">${open} noted</span>` : '', acknowledged ? `<span class="mm-ack">${acknowledged} acknowledged</span>` : ''];
  return parts.filter(Boolean).join(', ');
}

function severity(f: Finding, r: CheckResult): string {
  const label = isFailing(f, r.failOn) ? f.severity : f.acknowledged !== undefined ? `${f.severity} (acknowledged)` : f.severity;
  return `<span class="mm-sev-${f.severity}">${h(label)}</span>`;
}

const ack = (f: Finding) => (f.acknowledged !== undefined ? ` <em>(acknowledged: ${h(f.acknowledged)})</em>` : '');

function tableOf(t: MonitorTable): string {
  const emphasis = new Set(t.emphasis ?? []);
  const rows = t.rows.map((r, k) => t.columns.map((_, i) => (emphasis.has(k) ? `<strong>${h(r[i] ?? '')}</strong>` : h(r[i] ?? ''))));
  return `<p><strong>${h(t.caption)}</strong></p>` + table(t.columns.map(h), rows);
}

/** Cells are HTML already (escaped by the caller). */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${head.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}
