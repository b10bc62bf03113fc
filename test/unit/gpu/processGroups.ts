// Wrapper scripts that fork (no exec), and /proc checks that nothing of theirs is left.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STAND_IN } from './helpers';

/**
 * Writes an executable wrapper that answers one-off queries through the stand-in (when
 * `probe` is 'answer') and otherwise forks `sleep 1000` without exec, logging "<shell pid>
 * <sleep pid>", and waits: SIGKILL to the shell alone leaves sleep holding the pipes.
 */
export function forkingWrapper(dir: string, name: string, probe: 'answer' | 'hang'): { path: string; log: string } {
  const path = toolPath(dir, name);
  const log = join(dir, `${name}.log`);
  const hang = `sleep 1000 & echo "$$ $!" >> '${log}'; wait`;
  const body = probe === 'hang' ? hang : `case " $* " in\n  *" -lms "*) ${hang} ;;\n  *) exec '${STAND_IN}' "$@" ;;\nesac`;
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return { path, log };
}

/** `<dir>/<name>/nvidia-smi`: the file name is what tells `--smi` which tool it runs. */
function toolPath(dir: string, name: string): string {
  mkdirSync(join(dir, name), { recursive: true });
  return join(dir, name, 'nvidia-smi');
}

/** Each wrapper run so far: the shell (its group's id) and the sleep it forked. */
export function wrapperRuns(log: string): { shell: number; sleep: number }[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [shell, sleep] = l.split(' ').map(Number);
      return { shell: shell!, sleep: sleep! };
    });
}

/** Processes of group `pgid` that are still running (zombies, already dead, do not count). */
export function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so read after its closing parenthesis.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** Resolves once group `pgid` has no running process; rejects naming the survivors after `timeoutMs`. */
export async function waitForGroupGone(pgid: number, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const left = liveGroupMembers(pgid);
    if (!left.length) return;
    if (Date.now() > end) throw new Error(`process group ${pgid} still has ${left.join(', ')} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Kills whatever a failed test left of these wrapper runs. */
export function killLeftovers(log: string): void {
  for (const { shell, sleep } of wrapperRuns(log)) {
    for (const pid of [-shell, shell, sleep]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

/**
 * Writes an nvidia-smi whose one-off queries go to the stand-in and whose `-lms` stream is the
 * stand-in's line for that query, power.draw replaced by a counter, written as fast as the
 * reader takes it for `ms`; then one line with power `final` and silence. With `longLine`, a
 * line of that many characters comes first.
 */
export function fastProducer(dir: string, name: string, options: { ms: number; final: number; longLine?: number }): string {
  const script = join(dir, `${name}.js`);
  writeFileSync(
    script,
    `'use strict';
const { execFileSync } = require('child_process');
const { writeSync } = require('fs');
const argv = process.argv.slice(2);
const at = argv.indexOf('-lms');
if (at < 0) {
  process.stdout.write(execFileSync(${JSON.stringify(STAND_IN)}, argv));
  process.exit(0);
}
const once = argv.filter((_, i) => i !== at && i !== at + 1);
const fields = argv.find((a) => a.startsWith('--query-gpu=')).slice(12).split(',');
const power = fields.indexOf('power.draw');
const cells = execFileSync(${JSON.stringify(STAND_IN)}, once, { encoding: 'utf8' }).trim().split(', ');
const line = (w) => { cells[power] = String(w); return cells.join(', ') + '\\n'; };
// Blocks while the reader is behind; EAGAIN only if the pipe came non-blocking.
const put = (text) => { for (;;) { try { return writeSync(1, text); } catch (e) { if (e.code !== 'EAGAIN') throw e; } } };
${options.longLine ? `put('x'.repeat(${options.longLine}) + '\\n');` : ''}
const end = Date.now() + ${options.ms};
let n = 0;
while (Date.now() < end) {
  let block = '';
  for (let i = 0; i < 100; i++) block += line(++n % 1000);
  put(block);
}
put(line(${options.final}));
setInterval(() => {}, 1 << 30);
`,
  );
  const path = toolPath(dir, name);
  writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" '${script}' "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}
