import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupOfRun, severityOfFinding } from '../../../src/host/training/model';
import { formatValue, svgSparklineDataUri, thin, unicodeSparkline } from '../../../src/host/training/sparkline';

test('unicode sparklines scale finite values and mark non-finite ones', () => {
  assert.equal(unicodeSparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
  assert.equal(unicodeSparkline([1, NaN, 3, Infinity]), '▁×█×');
  assert.equal(unicodeSparkline([2, 2, 2]), '▄▄▄');
});

test('thin keeps the first and last points and at most max', () => {
  const values = Array.from({ length: 1000 }, (_, k) => k);
  const out = thin(values, 10);
  assert.equal(out.length, 10);
  assert.deepEqual([out[0], out[9]], [0, 999]);
  assert.deepEqual(thin([1, 2], 10), [1, 2]);
});

test('the SVG sparkline is a data URI with one line per finite stretch and a mark per gap', () => {
  const uri = svgSparklineDataUri([1, 2, NaN, 3, 4]);
  assert.match(uri, /^data:image\/svg\+xml;base64,/);
  const svg = Buffer.from(uri.split(',')[1]!, 'base64').toString('utf8');
  assert.equal(svg.match(/<polyline/g)?.length, 2);
  assert.equal(svg.match(/<line /g)?.length, 1);
});

test('values format compactly, NaN and infinities spelled out', () => {
  assert.deepEqual([formatValue(2.622049), formatValue(0.0001234), formatValue(1.74e6), formatValue(NaN), formatValue(-Infinity), formatValue(null), formatValue(0)], [
    '2.622',
    '1.23e-4',
    '1.74e+6',
    'NaN',
    '-Inf',
    '–',
    '0',
  ]);
});

test('findings map to severities by kind, groups to the first path segment', () => {
  assert.deepEqual(
    ['non-finite', 'divergence', 'overfitting', 'plateau', 'loss-spike'].map((k) => severityOfFinding(k, 'info')),
    ['error', 'error', 'warning', 'warning', 'info'],
  );
  assert.equal(severityOfFinding('exploding-gradients', 'error'), 'error');
  assert.equal(groupOfRun('diverge_lr5/loss_compare_train'), 'diverge_lr5');
});
