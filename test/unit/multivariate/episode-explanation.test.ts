// Issue 17: every drift episode, whatever raised it, carries the domain classifier's ranked
// explanation (the broken-pairing test covers multivariate_drift alone). On the two fixture logs at
// the defaults: which episodes carry one, on which rows, with what AUC and which features first.
// Data-quality and anomaly episodes are not drift and carry none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PredictionMonitor, type PredictionReport } from '../../../src/core/predictions';

function analyze(name: string): PredictionReport {
  const m = new PredictionMonitor();
  m.pushText(readFileSync(`test/fixtures/predictions/${name}.jsonl`, 'utf8'));
  m.end();
  return m.snapshot();
}

/** Each episode as [kind, start, explained rows, AUC, separated, first features]. */
function explained(r: PredictionReport, top: number) {
  return r.episodes.map((e) => {
    const x = e.explanation;
    if (!x) return [e.kind, e.start, null];
    assert.equal(x.method, 'domain-classifier');
    assert.equal(x.aucThreshold, 0.55);
    return [e.kind, e.start, `${x.start}-${x.end}`, x.auc, x.separated, x.features.slice(0, top).map((f) => f.feature)];
  });
}

test('tabular: the data_drift episode is explained by the columns that drifted, mean_radius first (AUC 0.97)', () => {
  assert.deepEqual(explained(analyze('tabular_dev'), 5), [
    ['data_drift', 2099, '2100-2300', 0.9711, true, ['mean_radius', 'mean_area', 'mean_perimeter', 'worst_area', 'mean_texture']],
    ['multivariate_drift', 2549, '2550-2750', 1, true, ['mean_radius', 'mean_texture', 'worst_area', 'worst_texture', 'worst_radius']],
  ]);
});

test('digits: data, multivariate, concept, performance and prior-shift episodes each carry an explanation; quality and anomaly none', () => {
  const s = 'features.std_intensity';
  assert.deepEqual(explained(analyze('digits_dev'), 2), [
    ['data_drift', 1674, '1675-1875', 0.9728, true, [s, 'features.mean_intensity']],
    ['multivariate_drift', 1724, '1725-1925', 0.9853, true, [s, 'features.mean_intensity']],
    ['data_quality', 1799, null],
    ['anomaly', 2024, null],
    ['performance', 2324, '2325-2525', 0.999, true, [s, 'features.mean_intensity']],
    ['concept_drift', 2374, '2375-2575', 0.999, true, [s, 'features.mean_intensity']],
    ['performance', 2699, '2700-2900', 0.9984, true, [s, 'features.mean_intensity']],
    ['prior_shift', 3099, '3100-3300', 0.7403, true, [s, 'features.center_row']],
    ['multivariate_drift', 3774, '3775-3975', 0.7598, true, [s, 'features.mean_intensity']],
    // Anomaly episodes only where FGSM inputs arrive (from row 4200), none in the prior shift.
    ['anomaly', 4349, null],
    ['anomaly', 4624, null],
    ['anomaly', 4899, null],
    // Late in the log the windows are barely told apart; the explanation says so rather than inventing a cause.
    ['performance', 4924, '4725-4925', 0.5536, true, ['features.ink_fraction', 'features.mean_intensity']],
    ['concept_drift', 4999, '4800-5000', 0.544, false, ['features.ink_fraction', 'features.mean_intensity']],
  ]);
});
