import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findHealthProblems } from '../../../src/core/tfevents';
import { readLogdir } from '../../../src/io/tfevents';
import {
  describePlacedFinding,
  findLogWriters,
  findTagSites,
  normalizePath,
  placeFindings,
  relativePath,
  resolvePath,
  scanScript,
  tieScript,
  type ScriptSites,
} from '../../../src/core/tagSites';

// Two scripts log the same tags to different runs (a copy of nan_divergence as runs/diverging,
// of overfit_small_data as runs/steady); evaluate.py names no log directory at all.
const WORKSPACE = resolve('test/fixtures/tied-scripts');

const writerOf = (source: string) => findLogWriters(source).map((w) => [w.api, w.dir, w.prefix]);

test('resolves the log directory of every writer from literals, joins, f-strings and argparse defaults', () => {
  assert.deepEqual(writerOf('w = SummaryWriter("runs/exp1")'), [['SummaryWriter', 'runs/exp1', false]]);
  assert.deepEqual(writerOf('w = SummaryWriter(log_dir=os.path.join("runs", "exp1"))'), [['SummaryWriter', 'runs/exp1', false]]);
  assert.deepEqual(writerOf('w = tensorboardX.SummaryWriter(logdir="./tbx//a/")'), [['SummaryWriter', 'tbx/a', false]]);
  assert.deepEqual(writerOf('w = SummaryWriter(Path("runs") / "a" / f"b_{i}")'), [['SummaryWriter', 'runs/a/b_', true]]);
  assert.deepEqual(writerOf('w = SummaryWriter(f"runs/{name}")'), [['SummaryWriter', 'runs/', true]]);
  assert.deepEqual(writerOf('w = SummaryWriter(os.path.join("runs", name))'), [['SummaryWriter', 'runs/', true]]);
  assert.deepEqual(writerOf('w = SummaryWriter(os.environ.get("LOGDIR", "runs/env"))'), [['SummaryWriter', 'runs/env', false]]);
  // No directory (or None): torch writes runs/<datetime>_<host>.
  assert.deepEqual(writerOf('w = SummaryWriter()\nv = SummaryWriter(log_dir=None, comment="x")'), [
    ['SummaryWriter', 'runs/', true],
    ['SummaryWriter', 'runs/', true],
  ]);
  const argparse = ['p = argparse.ArgumentParser()', 'p.add_argument("--log-dir", "-l", default="runs/x")', 'p.add_argument("--out", dest="target", default="runs/y")', 'args = p.parse_args()', 'a = SummaryWriter(args.log_dir)', 'b = SummaryWriter(log_dir=args.target)'];
  assert.deepEqual(writerOf(argparse.join('\n')), [
    ['SummaryWriter', 'runs/x', false],
    ['SummaryWriter', 'runs/y', false],
  ]);
  assert.deepEqual(writerOf('root = "out"\nlogger = TensorBoardLogger(root, name="digits")'), [['TensorBoardLogger', 'out/digits', false]]);
  assert.deepEqual(writerOf('logger = pl_loggers.TensorBoardLogger(save_dir="logs/", version=3)'), [['TensorBoardLogger', 'logs/lightning_logs/version_3', false]]);
  assert.deepEqual(writerOf('logger = TensorBoardLogger("logs", "", "v1")'), [['TensorBoardLogger', 'logs/v1', false]]);
  assert.deepEqual(writerOf('w = tf.summary.create_file_writer(logdir="logs/train")'), [['create_file_writer', 'logs/train', false]]);
  assert.deepEqual(writerOf('cb = tf.keras.callbacks.TensorBoard(log_dir="logs/fit/" + stamp)'), [['keras.TensorBoard', 'logs/fit/', true]]);
  assert.deepEqual(writerOf('cb = keras.callbacks.TensorBoard()'), [['keras.TensorBoard', 'logs', false]]);
  assert.deepEqual(writerOf('import lightning as L\ntrainer = L.Trainer(max_epochs=3, default_root_dir="exp")'), [['Trainer', 'exp/lightning_logs', false]]);
});

test('a writer whose directory the source cannot tell is left out', () => {
  assert.deepEqual(writerOf('w = SummaryWriter(f"{out}/tb")'), []);
  assert.deepEqual(writerOf('w = SummaryWriter(os.path.join(out, "x"))'), []);
  assert.deepEqual(writerOf('w = SummaryWriter(cfg["logdir"])'), []);
  assert.deepEqual(writerOf('def SummaryWriter(x):\n    pass\nfrom torch.utils.tensorboard import SummaryWriter'), []);
  assert.deepEqual(writerOf('trainer = Trainer(model=m)'), [], "Hugging Face's Trainer is not Lightning's");
  assert.deepEqual(writerOf('import lightning as L\ntrainer = L.Trainer(logger=tb)'), []);
});

test('an f-string tag with a literal start is a prefix site on the f-string', () => {
  const source = 'for k, v in metrics.items():\n    writer.add_scalar(f"train/{k}", v, step)\nwandb.log({f"val/{k}": v for k, v in m.items()})\nw.add_scalar(f"plain", 1)\n';
  assert.deepEqual(
    findTagSites(source).map((s) => [s.tag, s.prefix ?? false, s.line, s.column, s.endColumn]),
    [
      ['train/', true, 1, 22, 34],
      ['val/', true, 2, 11, 21],
      ['plain', false, 3, 13, 21],
    ],
  );
});

test('a multi-line add_scalar call with keyword arguments puts its site on the tag string', () => {
  const source = 'writer.add_scalar(\n    tag="train/loss",\n    scalar_value=loss,\n    global_step=step)\n';
  assert.deepEqual(findTagSites(source).map((s) => [s.tag, s.line, s.column, s.endLine, s.endColumn]), [['train/loss', 1, 8, 1, 20]]);
});

test('paths resolve against a base, with backslashes, dots and drive letters', () => {
  assert.equal(normalizePath('a\\b//c/./d/../e/'), 'a/b/c/e');
  assert.equal(normalizePath('/ws/../../x'), '/x');
  assert.equal(resolvePath('/ws/sub', '../runs/a'), '/ws/runs/a');
  assert.equal(resolvePath('/ws', '/abs/runs'), '/abs/runs');
  assert.equal(resolvePath('C:\\ws', 'runs\\a'), 'C:/ws/runs/a');
  assert.equal(relativePath('/repo', '/repo/examples/train.py'), 'examples/train.py');
  assert.equal(relativePath('/repo/a', '/repo/b/c.py'), '../b/c.py');
});

async function fixtureWorkspace() {
  const { store } = await readLogdir(join(WORKSPACE, 'runs'));
  const findings = findHealthProblems(store);
  const runs = store.runs.map((r) => ({ name: r.name, dir: join(WORKSPACE, 'runs', r.name) }));
  const scripts = readdirSync(WORKSPACE)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => scanScript(join(WORKSPACE, f), readFileSync(join(WORKSPACE, f), 'utf8')));
  return { findings, runs, scripts, script: (name: string) => scripts.find((s) => s.path.endsWith(name))! };
}

test('each script is tied to the runs under the directory it writes to', async () => {
  const { runs, script } = await fixtureWorkspace();
  assert.deepEqual(runs.map((r) => r.name), ['diverging', 'steady']);
  const tie = (s: ScriptSites, root = WORKSPACE) => {
    const t = tieScript(s, runs, root);
    return t.by === 'writer' ? [...t.runs] : t.by;
  };
  assert.deepEqual(tie(script('train_diverging.py')), ['diverging']);
  assert.deepEqual(tie(script('train_steady.py')), ['steady']);
  assert.equal(tie(script('evaluate.py')), 'tag-name');
  // Relative to the workspace root too: the same script run from a folder above its own.
  const nested = { ...script('train_steady.py'), path: join(WORKSPACE, 'scripts', 'train_steady.py') };
  assert.deepEqual(tie(nested), ['steady']);
  assert.equal(tie(nested, '/elsewhere'), 'tag-name');
  // SummaryWriter() writes runs/<datetime>_<host>: every run under runs/.
  assert.deepEqual(tie({ path: join(WORKSPACE, 'default.py'), sites: [], writers: findLogWriters('w = SummaryWriter()') }), ['diverging', 'steady']);
  assert.deepEqual(tie({ path: join(WORKSPACE, 'sweep.py'), sites: [], writers: findLogWriters('w = SummaryWriter(f"runs/div{lr}")') }), ['diverging']);
});

test('findings land only on the scripts that write their run; the healthy script gets none', async () => {
  const { findings, runs, scripts } = await fixtureWorkspace();
  const placed = placeFindings(scripts, runs, findings, WORKSPACE);
  assert.deepEqual(
    placed.map((p) => [p.path.slice(WORKSPACE.length + 1), p.site.line + 1, p.site.column, p.site.tag, p.finding.run, p.finding.tag, p.finding.kind, p.by]),
    [
      ['evaluate.py', 5, 22, 'val/loss', 'steady', 'val/loss', 'overfitting', 'tag-name'],
      // The multi-line keyword call: on the string "train/loss" of its tag= line.
      ['train_diverging.py', 25, 16, 'train/loss', 'diverging', 'train/loss', 'divergence', 'writer'],
      ['train_diverging.py', 25, 16, 'train/loss', 'diverging', 'train/loss', 'non-finite', 'writer'],
      // f"train/{name}" over a dict logs train/* of its run.
      ['train_diverging.py', 31, 30, 'train/', 'diverging', 'train/grad_norm', 'exploding-gradients', 'writer'],
      ['train_diverging.py', 31, 30, 'train/', 'diverging', 'train/grad_norm', 'non-finite', 'writer'],
      ['train_diverging.py', 31, 30, 'train/', 'diverging', 'train/loss', 'divergence', 'writer'],
      ['train_diverging.py', 31, 30, 'train/', 'diverging', 'train/loss', 'non-finite', 'writer'],
      ['train_diverging.py', 32, 26, 'lr', 'diverging', 'lr', 'lr-step-change', 'writer'],
    ],
  );
  assert.equal(placed.filter((p) => p.path.endsWith('train_steady.py')).length, 0);
  const nan = placed.find((p) => p.finding.kind === 'non-finite' && p.site.tag === 'train/loss')!;
  assert.equal(describePlacedFinding(nan.finding, nan.by), 'train/loss is NaN at step 8 (293 non-finite of 300 values) (run diverging)');
  const byName = placed[0]!;
  assert.equal(
    describePlacedFinding(byName.finding, byName.by),
    'val/loss rose 36% from its minimum 0.547 at step 31 to 0.746 while train/loss kept falling (0.0489 to 4.58e-5): overfitting (run steady; tied by tag name only: no writer in this script points at the run)',
  );
});

test('errors come before warnings on one site, whatever order the engine reported them in', () => {
  const script = scanScript('/ws/t.py', 'w = SummaryWriter("runs/a")\nw.add_scalar("loss", l, s)\n');
  const findings = [
    { run: 'a', tag: 'loss', severity: 'info' as const, id: 1 },
    { run: 'a', tag: 'loss', severity: 'warning' as const, id: 2 },
    { run: 'a', tag: 'loss', severity: 'error' as const, id: 3 },
    { run: 'b', tag: 'loss', severity: 'error' as const, id: 4 },
  ];
  const runs = [
    { name: 'a', dir: '/ws/runs/a' },
    { name: 'b', dir: '/ws/runs/b' },
  ];
  assert.deepEqual(placeFindings([script], runs, findings, '/ws').map((p) => p.finding.id), [3, 2, 1]);
  // With no run under its writer, the tag name alone ties it to both runs.
  assert.deepEqual(placeFindings([script], [runs[1]!], findings, '/ws').map((p) => [p.finding.id, p.by]), [
    [3, 'tag-name'],
    [4, 'tag-name'],
    [2, 'tag-name'],
    [1, 'tag-name'],
  ]);
});
