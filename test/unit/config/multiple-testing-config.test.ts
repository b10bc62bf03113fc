import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem, loadConfig } from '../../../src/core/config';

test('predictions[].multipleTesting: "bh" reaches the monitor config; another value names the line, the key and the choices', () => {
  const ok = loadConfig('{ "predictions": [{ "log": "p.csv", "multipleTesting": "bh" }] }', 'modelmon.json');
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.config!.predictions[0]!.multipleTesting, 'bh');
  const plain = loadConfig('{ "predictions": [{ "log": "p.csv" }] }', 'modelmon.json');
  assert.equal(plain.config!.predictions[0]!.multipleTesting, undefined);

  const text = '{\n  "predictions": [\n    { "log": "p.csv", "multipleTesting": "holm" }\n  ]\n}';
  const bad = loadConfig(text, 'modelmon.json');
  assert.equal(bad.config, undefined);
  assert.deepEqual(bad.problems.map((p) => formatProblem('modelmon.json', p)), [
    'modelmon.json:3: predictions[0].multipleTesting must be one of "bonferroni", "bh", not "holm"',
  ]);
});
