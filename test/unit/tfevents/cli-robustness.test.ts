import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { scalarFile } from './helpers';

test('tb skips event-file links to a FIFO or to nothing, and still reads the real file', { skip: process.platform === 'win32' }, async () => {
  const dir = scratchDir('tb-links');
  try {
    mkdirSync(join(dir, 'logs', 'run'), { recursive: true });
    writeFileSync(join(dir, 'logs', 'run', 'events.out.tfevents.1.host'), scalarFile([['loss', 0, 1], ['loss', 1, 0.5]]));
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    symlinkSync(join(dir, 'pipe'), join(dir, 'logs', 'run', 'events.out.tfevents.2.host'));
    symlinkSync(join(dir, 'absent'), join(dir, 'logs', 'run', 'events.out.tfevents.3.host'));
    const r = await runCli(['tb', 'logs', '--json'], '', dir);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out);
    assert.deepEqual(out.runs.map((run: { files: string[] }) => run.files), [['run/events.out.tfevents.1.host']]);
    assert.deepEqual(out.corruptions, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tb given a FIFO as the logdir says it is neither a directory nor an event file', { skip: process.platform === 'win32' }, async () => {
  const dir = scratchDir('tb-fifo');
  try {
    execFileSync('mkfifo', [join(dir, 'events.out.tfevents.fifo')]);
    const r = await runCli(['tb', 'events.out.tfevents.fifo'], '', dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /^modelmon tb: log directory '.*events\.out\.tfevents\.fifo' is not a directory or event file\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tb text output replaces control characters in tag names from the event file', async () => {
  const dir = scratchDir('tb-escape');
  try {
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, 'run', 'events.out.tfevents.1.host'), scalarFile([['lo\u001b]0;pwned\u0007ss', 0, 1]]));
    const r = await runCli(['tb', '.'], '', dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ {2}lo\?\]0;pwned\?ss +scalar +1 +0\.\.0 +1$/m);
    assert.doesNotMatch(r.out, /[\u001b\u0007]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
