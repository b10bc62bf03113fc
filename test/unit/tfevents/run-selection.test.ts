import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultRunSelection,
  matchRuns,
  MAX_OVERLAID_RUNS,
  runsByFindings,
  selectedRunCount,
  topRunsByFinal,
  visibleRunNames,
} from '../../../src/core/tfevents/run-selection';
import { minMaxIndices } from '../../../src/core/tfevents/overlay';

const names = Array.from({ length: 1000 }, (_, i) => `lr_${String(i).padStart(4, '0')}`);
const runs = names.map((name, i) => ({ name, lastWallTime: 1.7e9 + ((i * 37) % 1000) }));

test('a selection draws at most 100 runs in list order; shownRuns wins over hiddenRuns', () => {
  const all = visibleRunNames(names, { hiddenRuns: [] });
  assert.equal(all.length, MAX_OVERLAID_RUNS);
  assert.deepEqual([all[0], all[99]], ['lr_0000', 'lr_0099']);
  assert.deepEqual(visibleRunNames(names, { hiddenRuns: ['lr_0000'] }, 2), ['lr_0001', 'lr_0002']);
  assert.deepEqual(visibleRunNames(names, { hiddenRuns: ['lr_0500'], shownRuns: ['lr_0500', 'lr_0002', 'gone'] }), ['lr_0002', 'lr_0500']);
  assert.equal(selectedRunCount(names, { hiddenRuns: ['lr_0001'] }), 999);
});

test('the default pick of 1,000 runs: runs with findings first (errors before warnings), then the newest, in list order', () => {
  const findings = [
    { run: 'lr_0900', severity: 'warning' as const },
    { run: 'lr_0010', severity: 'error' as const },
    { run: 'lr_0900', severity: 'warning' as const },
  ];
  assert.deepEqual(runsByFindings(runs, findings), ['lr_0010', 'lr_0900']);
  const pick = defaultRunSelection(runs, findings, 5);
  // Newest wall times: i * 37 % 1000 = 999, 998, 997 at i = 27, 54, 81.
  assert.deepEqual(pick, ['lr_0010', 'lr_0027', 'lr_0054', 'lr_0081', 'lr_0900']);
  assert.deepEqual(defaultRunSelection(runs.slice(0, 3), findings, 5), ['lr_0000', 'lr_0001', 'lr_0002']);
});

test('search is a case-insensitive regex, or plain text when the regex is broken', () => {
  assert.deepEqual(matchRuns(names, 'LR_099[89]'), ['lr_0998', 'lr_0999']);
  assert.deepEqual(matchRuns(['a(b', 'ab', 'x'], 'a(b'), ['a(b']);
  assert.equal(matchRuns(names, '  ').length, 1000);
});

test('top N by final value: lowest or highest, non-finite and missing values left out, ties in list order', () => {
  const finals = new Map<string, number | null>([
    ['a', 0.5],
    ['b', 0.1],
    ['c', NaN],
    ['d', 0.1],
    ['e', null],
    ['f', 2],
  ]);
  const list = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  assert.deepEqual(topRunsByFinal(finals, list, 3, 'lowest'), ['b', 'd', 'a']);
  assert.deepEqual(topRunsByFinal(finals, list, 2, 'highest'), ['f', 'a']);
  assert.deepEqual(topRunsByFinal(finals, list, 10, 'lowest'), ['b', 'd', 'a', 'f']);
});

test('overlay thinning keeps ends, each bucket extreme and every NaN gap, in order', () => {
  const values: (number | null)[] = Array.from({ length: 1000 }, (_, i) => Math.sin(i / 10));
  values[500] = 40;
  values[501] = null;
  values[750] = -40;
  const kept = minMaxIndices(values, 100);
  assert.ok(kept.length <= 203, `kept ${kept.length}`);
  for (const i of [0, 999, 500, 501, 750]) assert.ok(kept.includes(i), `index ${i} kept`);
  assert.deepEqual([...kept].sort((a, b) => a - b), kept);
  assert.equal(new Set(kept).size, kept.length);
  assert.deepEqual(minMaxIndices([1, null, 3], 100), [0, 1, 2]);
});
