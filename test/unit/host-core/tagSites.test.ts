import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { findTagSites, firstTagSite, tagMatches, tokenizePython } from '../../../src/core/tagSites';

const brief = (source: string) => findTagSites(source).map((s) => [s.tag, s.api, s.line, s.column]);

test('finds the add_scalar lines of the example training script', () => {
  const sites = findTagSites(readFileSync('examples/train.py', 'utf8'));
  assert.deepEqual(
    sites.map((s) => [s.tag, s.call, s.line + 1]),
    [
      ['train/loss', 'writer.add_scalar', 39],
      ['train/grad_norm', 'writer.add_scalar', 40],
      ['val/loss', 'writer.add_scalar', 45],
      ['lr', 'writer.add_scalar', 46],
    ],
  );
  const first = sites[0]!;
  assert.equal(first.column, 26);
  assert.equal(first.endColumn, 26 + '"train/loss"'.length);
});

test('covers the common logging libraries', () => {
  const source = [
    'writer.add_scalars("loss", {"train": a, "val": b}, step)',
    'self.log("val_loss", loss, prog_bar=True)',
    'self.log_dict({"acc": acc, "f1": f1})',
    'tf.summary.scalar("epoch_loss", loss, step=epoch)',
    'mlflow.log_metric("rmse", rmse)',
    'client.log_metric(run_id, "mae", mae)',
    'mlflow.log_metrics({"r2": r2})',
    'wandb.log({"train/acc": acc, "epoch": epoch})',
    'run.log({"gpu/util": u})',
  ].join('\n');
  assert.deepEqual(brief(source), [
    ['loss', 'tensorboard', 0, 19],
    ['val_loss', 'lightning', 1, 9],
    ['acc', 'lightning', 2, 15],
    ['f1', 'lightning', 2, 27],
    ['epoch_loss', 'tf.summary', 3, 18],
    ['rmse', 'mlflow', 4, 18],
    ['mae', 'mlflow', 5, 26],
    ['r2', 'mlflow', 6, 20],
    ['train/acc', 'wandb', 7, 11],
    ['epoch', 'wandb', 7, 29],
    ['gpu/util', 'wandb', 8, 9],
  ]);
});

test('keyword arguments name the tag too', () => {
  assert.deepEqual(brief('w.add_scalar(scalar_value=v, tag="a/b", global_step=s)'), [['a/b', 'tensorboard', 0, 33]]);
  assert.deepEqual(brief('self.log(name="x", value=v)'), [['x', 'lightning', 0, 14]]);
});

test('skips tags built at run time, comments, docstrings and other calls', () => {
  const source = [
    '"""writer.add_scalar("doc", 1)"""',
    '# writer.add_scalar("comment", 1)',
    'writer.add_scalar(f"{name}/loss", v)',
    'writer.add_scalar("loss/" + name, v)',
    'writer.add_scalar(tag, v)',
    'logging.log(logging.INFO, "hello")',
    'summary.histogram("weights", w)',
    'math.log(2)',
    'x = "writer.add_scalar(\'str\', 1)"',
    'wandb.log({f"{k}": v, **extra})',
  ].join('\n');
  assert.deepEqual(brief(source), []);
});

test('multi-line calls keep the tag position', () => {
  const source = 'writer.add_scalar(\n    "train/loss",\n    loss.item(),\n)\n';
  assert.deepEqual(brief(source), [['train/loss', 'tensorboard', 1, 4]]);
});

test('nested calls and dicts do not confuse argument positions', () => {
  assert.deepEqual(brief('self.log_dict({"a": f(1, 2), "b": {"inner": 1}}, on_step=True)'), [
    ['a', 'lightning', 0, 15],
    ['b', 'lightning', 0, 29],
  ]);
  assert.deepEqual(brief('client.log_metric(get_id("x"), "mae", 1)'), [['mae', 'mlflow', 0, 31]]);
});

test('string escapes, raw and single-quoted tags decode', () => {
  assert.deepEqual(findTagSites("w.add_scalar('a\\'b', 1)\nw.add_scalar(r'c\\d', 1)").map((s) => s.tag), ["a'b", 'c\\d']);
});

test('the tokenizer tracks lines through triple-quoted strings and never throws on bad input', () => {
  const tokens = tokenizePython('x = """a\nb"""\ny');
  assert.deepEqual(tokens.map((t) => [t.kind, t.line, t.column]), [
    ['name', 0, 0],
    ['op', 0, 2],
    ['string', 0, 4],
    ['name', 2, 0],
  ]);
  assert.doesNotThrow(() => findTagSites('w.add_scalar("unterminated\nw.add_scalar((((('));
});

test('tagMatches accepts Lightning step/epoch suffixes only', () => {
  assert.ok(tagMatches('loss', 'loss'));
  assert.ok(tagMatches('loss', 'loss_step'));
  assert.ok(tagMatches('loss', 'loss_epoch'));
  assert.ok(!tagMatches('loss', 'val_loss'));
  assert.ok(!tagMatches('train/loss', 'train/loss/x'));
});

test('firstTagSite picks the first file by path and its lowest line, whatever the scan order', () => {
  const train = findTagSites('w.add_scalar("val/loss", v)\nw.add_scalar("train/loss", l)\nw.add_scalar("train/loss", l2)\n');
  const lit = findTagSites('class M(L.LightningModule):\n    def training_step(self, b, i):\n        self.log("train/loss", l, on_step=True, on_epoch=True)\n');
  const files = [
    { path: '/ws/z_train.py', sites: train },
    { path: '/ws/a_lightning.py', sites: lit },
  ];
  const found = firstTagSite(files, 'train/loss');
  assert.deepEqual([found?.path, found?.site.line], ['/ws/a_lightning.py', 2]);
  assert.deepEqual(firstTagSite([...files].reverse(), 'train/loss')?.path, '/ws/a_lightning.py');
  // Lightning's on_step / on_epoch suffixes still lead back to the self.log call.
  assert.equal(firstTagSite(files, 'train/loss_epoch')?.site.call, 'self.log');
  assert.deepEqual([firstTagSite(files, 'val/loss')?.path, firstTagSite(files, 'val/loss')?.site.line], ['/ws/z_train.py', 0]);
  assert.equal(firstTagSite(files, 'lr'), undefined);
  assert.equal(firstTagSite([], 'train/loss'), undefined);
});
