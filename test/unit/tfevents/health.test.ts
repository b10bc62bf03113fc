import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthMonitor, findHealthProblems } from '../../../src/core/tfevents/health';
import { RunStore } from '../../../src/core/tfevents/run-store';
import { readLogdir } from '../../../src/io/tfevents/logdir';
import { FIXTURES } from './helpers';

const fixtureFindings = (async () => findHealthProblems((await readLogdir(FIXTURES)).store))();

/** Seeded noise in [-0.5, 0.5). */
function noise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
}

function scalars(store: RunStore, run: string, tag: string, values: number[], firstStep = 1): void {
  values.forEach((value, i) =>
    store.applyEvent(run, { wallTime: i, step: firstStep + i, values: [{ tag, plugin: '', data: { kind: 'scalar', value } }] }),
  );
}

test('fixtures: exactly the expected findings, and none on the healthy runs', async () => {
  const findings = await fixtureFindings;
  assert.deepEqual(
    findings.map((f) => [f.run, f.tag, f.step, f.kind]),
    [
      ['diverge_lr5', 'train/loss', 120, 'not-learning'],
      ['multi/sweep_lr0.001', 'train/loss', 200, 'not-learning'],
      ['nan_divergence', 'lr', 150, 'lr-step-change'],
      ['nan_divergence', 'train/grad_norm', 5, 'exploding-gradients'],
      ['nan_divergence', 'train/grad_norm', 7, 'non-finite'],
      ['nan_divergence', 'train/loss', 5, 'divergence'],
      ['nan_divergence', 'train/loss', 8, 'non-finite'],
      ['overfit_small_data', 'val/loss', 31, 'overfitting'],
    ],
  );
  for (const healthy of ['digits_cnn', 'lightning_digits', 'resumed_purge', 'resumed_nopurge', 'tf2_style', 'multi/sweep_lr0.05']) {
    assert.deepEqual(findings.filter((f) => f.run.startsWith(healthy)), [], healthy);
  }
});

test('fixtures: the one-line reasons', async () => {
  const byKey = new Map((await fixtureFindings).map((f) => [`${f.run} ${f.tag} ${f.kind}`, f.message]));
  assert.equal(byKey.get('nan_divergence train/loss non-finite'), 'train/loss is NaN at step 8 (293 non-finite of 300 values)');
  assert.equal(byKey.get('nan_divergence train/grad_norm non-finite'), 'train/grad_norm is Inf at step 7 (294 non-finite of 300 values)');
  assert.equal(
    byKey.get('diverge_lr5 train/loss not-learning'),
    'train/loss is not learning: 2.39 at the start, 2.47 over the last 24 points, near chance level for 10 classes (ln 10 = 2.3)',
  );
  assert.equal(
    byKey.get('overfit_small_data val/loss overfitting'),
    'val/loss rose 36% from its minimum 0.547 at step 31 to 0.746 while train/loss kept falling (0.0489 to 4.58e-5): overfitting',
  );
  assert.equal(byKey.get('nan_divergence lr lr-step-change'), 'lr jumped from 0.002 to 0.2 at step 150 after being constant: no schedule does that');
  assert.equal(
    byKey.get('nan_divergence train/grad_norm exploding-gradients'),
    'train/grad_norm exploded to 2.68e+5 at step 5 (98.2x the recent median 2730)',
  );
});

test('a transient loss spike is found at its step; a steadily falling noisy loss gives nothing', () => {
  const rnd = noise(7);
  const values = Array.from({ length: 200 }, (_, i) => 2 * Math.exp(-i / 50) + 0.05 + rnd() * 0.02);
  const store = new RunStore();
  scalars(store, 'clean', 'train/loss', values);
  assert.deepEqual(findHealthProblems(store), []);
  const spiky = [...values];
  spiky[120] = 1.5;
  scalars(store, 'spiky', 'train/loss', spiky);
  assert.deepEqual(findHealthProblems(store).map((f) => [f.run, f.step, f.kind]), [['spiky', 121, 'loss-spike']]);
});

test('a loss that learns and then stalls high is a plateau', () => {
  const rnd = noise(3);
  const values = Array.from({ length: 200 }, (_, i) => (i < 60 ? 2.3 - i * 0.02 : 1.1) + rnd() * 0.004);
  const store = new RunStore();
  scalars(store, 'r', 'loss', values);
  assert.deepEqual(findHealthProblems(store).map((f) => [f.tag, f.kind]), [['loss', 'plateau']]);
});

test('overfitting across PyTorch add_scalars sibling runs and Keras train/validation runs', () => {
  const train = Array.from({ length: 60 }, (_, i) => 2 * Math.exp(-i / 10));
  const val = Array.from({ length: 60 }, (_, i) => (i < 20 ? 2 - i * 0.07 : 0.6 + (i - 20) * 0.02));
  const store = new RunStore();
  scalars(store, 'exp/loss_cmp_train', 'loss_cmp', train);
  scalars(store, 'exp/loss_cmp_val', 'loss_cmp', val);
  scalars(store, 'keras/train', 'epoch_loss', train, 0);
  scalars(store, 'keras/validation', 'epoch_loss', val, 0);
  const found = findHealthProblems(store).filter((f) => f.kind === 'overfitting');
  assert.deepEqual(found.map((f) => [f.run, f.tag, f.step]), [
    ['exp/loss_cmp_val', 'loss_cmp', 21],
    ['keras/validation', 'epoch_loss', 20],
  ]);
  assert.match(found[0]!.message, /while exp\/loss_cmp_train:loss_cmp kept falling/);
});

test('train_loss & val_loss and loss & val_loss are paired', () => {
  const train = Array.from({ length: 40 }, (_, i) => 1 / (i + 1));
  const val = Array.from({ length: 40 }, (_, i) => (i < 10 ? 1 - i * 0.05 : 0.55 + (i - 10) * 0.01));
  for (const [t, v] of [['train_loss', 'val_loss'], ['loss', 'val_loss']] as const) {
    const store = new RunStore();
    scalars(store, 'run', t, train);
    scalars(store, 'run', v, val);
    assert.deepEqual(findHealthProblems(store).map((f) => [f.tag, f.kind, f.step]), [[v, 'overfitting', 10]], t);
  }
});

test('the monitor recomputes only changed series and reports each finding once', () => {
  const store = new RunStore();
  const monitor = new HealthMonitor();
  scalars(store, 'r', 'train/loss', [1, 0.9, 0.8]);
  assert.deepEqual(monitor.update(store), { findings: [], added: [] });
  scalars(store, 'r', 'train/loss', [NaN], 4);
  const first = monitor.update(store);
  assert.deepEqual(first.added.map((f) => [f.step, f.kind]), [[4, 'non-finite']]);
  scalars(store, 'r', 'train/loss', [NaN, NaN], 5);
  const second = monitor.update(store);
  assert.equal(second.findings.length, 1);
  assert.equal(second.findings[0]!.message, 'train/loss is NaN at step 4 (3 non-finite of 6 values)');
  assert.deepEqual(second.added, []);
});

test('tag patterns are configurable; AMP loss_scale is not a loss', () => {
  const store = new RunStore();
  scalars(store, 'r', 'train/loss_scale', Array.from({ length: 40 }, (_, i) => 2 ** Math.min(16, i)));
  scalars(store, 'r', 'objective', Array.from({ length: 30 }, () => 2.3));
  assert.deepEqual(findHealthProblems(store), []);
  assert.deepEqual(findHealthProblems(store, { lossTags: /objective/ }).map((f) => f.kind), ['not-learning']);
  scalars(store, 'r2', 'objective', Array.from({ length: 30 }, () => 2.3));
  assert.deepEqual(findHealthProblems(store, { lossTags: /objective/g }).map((f) => f.run), ['r', 'r2']);
});

test('bad options throw, naming the option', () => {
  assert.throws(() => new HealthMonitor({ minPoints: 2 }), /health option minPoints must be a number >= 5, got 2/);
  assert.throws(() => new HealthMonitor({ spikeFactor: NaN }), /spikeFactor/);
});
