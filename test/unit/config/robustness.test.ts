import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem, loadConfig } from '../../../src/core/config';

test('a number that overflows to Infinity (1e999) is a config problem at its line', () => {
  const { config, problems } = loadConfig('{\n  "gpu": { "enabled": true, "maxTemperatureC": 1e999 }\n}', 'modelmon.json');
  assert.equal(config, undefined);
  assert.deepEqual(problems.map((p) => formatProblem('modelmon.json', p)), ['modelmon.json:2: gpu.maxTemperatureC must be a finite number, not Infinity']);
});

test('a config nested thousands of levels deep is a problem, not a stack overflow', () => {
  const { config, problems } = loadConfig(`{"training": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`, 'modelmon.json');
  assert.equal(config, undefined);
  assert.deepEqual(problems.map((p) => formatProblem('modelmon.json', p)), ['modelmon.json:1: the config is nested too deeply to read']);
});
