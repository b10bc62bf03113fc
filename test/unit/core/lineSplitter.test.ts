import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, type LineProblem, type LogLine } from '../../../src/core/lineSplitter';
import { LineSplitter as GpuLineSplitter } from '../../../src/core/gpu/lines';

function splitter(max?: number) {
  const lines: LogLine[] = [];
  const problems: LineProblem[] = [];
  const s = new LineSplitter((l) => lines.push(l), (p) => problems.push(p), max);
  return { s, lines, problems };
}

test('a line and a \\r\\n split across chunks come out whole, numbered from 1', () => {
  const { s, lines } = splitter();
  s.push('alpha\r');
  assert.deepEqual(lines, []);
  assert.equal(s.lineNumber, 1);
  s.push('\nbe');
  s.push('ta\n\ngam');
  assert.deepEqual(lines, [{ text: 'alpha', line: 1 }, { text: 'beta', line: 2 }, { text: '', line: 3 }]);
  assert.equal(s.lineNumber, 4);
  s.end();
  assert.deepEqual(lines[3], { text: 'gam', line: 4 });
});

test('end() flushes nothing after a final newline; reset() forgets the partial line and renumbers', () => {
  const { s, lines } = splitter();
  s.push('a\n');
  s.end();
  assert.deepEqual(lines, [{ text: 'a', line: 1 }]);
  s.push('half');
  s.reset();
  s.push('b\n');
  assert.deepEqual(lines[1], { text: 'b', line: 1 });
});

test('the cap: a line of exactly max characters is kept, one more (a \\r included) is skipped', () => {
  const { s, lines, problems } = splitter(3);
  s.push('abc\nabcd\nab\r\nabc\r\nok\n');
  assert.deepEqual(lines.map((l) => [l.text, l.line]), [['abc', 1], ['ab', 3], ['ok', 5]]);
  assert.deepEqual(problems, [
    { line: 2, message: 'line 2 is longer than 3 characters (4); skipped' },
    { line: 4, message: 'line 4 is longer than 3 characters (4); skipped' },
  ]);
});

test('an endless line over many chunks is one problem, counted in full, and the next line survives', () => {
  const { s, lines, problems } = splitter(10);
  for (let i = 0; i < 5; i++) s.push('x'.repeat(25));
  s.push('y\nnext');
  s.end();
  assert.deepEqual(problems, [{ line: 1, message: 'line 1 is longer than 10 characters (126); skipped' }]);
  assert.deepEqual(lines, [{ text: 'next', line: 2 }]);
});

test('an over-long line cut off by end() is reported, not emitted', () => {
  const { s, lines, problems } = splitter(4);
  s.push('ok\ntoo long');
  s.end();
  assert.deepEqual(lines, [{ text: 'ok', line: 1 }]);
  assert.deepEqual(problems, [{ line: 2, message: 'line 2 is longer than 4 characters (8); skipped' }]);
});

test('the nvidia-smi reader returns each chunk\'s lines and counts one overflow per over-long line', () => {
  const s = new GpuLineSplitter(10);
  assert.deepEqual(s.push('0, 31\r\n1, 4'), ['0, 31']);
  for (let i = 0; i < 3; i++) assert.deepEqual(s.push('z'.repeat(25)), []);
  assert.deepEqual(s.push('\n2, 7\n'), ['2, 7']);
  assert.equal(s.overflows, 1);
  // Output that never ends in a newline stays buffered: nvidia-smi's last line is never guessed.
  assert.deepEqual(s.push('3, 1'), []);
});
