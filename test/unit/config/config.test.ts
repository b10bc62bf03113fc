import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_SPEC, formatProblem, loadConfig, toJsonSchema } from '../../../src/core/config';

const lines = (...l: string[]) => l.join('\n');

test('a misspelt key names the line, the container and the closest key', () => {
  const text = lines(
    '{',
    '  // monitors for CI',
    '  "predictions": [',
    '    {',
    '      "log": "predictions/tabular_dev.csv",',
    '      "reference": { "rows": 1500 },',
    '      "windw": 250',
    '    }',
    '  ]',
    '}',
  );
  const { config, problems } = loadConfig(text, 'modelmon.json');
  assert.equal(config, undefined);
  assert.equal(problems.length, 1);
  const p = problems[0]!;
  assert.equal(formatProblem('modelmon.json', p), 'modelmon.json:7: unknown key "windw" in predictions[0] (did you mean "window"?)');
  assert.deepEqual([p.line, p.column, p.key, p.severity], [7, 7, 'predictions[0].windw', 'error']);
  assert.equal(text.slice(p.offset, p.offset + p.length), '"windw"');
});

test('defaults are filled in and names come from paths', () => {
  const { config, problems } = loadConfig(
    JSON.stringify({
      training: [{ logdir: 'runs/lightning_digits/' }],
      predictions: [{ log: 'predictions/tabular_dev.csv', reference: 'predictions/ref.csv' }],
      integrity: [{ manifest: 'checkpoints/manifest.json' }],
    }),
    'modelmon.json',
  );
  assert.deepEqual(problems, []);
  assert.ok(config);
  assert.equal(config.failOn, 'error');
  assert.deepEqual(config.training, [{ name: 'lightning_digits', logdir: 'runs/lightning_digits/', tags: [], severity: {} }]);
  assert.deepEqual(config.predictions[0], {
    name: 'tabular_dev',
    log: 'predictions/tabular_dev.csv',
    reference: { log: 'predictions/ref.csv' },
    window: 200,
    schema: {},
    severity: {},
  });
  assert.equal(config.integrity[0]!.name, 'checkpoints');
  assert.deepEqual(config.gpu, { enabled: false, severity: {} });
});

test('column roles become the prediction engine\'s schema override', () => {
  const { config, problems } = loadConfig(
    JSON.stringify({ predictions: [{ log: 'd.jsonl', features: ['features.mean_intensity', 'input'], prediction: ['prediction', 'shadow'], segment: 'clinic', label: 'label' }] }),
    'modelmon.json',
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(config?.predictions[0]?.schema, { label: 'label', features: ['features.mean_intensity', 'input'], prediction: ['prediction', 'shadow'], segment: 'clinic' });
  const bad = loadConfig('{"predictions":[{"log":"d.jsonl","segment":3}]}', 'modelmon.json');
  assert.equal(bad.problems[0]?.message, 'predictions[0].segment must be a string or an array, not an integer');
});

test('type, enum, range and required-key errors each name their key', () => {
  const text = lines(
    '{',
    '  "failOn": "fatal",',
    '  "training": [{ "name": "a" }],',
    '  "predictions": [{ "log": "p.csv", "window": 3, "alertPValue": "high" }],',
    '  "gpu": { "enabled": "yes", "severity": { "temperature": "loud" } },',
    '}',
  );
  const { config, problems } = loadConfig(text, 'modelmon.json');
  assert.equal(config, undefined);
  assert.deepEqual(
    problems.map((p) => `${p.line}:${p.key}: ${p.message}`),
    [
      '2:failOn: failOn must be one of "warning", "error", not "fatal"',
      '3:training[0]: training[0] is missing the required key "logdir"',
      '4:predictions[0].window: predictions[0].window must be at least 10, not 3',
      '4:predictions[0].alertPValue: predictions[0].alertPValue must be a number, not a string',
      '5:gpu.enabled: gpu.enabled must be a boolean, not a string',
      '5:gpu.severity.temperature: gpu.severity.temperature must be one of "off", "info", "warning", "error", not "loud"',
    ],
  );
});

test('syntax errors carry their position; comments and trailing commas are fine', () => {
  const bad = loadConfig('{\n  "failOn": "error"\n  "training": []\n}', 'modelmon.json');
  assert.equal(bad.config, undefined);
  assert.equal(bad.problems[0]!.line, 3);
  assert.match(bad.problems[0]!.message, /^syntax error: comma expected/);
  const ok = loadConfig('{ /* c */ "failOn": "warning", }', 'modelmon.json');
  assert.equal(ok.config?.failOn, 'warning');
  const empty = loadConfig('  ', 'modelmon.json');
  assert.equal(empty.problems[0]!.message, 'the config is empty; expected a JSON object');
  const notObject = loadConfig('[]', 'modelmon.json');
  assert.equal(notObject.problems[0]!.message, 'the config must be an object, not an array');
});

test('duplicate monitor names are errors; acknowledging an unknown monitor is a warning', () => {
  const dup = loadConfig(
    '{"training":[{"logdir":"a/run"},{"logdir":"b/run"}],"acknowledged":[{"monitor":"nope","reason":"x"}]}',
    'modelmon.json',
  );
  assert.equal(dup.config, undefined);
  assert.equal(dup.problems.find((p) => p.severity === 'error')?.message, 'training[1] has the same name "run" as training[0]; give one of them a "name"');
  const warn = loadConfig('{"acknowledged":[{"monitor":"nope","reason":"x"}]}', 'modelmon.json');
  assert.ok(warn.config);
  assert.deepEqual(warn.problems.map((p) => [p.severity, p.message]), [['warning', 'acknowledged[0] names no configured monitor "nope"']]);
});

test('the shipped JSON schema is generated from the same spec the validator uses', () => {
  type Schema = { properties: Record<string, Schema>; items: Schema; default?: unknown; definitions: Record<string, Schema> };
  const shipped = JSON.parse(readFileSync('schemas/modelmon.schema.json', 'utf8')) as Schema;
  // Out of date? Regenerate with: npx tsx test/unit/config/write-schema.ts
  assert.deepEqual(shipped, toJsonSchema(CONFIG_SPEC));
  assert.equal(shipped.properties.predictions!.items.properties.window!.default, 200);
  assert.ok(shipped.definitions.severityOverrides!.properties.data_drift);
});

test('the example workspace config is valid', () => {
  const text = readFileSync('examples/modelmon.json', 'utf8');
  const { config, problems } = loadConfig(text, 'examples/modelmon.json');
  assert.deepEqual(problems, []);
  assert.ok(config && config.training.length > 0 && config.predictions.length > 0 && config.integrity.length > 0);
});
