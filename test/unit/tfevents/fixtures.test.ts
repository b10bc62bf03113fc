import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLogdir } from '../../../src/io/tfevents/logdir';
import type { RunStore } from '../../../src/core/tfevents/run-store';
import { FIXTURES } from './helpers';

/** Scalar tags per run: [tag, points, firstStep, lastStep, last], values cross-checked with an independent Python decoder. */
const SCALARS: Record<string, [string, number, number, number, number][]> = {
  'digits_cnn/1795406056.6153712': [['hparam/val_accuracy', 1, 0, 0, 0.9592592716217041]],
  digits_cnn: [['lr', 25, 20, 500, 0.004999999888241291], ['train/grad_norm', 500, 1, 500, 0.5747687816619873], ['train/loss', 500, 1, 500, 0.03429488465189934], ['val/accuracy', 25, 20, 500, 0.9592592716217041], ['val/loss', 25, 20, 500, 0.13594366610050201]],
  'digits_cnn/loss_compare_train': [['loss_compare', 25, 20, 500, 0.03429488465189934]],
  'digits_cnn/loss_compare_val': [['loss_compare', 25, 20, 500, 0.13594366610050201]],
  diverge_lr5: [['lr', 6, 20, 120, 5.0], ['train/grad_norm', 120, 1, 120, 0.28283974528312683], ['train/loss', 120, 1, 120, 2.6224865913391113], ['val/accuracy', 6, 20, 120, 0.10185185074806213], ['val/loss', 6, 20, 120, 2.405658721923828]],
  'diverge_lr5/loss_compare_train': [['loss_compare', 6, 20, 120, 2.6224865913391113]],
  'diverge_lr5/loss_compare_val': [['loss_compare', 6, 20, 120, 2.405658721923828]],
  'lightning_digits/version_0': [['epoch', 16, 4, 79, 3], ['hp_metric', 1, 0, 0, -1], ['train_loss', 16, 4, 79, 1.87627375125885], ['val_acc', 4, 19, 79, 0.3333333432674408], ['val_loss', 4, 19, 79, 1.844774842262268]],
  'multi/sweep_lr0.001': [['lr', 10, 20, 200, 0.0005000000237487257], ['train/grad_norm', 200, 1, 200, 0.1870468109846115], ['train/loss', 200, 1, 200, 2.293935537338257], ['val/accuracy', 10, 20, 200, 0.14259259402751923], ['val/loss', 10, 20, 200, 2.2966928482055664]],
  'multi/sweep_lr0.001/loss_compare_train': [['loss_compare', 10, 20, 200, 2.293935537338257]],
  'multi/sweep_lr0.001/loss_compare_val': [['loss_compare', 10, 20, 200, 2.2966928482055664]],
  'multi/sweep_lr0.01': [['lr', 10, 20, 200, 0.004999999888241291], ['train/grad_norm', 200, 1, 200, 1.703592300415039], ['train/loss', 200, 1, 200, 1.3103452920913696], ['val/accuracy', 10, 20, 200, 0.7259259223937988], ['val/loss', 10, 20, 200, 1.1236579418182373]],
  'multi/sweep_lr0.01/loss_compare_train': [['loss_compare', 10, 20, 200, 1.3103452920913696]],
  'multi/sweep_lr0.01/loss_compare_val': [['loss_compare', 10, 20, 200, 1.1236579418182373]],
  'multi/sweep_lr0.05': [['lr', 10, 20, 200, 0.02500000037252903], ['train/grad_norm', 200, 1, 200, 0.9346969127655029], ['train/loss', 200, 1, 200, 0.06932932883501053], ['val/accuracy', 10, 20, 200, 0.9648147821426392], ['val/loss', 10, 20, 200, 0.11842313408851624]],
  'multi/sweep_lr0.05/loss_compare_train': [['loss_compare', 10, 20, 200, 0.06932932883501053]],
  'multi/sweep_lr0.05/loss_compare_val': [['loss_compare', 10, 20, 200, 0.11842313408851624]],
  nan_divergence: [['lr', 300, 1, 300, 0.20000000298023224], ['train/grad_norm', 300, 1, 300, NaN], ['train/loss', 300, 1, 300, NaN]],
  overfit_small_data: [['train/loss', 400, 1, 400, 4.5094795495970175e-05], ['val/accuracy', 400, 1, 400, 0.836888313293457], ['val/loss', 400, 1, 400, 0.75254225730896]],
  resumed_nopurge: [['lr', 20, 20, 400, 0.019999999552965164], ['train/grad_norm', 400, 1, 400, 1.6726006269454956], ['train/loss', 400, 1, 400, 1.623833417892456], ['val/accuracy', 20, 20, 400, 0.6166666746139526], ['val/loss', 20, 20, 400, 1.5448119640350342]],
  'resumed_nopurge/loss_compare_train': [['loss_compare', 20, 20, 400, 1.623833417892456]],
  'resumed_nopurge/loss_compare_val': [['loss_compare', 20, 20, 400, 1.5448119640350342]],
  resumed_purge: [['lr', 28, 20, 560, 0.019999999552965164], ['train/grad_norm', 560, 1, 560, 1.8824042081832886], ['train/loss', 560, 1, 560, 0.2523968815803528], ['val/accuracy', 28, 20, 560, 0.864814817905426], ['val/loss', 28, 20, 560, 0.39254996180534363]],
  'resumed_purge/loss_compare_train': [['loss_compare', 28, 20, 560, 0.2523968815803528]],
  'resumed_purge/loss_compare_val': [['loss_compare', 28, 20, 560, 0.39254996180534363]],
  'tf2_style/train': [['epoch_accuracy', 200, 0, 199, 0.9930914640426636], ['epoch_loss', 200, 0, 199, 0.06389693170785904]],
};

let cached: RunStore | undefined;
async function store(): Promise<RunStore> {
  if (!cached) {
    const result = await readLogdir(FIXTURES);
    assert.deepEqual(result.corruptions, []);
    cached = result.store;
  }
  return cached;
}

test('every fixture run has exactly the expected scalar tags, point counts, steps and last values', async () => {
  const s = await store();
  assert.deepEqual(s.runs.map((r) => r.name), Object.keys(SCALARS).sort());
  for (const run of s.runs) {
    const scalars = run.tagList().filter((t) => t.kind === 'scalar');
    const actual = scalars.map((t) => [t.tag, t.totalPoints, t.firstStep, t.lastStep, t.lastValue]);
    assert.deepEqual(actual, SCALARS[run.name], run.name);
  }
});

test('digits_cnn holds histograms, an image, text and a PR curve besides its scalars', async () => {
  const run = (await store()).get('digits_cnn')!;
  const kinds = Object.fromEntries(run.tagList().map((t) => [t.tag, t.kind]));
  const layers = ['c1.bias', 'c1.weight', 'c2.bias', 'c2.weight', 'fc.bias', 'fc.weight', 'out.bias', 'out.weight'];
  for (const l of layers) {
    assert.equal(kinds[`weights/${l}`], 'histogram');
    assert.equal(kinds[`grads/${l}`], 'histogram');
  }
  assert.equal(kinds['samples'], 'image');
  assert.equal(kinds['notes/text_summary'], 'text');
  assert.equal(kinds['pr/digit_7'], 'tensor');
  assert.equal(run.tags.size, 16 + 5 + 3);
  assert.deepEqual(run.tag('samples')!.lastData, { kind: 'image', image: { width: 64, height: 16, colorspace: 3, encodedBytes: 819, count: 1 } });
  assert.deepEqual(run.tag('notes/text_summary')!.lastData, { kind: 'text', text: 'Digits CNN, SGD momentum 0.9, StepLR(10, 0.5).' });
  assert.deepEqual(run.tag('pr/digit_7')!.lastData, { kind: 'tensor', tensor: { dtype: 1, shape: [6, 127] } });
  const h = run.tag('grads/c1.bias')!.lastData;
  assert.ok(h?.kind === 'histogram');
  assert.equal(h.histogram.count, 16);
  assert.equal(h.histogram.min, -0.019154386594891548);
  assert.equal(h.histogram.max, 0.011112096719443798);
  assert.equal(h.histogram.bucketCounts.length, 495);
  assert.equal(h.histogram.bucketCounts.reduce((a, b) => a + b, 0), 16);
  assert.equal(run.tag('weights/fc.weight')!.totalPoints, 25);
});

test('tf2_style decodes tensor scalars, a [k,3] histogram tensor and text', async () => {
  const run = (await store()).get('tf2_style/train')!;
  assert.deepEqual(run.tagList().map((t) => [t.tag, t.kind, t.plugin]), [
    ['config', 'text', 'text'],
    ['dense/kernel_0', 'histogram', 'histograms'],
    ['epoch_accuracy', 'scalar', 'scalars'],
    ['epoch_loss', 'scalar', 'scalars'],
  ]);
  assert.deepEqual(run.tag('config')!.lastData, { kind: 'text', text: 'optimizer: adam, lr: 1e-3' });
  const h = run.tag('dense/kernel_0')!.lastData;
  assert.ok(h?.kind === 'histogram');
  assert.equal(h.histogram.bucketCounts.length, 30);
  assert.equal(h.histogram.count, 1000);
  assert.equal(run.tag('dense/kernel_0')!.totalPoints, 10);
  assert.equal(run.tag('epoch_loss')!.points()[0]!.value, 2.031848192214966);
});

test('hparams: experiment, session start values and end status are decoded', async () => {
  const s = await store();
  assert.deepEqual(s.get('digits_cnn/1795406056.6153712')!.hparams, {
    experiment: { hparams: [{ name: 'lr', type: 3 }, { name: 'batch', type: 3 }, { name: 'opt', type: 1 }], metrics: ['hparam/val_accuracy'] },
    sessionStart: { hparams: { batch: 64, opt: 'sgd', lr: 0.02 }, groupName: '', startTimeSecs: 0 },
    sessionEnd: { status: 1, endTimeSecs: 0 },
  });
  assert.deepEqual(s.get('lightning_digits/version_0')!.hparams?.sessionStart?.hparams, { lr: 0.02 });
});

test('sibling, sub-run and version directories are grouped under their parent run', async () => {
  const s = await store();
  const groups = Object.fromEntries(s.runs.map((r) => [r.name, [r.group, r.relation?.relation ?? null, r.relation?.key ?? null]]));
  assert.deepEqual(groups['digits_cnn'], ['digits_cnn', null, null]);
  assert.deepEqual(groups['digits_cnn/1795406056.6153712'], ['digits_cnn', 'hparams', '1795406056.6153712']);
  assert.deepEqual(groups['digits_cnn/loss_compare_train'], ['digits_cnn', 'add_scalars', 'train']);
  assert.deepEqual(groups['multi/sweep_lr0.05/loss_compare_val'], ['multi/sweep_lr0.05', 'add_scalars', 'val']);
  assert.deepEqual(groups['lightning_digits/version_0'], ['lightning_digits', 'version', 'version_0']);
  assert.deepEqual(groups['multi/sweep_lr0.01'], ['multi/sweep_lr0.01', null, null]);
  assert.deepEqual(groups['tf2_style/train'], ['tf2_style/train', null, null]);
});

test('resumed_purge: the START at step 400 keeps the old timeline through 400 and drops what came after; steps run 1..560 once each', async () => {
  const run = (await store()).get('resumed_purge')!;
  const steps = run.tag('train/loss')!.points().map((p) => p.step);
  assert.deepEqual(steps, Array.from({ length: 560 }, (_, i) => i + 1));
  assert.deepEqual(run.tag('val/loss')!.points().map((p) => p.step), [20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220, 240, 260, 280, 300, 320, 340, 360, 380, 400, 420, 440, 460, 480, 500, 520, 540, 560]);
  // Step 401 comes from the second file (fresh weights: loss back near ln 10).
  assert.equal(run.tag('train/loss')!.points()[400]!.value, 2.3013672828674316);
  assert.deepEqual(run.restarts, [{ step: 400, cause: 'purge', droppedPoints: 215 }]);
  assert.deepEqual(run.files, ['resumed_purge/events.out.tfevents.1795406056.vm.428.7', 'resumed_purge/events.out.tfevents.1795406058.vm.428.10']);
});

test('resumed_nopurge: steps going back to 301 keep 1..300 from the first file and 301..400 from the second', async () => {
  const run = (await store()).get('resumed_nopurge')!;
  const points = run.tag('train/loss')!.points();
  assert.deepEqual(points.map((p) => p.step), Array.from({ length: 400 }, (_, i) => i + 1));
  assert.equal(points[300]!.value, 2.2941315174102783);
  assert.equal(points[299]!.value, 0.3275863528251648);
  assert.deepEqual(run.restarts, [
    { step: 301, cause: 'backwards', droppedPoints: 400 },
    { step: 320, cause: 'backwards', droppedPoints: 27 },
  ]);
  assert.equal(run.tag('train/loss')!.segmentStartStep, 301);
});

test('lightning logs epoch twice at some steps; the later value replaces the earlier one', async () => {
  const epoch = (await store()).get('lightning_digits/version_0')!.tag('epoch')!;
  assert.deepEqual(epoch.points().map((p) => [p.step, p.value]).slice(0, 5), [[4, 0], [9, 0], [14, 0], [19, 0], [24, 1]]);
  assert.equal(epoch.segmentStartStep, undefined);
});
