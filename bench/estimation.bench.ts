/**
 * Performance estimation: fitting CBPE on a reference (the calibration check fits 10 isotonic
 * regressions a class) and DLE's error models, and estimating one 200-row window.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimateCbpe, fitCbpe, type CbpeRow } from '../src/core/estimation/cbpe';
import { estimateDle, fitDle } from '../src/core/estimation/dle';
import { timeBest, type BenchFigure } from './harness';

const FIXTURES = 'test/fixtures/predictions';

function digitsRows(): CbpeRow[] {
  return readFileSync(join(FIXTURES, 'digits_dev.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { probabilities: number[]; prediction: number; label?: number })
    .map((r) => ({ scores: r.probabilities, predicted: r.prediction, ...(r.label !== undefined ? { label: r.label } : {}) }));
}

function tabularRows(): CbpeRow[] {
  return readFileSync(join(FIXTURES, 'tabular_dev.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { score: number; prediction: number; label: number })
    .map((r) => ({ scores: [r.score], predicted: r.prediction, label: r.label }));
}

export async function bench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const digits = digitsRows();
  const reference = digits.slice(0, 1000);
  const window = digits.slice(1000, 1200);
  const classes = Array.from({ length: 10 }, (_, c) => String(c));
  let model = fitCbpe({ kind: 'multiclass', classes }, reference);
  figures.push({ engine: 'estimation', name: 'CBPE fit, digits 10 classes, 1000-row reference', value: timeBest(() => void (model = fitCbpe({ kind: 'multiclass', classes }, reference)), 3), unit: 'ms' });
  figures.push({ engine: 'estimation', name: 'CBPE estimate, digits, one 200-row window', value: timeBest(() => void estimateCbpe(model, window), 20), unit: 'ms' });
  const tabular = tabularRows();
  let binary = fitCbpe({ kind: 'binary', classes: ['0', '1'] }, tabular.slice(0, 1000));
  figures.push({ engine: 'estimation', name: 'CBPE fit, tabular binary, 1000-row reference', value: timeBest(() => void (binary = fitCbpe({ kind: 'binary', classes: ['0', '1'] }, tabular.slice(0, 1000))), 3), unit: 'ms' });
  figures.push({ engine: 'estimation', name: 'CBPE estimate, tabular, one 200-row window', value: timeBest(() => void estimateCbpe(binary, tabular.slice(1000, 1200)), 20), unit: 'ms' });
  // DLE on the tabular features as a regression (the score is the prediction, the label the target).
  const rows = readFileSync(join(FIXTURES, 'tabular_dev.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const names = Object.keys(rows[0]!).filter((k) => typeof rows[0]![k] === 'number' && !['id', 'score', 'prediction', 'label'].includes(k));
  const inputs = rows.map((r) => Float64Array.from([...names.map((k) => r[k] as number), r.score as number]));
  const predictions = rows.map((r) => r.score as number);
  const labels = rows.map((r) => r.label as number);
  let dle = fitDle(inputs.slice(0, 1000), predictions.slice(0, 1000), labels.slice(0, 1000));
  figures.push({ engine: 'estimation', name: `DLE fit, ${names.length + 1} inputs, 1000-row reference`, value: timeBest(() => void (dle = fitDle(inputs.slice(0, 1000), predictions.slice(0, 1000), labels.slice(0, 1000))), 3), unit: 'ms' });
  figures.push({ engine: 'estimation', name: 'DLE estimate, one 200-row window', value: timeBest(() => void estimateDle(dle, inputs.slice(1000, 1200)), 20), unit: 'ms' });
  return figures;
}
