import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { escapeData, escapeProperty, toGithubAnnotations, type CheckResult } from '../../../src/core/check';
import { findRepositoryRoot, scanWorkspaceScripts } from '../../../src/io/tagSites/workspaceScripts';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { findAll, parseXml } from './xml';

const scratch: string[] = [];
test.after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('on examples/, annotations land on train.py for its run only, none for runs no script writes to', async () => {
  const r = await runCli(['check', '--config', 'examples/modelmon.json', '--annotations', 'github']);
  assert.equal(r.code, 1, r.err);
  const annotations = r.out.split('\n').filter((l) => l.startsWith('::'));
  // The repository root is the git work tree above the config (a checkout without .git: the config's folder).
  const file = existsSync('.git') ? 'examples/train.py' : 'train.py';
  assert.deepEqual(annotations, [
    `::error file=${file},line=40,col=27,title=Model Monitor%3A exploding-gradients in nan_divergence::train/grad_norm exploded to 2.68e+5 at step 5 (98.2x the recent median 2730) (run nan_divergence)`,
    `::error file=${file},line=40,col=27,title=Model Monitor%3A non-finite in nan_divergence::train/grad_norm is Inf at step 7 (294 non-finite of 300 values) (run nan_divergence)`,
    `::error file=${file},line=39,col=27,title=Model Monitor%3A divergence in nan_divergence::train/loss is diverging: rose to 1.74e+6 at step 5 and kept rising (started at 26200) (run nan_divergence)`,
    `::error file=${file},line=39,col=27,title=Model Monitor%3A non-finite in nan_divergence::train/loss is NaN at step 8 (293 non-finite of 300 values) (run nan_divergence)`,
    `::warning file=${file},line=46,col=31,title=Model Monitor%3A lr-step-change in nan_divergence::lr jumped from 0.002 to 0.2 at step 150 after being constant: no schedule does that (run nan_divergence)`,
  ]);
  // overfit_small_data and diverge_lr5 have findings too, but train.py writes only runs/nan_divergence.
  assert.match(r.out, /warning overfitting overfit_small_data\/val\/loss/);
  assert.ok(!annotations.some((a) => /overfit_small_data|diverge_lr5/.test(a)));
  // The annotations come first, then the usual summary.
  assert.match(r.out, /^::error /);
  assert.match(r.out, /\nfailed: 9 errors, 10 warnings, 1 acknowledged \(fails on error\)\n$/);
});

/** The two-script fixture as `ml/` of a scratch repository, with a config for both runs. */
function tiedWorkspace(): string {
  const repo = scratchDir('annotations');
  scratch.push(repo);
  mkdirSync(join(repo, '.git'));
  const ws = join(repo, 'ml');
  cpSync(resolve('test/fixtures/tied-scripts'), ws, { recursive: true });
  // Dependency and environment folders are never scanned, whatever they hold.
  for (const skipped of ['node_modules/pkg', '.venv/lib', 'env']) {
    mkdirSync(join(ws, skipped), { recursive: true });
    writeFileSync(join(ws, skipped, 'train_copy.py'), readFileSync(join(ws, 'train_steady.py')));
  }
  writeFileSync(join(ws, 'env', 'pyvenv.cfg'), 'home = /usr/bin\n');
  writeFileSync(join(ws, 'huge.py'), `${'#'.repeat(1_100_000)}\nw.add_scalar("train/loss", 1, 1)\n`);
  const config = {
    failOn: 'error',
    training: [
      { name: 'diverging', logdir: 'runs/diverging' },
      { name: 'steady', logdir: 'runs/steady' },
    ],
  };
  writeFileSync(join(ws, 'modelmon.json'), JSON.stringify(config, null, 2));
  return ws;
}

test('two scripts logging the same tags to different runs: only the broken one is annotated', async () => {
  const ws = tiedWorkspace();
  const r = await runCli(['check', '--annotations', 'github', '--junit', 'junit.xml', '--markdown', 'summary.md'], '', ws);
  assert.equal(r.code, 1, r.err);
  const annotations = r.out.split('\n').filter((l) => l.startsWith('::'));
  assert.deepEqual(
    annotations.map((a) => /^::(\w+) file=([^,]+),line=(\d+),col=(\d+),title=([^:]+)::(.*)$/.exec(a)!.slice(1, 5).join(' ')),
    [
      // f"train/{name}" (line 31) logs train/grad_norm; the keyword call's "train/loss" is line 25.
      'error ml/train_diverging.py 31 31',
      'error ml/train_diverging.py 31 31',
      'error ml/train_diverging.py 25 17',
      'error ml/train_diverging.py 25 17',
      'warning ml/train_diverging.py 32 27',
      // The steady run's overfitting is on val/loss, which only evaluate.py logs, tied by tag name.
      'warning ml/evaluate.py 5 23',
    ],
  );
  assert.ok(!annotations.some((a) => a.includes('train_steady.py')), 'the healthy script gets nothing');
  assert.match(annotations[3]!, /::train\/loss is NaN at step 8 \(293 non-finite of 300 values\) \(run diverging\)$/);
  assert.match(annotations[5]!, /\(run steady; tied by tag name only: no writer in this script points at the run\)$/);

  const md = readFileSync(join(ws, 'summary.md'), 'utf8');
  assert.match(md, /\| train\/loss is NaN at step 8 \(293 non-finite of 300 values\) \| runs\/diverging, step 8, train_diverging\.py:25 \|/);
  assert.match(md, /runs\/steady, step 31, evaluate\.py:5 \|/);
  const failure = findAll(parseXml(readFileSync(join(ws, 'junit.xml'), 'utf8')), 'failure')[0]!;
  assert.match(failure.text, /\[error\] non-finite diverging\/train\/loss: train\/loss is NaN at step 8 \(293 non-finite of 300 values\) \(runs\/diverging, step 8, train_diverging\.py:25\)/);
});

test('the workspace scan is bounded: dependency folders, virtual environments and files over 1 MB are skipped', () => {
  const ws = tiedWorkspace();
  assert.deepEqual(
    scanWorkspaceScripts(ws).map((s) => s.path.slice(ws.length + 1)),
    ['evaluate.py', 'train_diverging.py', 'train_steady.py'],
  );
  assert.equal(scanWorkspaceScripts(ws, { maxFiles: 1 }).length, 1);
  // train_diverging.py (1,242 bytes) no longer fits in what is left of 1,000, the smaller ones are read.
  assert.deepEqual(scanWorkspaceScripts(ws, { maxTotalBytes: 1_000 }).map((s) => s.path.slice(ws.length + 1)), ['evaluate.py', 'train_steady.py']);
  assert.equal(findRepositoryRoot(ws), join(ws, '..'));
});

test('annotation text is escaped as GitHub documents: % CR LF everywhere, and : , in properties', () => {
  assert.equal(escapeData('50% done\r\nnext: a, b'), '50%25 done%0D%0Anext: a, b');
  assert.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
  const result = {
    monitors: [
      {
        name: 'm,1',
        type: 'training',
        findings: [
          {
            monitor: 'm,1',
            kind: 'non-finite',
            severity: 'warning',
            message: 'loss\nis 100% NaN',
            subject: 'r/loss',
            acknowledged: 'known',
            location: { file: 'runs/r', step: 3, tag: 'loss', code: { file: 'a,b.py', line: 2, column: 5, tie: 'writer' } },
          },
          { monitor: 'm,1', kind: 'plateau', severity: 'info', message: 'flat', location: { step: 1 } },
        ],
      },
    ],
  } as unknown as CheckResult;
  assert.deepEqual(toGithubAnnotations(result, 'sub dir'), [
    '::notice file=sub dir/a%2Cb.py,line=2,col=5,title=Model Monitor%3A non-finite in m%2C1::loss%0Ais 100%25 NaN at step 3 (run r) [acknowledged: known]',
  ]);
});

test('--annotations takes github only, and not with --json', async () => {
  const bad = await runCli(['check', '--config', 'examples/modelmon.json', '--annotations', 'gitlab']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--annotations must be "github", not "gitlab"/);
  const json = await runCli(['check', '--config', 'examples/modelmon.json', '--annotations', 'github', '--json']);
  assert.equal(json.code, 2);
  assert.match(json.err, /cannot be combined with --json/);
});
