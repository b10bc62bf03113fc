import { isFailing } from './policy';
import { countsLine } from './verdict';
import type { CheckResult, Finding, MonitorResult, MonitorTable } from './types';
import { plural } from '../charts/format';

const TYPE_LABEL = { training: 'Training', predictions: 'Predictions', integrity: 'Integrity', gpu: 'GPU', endpoint: 'Endpoint' } as const;
const FOLD_AFTER_ROWS = 12;
/** GitHub refuses comments over 65,536 characters; leave room for a bot's own header. */
export const MARKDOWN_MAX_CHARS = 60_000;

interface Detail {
  readonly tables: boolean;
  readonly findingRows: number;
}

/**
 * Markdown for a PR comment or a CI job summary: the verdict, an overview, then a section per
 * monitor. Over `maxChars` it sheds detail (measured tables first, then finding rows) to fit.
 */
export function toMarkdown(result: CheckResult, maxChars = MARKDOWN_MAX_CHARS): string {
  const levels: Detail[] = [
    { tables: true, findingRows: 50 },
    { tables: false, findingRows: 50 },
    { tables: false, findingRows: 10 },
    { tables: false, findingRows: 0 },
  ];
  let text = '';
  for (const detail of levels) {
    text = render(result, detail);
    if (text.length <= maxChars) return text;
  }
  return text.slice(0, maxChars - 40).replace(/\n[^\n]*$/, '') + '\n\n…(truncated to fit)\n';
}

function render(result: CheckResult, detail: Detail): string {
  const out: string[] = [];
  const verdict = result.verdict === 'pass' ? '✅ passed' : '❌ failed';
  out.push(`## Model Monitor check ${verdict}`, '');
  out.push(`${countsLine(result.counts)} across ${plural(result.monitors.length, 'monitor')} (fails on ${result.failOn}${result.failOn === 'warning' ? ' or error' : ''}); config ${code(result.configPath)}.`, '');
  out.push(table(['Monitor', 'Type', 'Result', 'Summary'], result.monitors.map((m) => [m.name, TYPE_LABEL[m.type], status(m, result), m.summary])), '');
  for (const m of result.monitors) out.push(...section(m, result, detail));
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

function status(m: MonitorResult, r: CheckResult): string {
  if (m.failed) return `❌ ${m.findings.filter((f) => isFailing(f, r.failOn)).length} failing`;
  if (m.findings.length) return `⚠️ ${m.findings.length} noted`;
  return '✅ ok';
}

function section(m: MonitorResult, r: CheckResult, detail: Detail): string[] {
  const out = [`### ${TYPE_LABEL[m.type]}: ${cell(m.name)}`, '', `${code(m.target)}: ${cell(m.summary)}`, ''];
  if (m.driftedFeatures.length) out.push(`Drifted features: ${m.driftedFeatures.map((f) => `**${cell(f)}**`).join(', ')}`, '');
  if (detail.tables) for (const t of m.tables) out.push(...tableSection(t));
  const shown = m.findings.slice(0, detail.findingRows);
  if (shown.length) {
    out.push(
      table(
        ['Severity', 'Kind', 'Subject', 'Finding', 'Where'],
        shown.map((f) => [severityCell(f, r), f.kind, f.subject ?? '', f.message + (f.acknowledged !== undefined ? ` (acknowledged: ${f.acknowledged})` : ''), where(f)]),
      ),
      '',
    );
  }
  if (m.findings.length > shown.length) out.push(`…and ${plural(m.findings.length - shown.length, 'more finding')}.`, '');
  if (!m.findings.length) out.push('No findings.', '');
  return out;
}

/** Long tables fold away (GitHub renders <details>), so a PR comment stays readable. */
function tableSection(t: MonitorTable): string[] {
  const emphasis = new Set(t.emphasis ?? []);
  const body = table(t.columns, t.rows, emphasis);
  if (t.rows.length <= FOLD_AFTER_ROWS) return [`**${cell(t.caption)}**`, '', body, ''];
  return ['<details>', `<summary>${cell(t.caption)} (${t.rows.length} rows)</summary>`, '', body, '', '</details>', ''];
}

function severityCell(f: Finding, r: CheckResult): string {
  if (f.acknowledged !== undefined) return `${f.severity} (ack)`;
  return isFailing(f, r.failOn) ? `**${f.severity}**` : f.severity;
}

/** Where a finding points (`train.log:12, step 300`), as both the Markdown and HTML reports show it. */
export function where(f: Finding): string {
  const parts: string[] = [];
  if (f.location?.file) parts.push(f.location.line ? `${f.location.file}:${f.location.line}` : f.location.file);
  if (f.location?.step !== undefined) parts.push(`step ${f.location.step}`);
  if (f.location?.code) parts.push(`${f.location.code.file}:${f.location.code.line}`);
  return parts.join(', ');
}

/** A Markdown table; rows in `emphasis` are bold. Cells are plain text (escaped here). */
export function table(columns: readonly string[], rows: readonly (readonly string[])[], emphasis: ReadonlySet<number> = new Set()): string {
  const head = `| ${columns.map(cell).join(' | ')} |`;
  const rule = `| ${columns.map(() => '---').join(' | ')} |`;
  const strong = (text: string, on: boolean) => (on && text ? `**${text}**` : text);
  return [head, rule, ...rows.map((r, k) => `| ${columns.map((_, i) => strong(cell(r[i] ?? ''), emphasis.has(k))).join(' | ')} |`)].join('\n');
}

// Control characters (ESC, BEL, ...) and line breaks: data must neither reach a terminal raw nor break a table row.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Data-derived text (column names, categories, messages) as inline Markdown that renders as
 * itself: no HTML (`<`, `>` and entity-like `&` escaped), no code spans, emphasis, links or images
 * (`` ` ``, `*`, `[`, `]`, `~` backslash-escaped), pipes escaped for tables, all on one line.
 */
export function cell(s: string): string {
  return s
    .replace(/\r\n|[\r\n]/g, ' ')
    .replace(CONTROL, '\uFFFD')
    .replace(/[\\`*[\]|~]/g, '\\$&')
    .replace(/&(?=#?[0-9A-Za-z]+;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A code span holding `s` verbatim, whatever backticks it contains (CommonMark: a longer fence). */
export function code(s: string): string {
  const text = s.replace(/\r\n|[\r\n]/g, ' ').replace(CONTROL, '\uFFFD');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
