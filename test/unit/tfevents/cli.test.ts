import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tbCommand } from '../../../src/cli/commands/tb';
import { UsageError } from '../../../src/cli/io';
import { inspectLogdir } from '../../../src/io/tfevents/inspect';
import { captureIO } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { FIXTURES, record, scalarEvent, scalarFile } from './helpers';

function fakeIO(signal?: AbortSignal) {
  const cli = captureIO(signal ? { signal } : {});
  const io = {
    get stdout() {
      return cli.stdout();
    },
    get stderr() {
      return cli.stderr();
    },
  };
  return { io, cli };
}

test('tb --json prints one document with runs, tags, findings and corruptions', async () => {
  const { io, cli } = fakeIO();
  assert.equal(await tbCommand.run([`${FIXTURES}/nan_divergence`, '--json'], cli), 0);
  const doc = JSON.parse(io.stdout);
  assert.deepEqual(doc, {
    runs: [
      {
        name: '.',
        files: ['events.out.tfevents.1795407813.vm.397.0'],
        group: '.',
        tags: [
          { tag: 'lr', kind: 'scalar', points: 300, firstStep: 1, lastStep: 300, last: 0.20000000298023224 },
          { tag: 'train/grad_norm', kind: 'scalar', points: 300, firstStep: 1, lastStep: 300, last: 'NaN' },
          { tag: 'train/loss', kind: 'scalar', points: 300, firstStep: 1, lastStep: 300, last: 'NaN' },
        ],
      },
    ],
    findings: [
      { run: '.', tag: 'lr', step: 150, kind: 'lr-step-change', severity: 'warning', message: 'lr jumped from 0.002 to 0.2 at step 150 after being constant: no schedule does that' },
      { run: '.', tag: 'train/grad_norm', step: 5, kind: 'exploding-gradients', severity: 'error', message: 'train/grad_norm exploded to 2.68e+5 at step 5 (98.2x the recent median 2730)' },
      { run: '.', tag: 'train/grad_norm', step: 7, kind: 'non-finite', severity: 'error', message: 'train/grad_norm is Inf at step 7 (294 non-finite of 300 values)' },
      { run: '.', tag: 'train/loss', step: 5, kind: 'divergence', severity: 'error', message: 'train/loss is diverging: rose to 1.74e+6 at step 5 and kept rising (started at 26200)' },
      { run: '.', tag: 'train/loss', step: 8, kind: 'non-finite', severity: 'error', message: 'train/loss is NaN at step 8 (293 non-finite of 300 values)' },
    ],
    corruptions: [],
  });
  // The same document, as modelmon check and the editor get it without the CLI (findings carry severity).
  assert.deepEqual(JSON.parse(JSON.stringify(await inspectLogdir(`${FIXTURES}/nan_divergence`))), doc);
});

test('tb prints a readable table, groups related runs and lists restarts', async () => {
  const { io, cli } = fakeIO();
  assert.equal(await tbCommand.run([`${FIXTURES}/resumed_purge`], cli), 0);
  assert.equal(
    io.stdout,
    [
      '.  (2 files)',
      '  restart at step 400 (purge): 215 earlier points dropped',
      '  tag              kind    points  steps    last',
      '  lr               scalar  28      20..560  0.02',
      '  train/grad_norm  scalar  560     1..560   1.8824',
      '  train/loss       scalar  560     1..560   0.252397',
      '  val/accuracy     scalar  28      20..560  0.864815',
      '  val/loss         scalar  28      20..560  0.39255',
      'loss_compare_train  (2 files)  [add_scalars train of .]',
      '  restart at step 420 (backwards): 5 earlier points dropped',
      '  tag           kind    points  steps    last',
      '  loss_compare  scalar  28      20..560  0.252397',
      'loss_compare_val  (2 files)  [add_scalars val of .]',
      '  restart at step 420 (backwards): 5 earlier points dropped',
      '  tag           kind    points  steps    last',
      '  loss_compare  scalar  28      20..560  0.39255',
      '',
      'findings: none',
      '',
    ].join('\n'),
  );
});

test('damaged logs exit 0 with the corruption listed; unusable arguments throw UsageError', async (t) => {
  const dir = scratchDir('tbcli');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const whole = scalarFile([['loss', 1, 1], ['loss', 2, 2]]);
  writeFileSync(join(dir, 'events.out.tfevents.1'), whole.subarray(0, whole.length - 3));
  const { io, cli } = fakeIO();
  assert.equal(await tbCommand.run([dir, '--json'], cli), 0);
  assert.deepEqual(JSON.parse(io.stdout).corruptions, [
    { file: 'events.out.tfevents.1', offset: whole.length - 42, message: 'file ends mid-record (39 of 42 bytes present); the writer may still be writing it' },
  ]);
  const empty = scratchDir('tbcli');
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  const e = fakeIO();
  assert.equal(await tbCommand.run([empty], e.cli), 0);
  assert.match(e.io.stdout, /^no TensorBoard event files \(names containing 'tfevents'\) under /);
  await assert.rejects(tbCommand.run([join(dir, 'missing')], cli), (err: unknown) => err instanceof UsageError && /does not exist/.test(err.message));
  await assert.rejects(tbCommand.run([], cli), (err: unknown) => err instanceof UsageError && err.message === 'missing <logdir>');
  await assert.rejects(tbCommand.run([dir, '--bogus'], cli), UsageError);
  await assert.rejects(tbCommand.run([dir, '--max-points', '3'], cli), /--max-points must be an integer >= 16, got '3'/);
});

test('tb --follow prints new findings as events arrive and ends on abort', async (t) => {
  const dir = scratchDir('tbcli');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'events.out.tfevents.1');
  writeFileSync(file, scalarFile([['train/loss', 1, 1]]));
  const controller = new AbortController();
  const { io, cli } = fakeIO(controller.signal);
  const running = tbCommand.run([dir, '--follow', '--json'], cli);
  const until = async (predicate: () => boolean) => {
    while (!predicate()) await new Promise((r) => setTimeout(r, 5));
  };
  await until(() => io.stdout.includes('\n'));
  assert.equal(JSON.parse(io.stdout.split('\n')[0]!).findings.length, 0);
  appendFileSync(file, record(scalarEvent('train/loss', 2, NaN)));
  await until(() => io.stdout.split('\n').length > 2);
  assert.deepEqual(JSON.parse(io.stdout.split('\n')[1]!), {
    finding: { run: '.', tag: 'train/loss', step: 2, kind: 'non-finite', severity: 'error', message: 'train/loss is NaN at step 2 (1 non-finite of 2 values)' },
  });
  controller.abort();
  assert.equal(await running, 0);
});

test('tb --json escapes C1 controls from run and tag names, and the document parses back to the real names', async () => {
  const dir = scratchDir('tb-c1');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'run\u009b2J'));
  writeFileSync(join(dir, 'run\u009b2J', 'events.out.tfevents.1.host'), scalarFile([['loss\u009b31m', 1, 1]]));
  const { io, cli } = fakeIO();
  assert.equal(await tbCommand.run([dir, '--json'], cli), 0);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(/[\u0080-\u009f]/.test(io.stdout), false);
  const doc = JSON.parse(io.stdout) as { runs: { name: string; tags: { tag: string }[] }[] };
  assert.equal(doc.runs[0]!.name, 'run\u009b2J');
  assert.equal(doc.runs[0]!.tags[0]!.tag, 'loss\u009b31m');
});
