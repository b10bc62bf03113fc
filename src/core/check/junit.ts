import { isFailing } from './policy';
import type { CheckResult, Finding, MonitorResult } from './types';

/**
 * JUnit XML for CI test-report views: one test case per monitor, failing when any of its findings
 * fails the check. Strict JUnit schemas allow one <failure> per test case, so all failing findings
 * go in that element's text; the rest go to <system-out>.
 */
export function toJUnitXml(result: CheckResult): string {
  const failures = result.monitors.filter((m) => m.failed).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const cases = result.monitors.map((m) => testCase(m, result));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="modelmon check" tests="${result.monitors.length}" failures="${failures}" errors="0" time="${seconds(result.durationMs)}">`,
    `  <testsuite name="${attr(`modelmon check (${result.configPath})`)}" tests="${result.monitors.length}" failures="${failures}" errors="0" skipped="0" time="${seconds(result.durationMs)}" timestamp="${attr(result.startedAt.replace(/\.\d+Z$/, ''))}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');

  function testCase(m: MonitorResult, r: CheckResult): string {
    const failing = m.findings.filter((f) => isFailing(f, r.failOn));
    const others = m.findings.filter((f) => !isFailing(f, r.failOn));
    const open = `    <testcase classname="modelmon.${m.type}" name="${attr(m.name)}" file="${attr(m.target)}" time="${seconds(m.durationMs)}"`;
    const body: string[] = [];
    if (failing.length) {
      const first = failing[0]!;
      const message = failing.length === 1 ? first.message : `${failing.length} findings; first: ${first.message}`;
      body.push(`      <failure type="${attr(first.kind)}" message="${attr(message)}">${text(failing.map(line).join('\n'))}</failure>`);
    }
    const out = [m.summary, ...others.map(line)].join('\n');
    body.push(`      <system-out>${text(out)}</system-out>`);
    return `${open}>\n${body.join('\n')}\n    </testcase>`;
  }
}

function line(f: Finding): string {
  const code = f.location?.code && `${f.location.code.file}:${f.location.code.line}`;
  const where = [f.location?.file && (f.location.line ? `${f.location.file}:${f.location.line}` : f.location.file), f.location?.step !== undefined ? `step ${f.location.step}` : undefined, code]
    .filter(Boolean)
    .join(', ');
  const ack = f.acknowledged !== undefined ? ` (acknowledged: ${f.acknowledged})` : '';
  return `[${f.severity}] ${f.kind}${f.subject ? ` ${f.subject}` : ''}: ${f.message}${where ? ` (${where})` : ''}${ack}`;
}

// XML 1.0 forbids most control characters even when escaped.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** XML character data: characters XML 1.0 forbids become U+FFFD, markup is escaped. */
export function text(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An XML attribute value: as {@link text}, plus quotes and whitespace that attributes would normalise. */
export function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
