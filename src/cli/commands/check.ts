import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { countsLine, isFailing, toGithubAnnotations, toJUnitXml, toMarkdown, withCodeSites, type CheckResult } from '../../core/check';
import { formatProblem, type FailOn } from '../../core/config';
import { printable, terminalJson } from '../../core/terminalText';
import { ConfigError, findConfig, runChecks } from '../../io/check';
import { findRepositoryRoot, scanWorkspaceScripts } from '../../io/tagSites/workspaceScripts';
import { EXIT_USAGE, UsageError, type CliCommand, type CliIO } from '../io';

const USAGE = `usage: modelmon check [--config modelmon.json] [--json] [--junit FILE] [--markdown FILE] [--annotations github] [--fail-on warning|error]

Runs every monitor in modelmon.json once: TensorBoard runs, prediction logs against their
references, checkpoint manifests and (when enabled) one GPU sample.

  --config FILE         the config (default: modelmon.json here or in a parent directory)
  --json                print the whole result as JSON instead of text
  --junit FILE          also write JUnit XML (one test case per monitor)
  --markdown FILE       also write a Markdown summary (for PR comments and CI job summaries; - for stdout)
  --annotations github  also print a GitHub Actions annotation (::error file=...,line=...::) for each
                        training finding, on the line of the script that logs its tag
  --fail-on LEVEL       warning or error: the least severity that fails (default: the config's failOn)

A training finding is tied to the scripts (*.py under the config's folder) whose SummaryWriter,
TensorBoardLogger, tf.summary.create_file_writer or Keras TensorBoard callback writes its run;
a script tied to no run at all matches by tag name. JUnit and Markdown show that file:line.

In GitHub Actions, --markdown "$GITHUB_STEP_SUMMARY" puts the summary on the run's page.

exit status: 0 healthy, 1 a finding at or above --fail-on, 2 a usage or config error`;

export const checkCommand: CliCommand = {
  name: 'check',
  usage: USAGE,
  async run(args, io) {
    const { values } = parse(args);
    const failOn = values['fail-on'];
    if (failOn !== undefined && failOn !== 'warning' && failOn !== 'error') {
      throw new UsageError(`--fail-on must be "warning" or "error", not "${failOn}"`);
    }
    const annotations = values.annotations;
    if (annotations !== undefined && annotations !== 'github') throw new UsageError(`--annotations must be "github", not "${annotations}"`);
    if (annotations && (values.json || values.markdown === '-')) throw new UsageError('--annotations prints to stdout: it cannot be combined with --json or --markdown -');
    for (const target of [values.junit, values.markdown]) if (target && target !== '-') checkOutputTarget(resolve(io.cwd, target), target);
    const located = locateConfig(values.config, io);
    let result: CheckResult;
    try {
      result = await runChecks(located.path, {
        displayPath: located.display,
        signal: io.signal,
        env: io.env,
        ...(failOn ? { failOn: failOn as FailOn } : {}),
      });
    } catch (error) {
      if (error instanceof ConfigError) return reportConfigError(error, io);
      throw error;
    }
    // Monitors cut short by a signal report it as a finding: an interrupted run must not pass for a verdict.
    io.signal.throwIfAborted();
    const configDir = dirname(located.path);
    result = tieToCode(result, configDir);
    if (values.junit) writeOutput(resolve(io.cwd, values.junit), toJUnitXml(result));
    const markdown = values.markdown;
    if (markdown && markdown !== '-') writeOutput(resolve(io.cwd, markdown), toMarkdown(result));
    // Names, messages and categories come from the data: no escape sequence of theirs reaches the terminal.
    if (values.json) io.out(terminalJson(JSON.stringify(result, null, 2)) + '\n');
    else if (markdown === '-') io.out(toMarkdown(result));
    else {
      if (annotations) {
        const repository = findRepositoryRoot(configDir) ?? configDir;
        const lines = toGithubAnnotations(result, relative(repository, configDir).split(sep).join('/'));
        if (lines.length) io.out(printable(lines.join('\n') + '\n'));
      }
      io.out(printable(textSummary(result)));
    }
    return result.exitCode;
  },
};

/** Training findings gain the line of the script that logs their tag (scripts under the config's folder). */
export function tieToCode(result: CheckResult, configDir: string): CheckResult {
  const tagged = result.monitors.some((m) => m.type === 'training' && m.findings.some((f) => f.location?.tag !== undefined));
  return tagged ? withCodeSites(result, scanWorkspaceScripts(configDir), configDir) : result;
}

/** CI jobs name report files in folders that do not exist yet (reports/junit.xml). */
function writeOutput(file: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'it is a folder' : code === 'EEXIST' || code === 'ENOTDIR' ? 'a file stands where a folder should' : (code ?? String(error));
    throw new UsageError(`cannot write ${file}: ${why}`);
  }
}

/** Refuses a folder, and a FIFO (a synchronous write would wait for a reader with signals blocked), before any work. */
export function checkOutputTarget(file: string, given: string): void {
  let info;
  try {
    info = statSync(file);
  } catch {
    return; // absent (or under a file): writeOutput creates it or says why not
  }
  if (info.isDirectory()) throw new UsageError(`cannot write ${given}: it is a folder`);
  if (info.isFIFO()) throw new UsageError(`cannot write ${given}: it is a FIFO`);
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        junit: { type: 'string' },
        markdown: { type: 'string' },
        annotations: { type: 'string' },
        'fail-on': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The config to use and how to name it in messages (relative to the working directory). */
export function locateConfig(given: string | undefined, io: CliIO): { path: string; display: string } {
  const path = given !== undefined ? resolve(io.cwd, given) : findConfig(io.cwd);
  if (!path) throw new UsageError(`no modelmon.json in ${io.cwd} or its parents; pass --config FILE`);
  const rel = relative(io.cwd, path);
  return { path, display: rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path };
}

export function reportConfigError(error: ConfigError, io: CliIO): number {
  // Keys and values quoted from the config reach the terminal too.
  for (const p of error.problems) io.err(printable(formatProblem(error.displayPath, p)) + '\n');
  return EXIT_USAGE;
}

const MARK = { pass: 'PASS', fail: 'FAIL', note: 'NOTE' } as const;

function textSummary(result: CheckResult): string {
  const lines: string[] = [];
  for (const m of result.monitors) {
    const mark = m.failed ? MARK.fail : m.findings.length ? MARK.note : MARK.pass;
    lines.push(`${mark}  ${m.type} ${m.name} (${m.target}): ${m.summary}`);
    for (const f of m.findings) {
      const flag = isFailing(f, result.failOn) ? '  x' : '  -';
      const ack = f.acknowledged !== undefined ? ` [acknowledged: ${f.acknowledged}]` : '';
      const where = f.location?.file ? ` (${f.location.file}${f.location.line ? `:${f.location.line}` : ''}${f.location.step !== undefined ? ` step ${f.location.step}` : ''})` : f.location?.step !== undefined ? ` (step ${f.location.step})` : '';
      lines.push(`${flag} ${f.severity} ${f.kind}${f.subject ? ` ${f.subject}` : ''}: ${f.message}${where}${ack}`);
    }
  }
  lines.push('', `${result.verdict === 'pass' ? 'passed' : 'failed'}: ${countsLine(result.counts)} (fails on ${result.failOn})`);
  return lines.join('\n') + '\n';
}
