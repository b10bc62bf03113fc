import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPolicy, decide, judgeMonitor, toJUnitXml, toMarkdown, type MonitorObservation, type RawFinding } from '../../../src/core/check';
import { findAll, parseXml } from './xml';

const raw = (kind: string, severity: RawFinding['severity'], subject: string, message = `${kind} in ${subject}`): RawFinding => ({ kind, severity, subject, message });

test('severity overrides by kind, then "*"; off drops; acknowledgements keep the finding but stop it failing', () => {
  const findings = [raw('overfitting', 'warning', 'overfit/val/loss'), raw('non-finite', 'error', 'nan/train/loss'), raw('plateau', 'warning', 'a/loss')];
  const judged = applyPolicy('runs', findings, { overfitting: 'error', '*': 'info', plateau: 'off' }, [
    { monitor: 'runs', kind: 'overfitting', subject: 'overfit', reason: 'known small-data run' },
    { monitor: 'other', reason: 'not this monitor' },
  ]);
  assert.deepEqual(
    judged.map((f) => [f.kind, f.severity, f.acknowledged ?? null]),
    [
      ['overfitting', 'error', 'known small-data run'],
      ['non-finite', 'info', null],
    ],
  );
});

function result(observations: Record<string, MonitorObservation>, failOn: 'warning' | 'error' = 'error') {
  const monitors = Object.entries(observations).map(([name, o]) =>
    judgeMonitor({ name, type: name.startsWith('pred') ? 'predictions' : 'training', target: `dir/${name}`, severity: {} }, o, [], failOn, 12),
  );
  return decide('modelmon.json', failOn, monitors, '2026-01-01T00:00:00.000Z', 1234);
}

const nasty = 'loss <NaN> & "quotes" \'apos\' | pipe\nnewline \u0007bell';

test('verdict and exit code follow failOn', () => {
  const warningOnly = { a: { findings: [raw('plateau', 'warning', 'a/loss')], summary: '1 run', tables: [] } };
  assert.equal(result(warningOnly, 'error').exitCode, 0);
  assert.equal(result(warningOnly, 'warning').exitCode, 1);
  assert.deepEqual(result(warningOnly).counts, { error: 0, warning: 1, info: 0, acknowledged: 0 });
});

test('JUnit XML is well formed, escaped, one test case per monitor and one failure per failing monitor', () => {
  const r = result({
    clean: { findings: [], summary: '2 runs', tables: [] },
    nan: { findings: [raw('non-finite', 'error', 'nan/train/loss', nasty), raw('divergence', 'error', 'nan/train/loss'), raw('plateau', 'warning', 'x')], summary: nasty, tables: [] },
    'pred & <tab>': { findings: [raw('data_drift', 'error', 'mean_radius')], summary: '4000 rows', tables: [] },
  });
  const xml = toJUnitXml(r);
  const root = parseXml(xml);
  assert.equal(root.name, 'testsuites');
  assert.deepEqual([root.attrs.tests, root.attrs.failures], ['3', '2']);
  const cases = findAll(root, 'testcase');
  assert.deepEqual(cases.map((c) => c.attrs.name), ['clean', 'nan', 'pred & <tab>']);
  assert.deepEqual(cases.map((c) => findAll(c, 'failure').length), [0, 1, 1]);
  const failure = findAll(cases[1]!, 'failure')[0]!;
  assert.equal(failure.attrs.type, 'non-finite');
  assert.match(failure.attrs.message!, /^2 findings; first: loss <NaN> & "quotes" 'apos' \| pipe\nnewline \uFFFDbell$/);
  assert.match(failure.text, /\[error\] divergence nan\/train\/loss/);
  assert.match(findAll(cases[1]!, 'system-out')[0]!.text, /\[warning\] plateau x/);
  assert.ok(!xml.includes('\u0007'), 'control characters are replaced');
});

test('Markdown has the verdict, a row per monitor, drifted features and escaped cells', () => {
  const r = result({
    nan: { findings: [raw('non-finite', 'error', 'nan/train/loss', nasty)], summary: '1 run', tables: [] },
    predictions: {
      findings: [raw('data_drift', 'error', 'mean_radius, mean_texture')],
      summary: '4000 rows; 3 of 30 features drifted',
      tables: [{ caption: 'Drift per feature', columns: ['Feature', 'Drifted'], rows: [['mean_radius', 'yes'], ['a|b', 'no']], emphasis: [0] }],
      driftedFeatures: ['mean_radius', 'mean_texture', 'worst_area'],
    },
  });
  const md = toMarkdown(r);
  assert.match(md, /^## Model Monitor check ❌ failed\n/);
  assert.match(md, /\| nan \| Training \| ❌ 1 failing \| 1 run \|/);
  assert.match(md, /Drifted features: \*\*mean_radius\*\*, \*\*mean_texture\*\*, \*\*worst_area\*\*/);
  assert.match(md, /\| \*\*mean_radius\*\* \| \*\*yes\*\* \|\n\| a\\\|b \| no \|/);
  assert.match(md, /loss &lt;NaN&gt; & "quotes" 'apos' \\\| pipe newline/);
  for (const line of md.split('\n').filter((l) => l.startsWith('|'))) {
    const header = md.split('\n').find((l, i, all) => l.startsWith('|') && all.indexOf(line) >= i && (all[i + 1] ?? '').startsWith('| ---'));
    assert.ok(header, 'every table row follows a header');
  }
});

test('Markdown sheds tables, then finding rows, to fit a PR comment', () => {
  const many = Array.from({ length: 400 }, (_, i) => raw('data_drift', 'error', `feature_${i}`, `feature_${i} drifted ${'x'.repeat(100)}`));
  const rows = Array.from({ length: 3000 }, (_, i) => [`feature_${i}`, 'yes']);
  const r = result({ predictions: { findings: many, summary: 'big', tables: [{ caption: 'Drift', columns: ['Feature', 'Drifted'], rows }] } });
  const full = toMarkdown(r, Number.MAX_SAFE_INTEGER);
  assert.ok(full.includes('<details>') && full.includes('…and 350 more findings.'));
  const fitted = toMarkdown(r);
  assert.ok(fitted.length <= 60_000);
  assert.ok(!fitted.includes('<details>'), 'tables dropped first');
  assert.ok(fitted.includes('| predictions | Predictions | ❌ 400 failing | big |'), 'the overview always stays');
  const tiny = toMarkdown(r, 2000);
  assert.ok(tiny.length <= 2000 && tiny.startsWith('## Model Monitor check ❌ failed'));
});
