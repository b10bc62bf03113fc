import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findUnsafeLoads } from '../../../src/core/integrity/unsafe-loads';

/** Applies a finding's fix to the source, for checking the edited text. */
function applyFix(source: string, edit: { start: { line: number; character: number }; end: { line: number; character: number }; newText: string }): string {
  const lines = source.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return source.slice(0, offset(edit.start)) + edit.newText + source.slice(offset(edit.end));
}

test('torch.load without weights_only gets a finding and an insert fix', () => {
  const src = 'import torch\nsd = torch.load("m.pt", map_location="cpu")\n';
  const [f, ...rest] = findUnsafeLoads(src);
  assert.deepEqual(rest, []);
  assert.deepEqual([f!.line, f!.startColumn, f!.endColumn, f!.kind], [1, 5, 15, 'torch.load']);
  assert.equal(f!.fix!.title, 'Add weights_only=True');
  assert.equal(applyFix(src, f!.fix!.edit), 'import torch\nsd = torch.load("m.pt", map_location="cpu", weights_only=True)\n');
});

test('weights_only=False is flipped; weights_only=True is left alone', () => {
  const src = 'import torch\na = torch.load(p, weights_only=False)\nb = torch.load(p, weights_only=True)\n';
  const found = findUnsafeLoads(src);
  assert.equal(found.length, 1);
  assert.equal(found[0]!.fix!.title, 'Set weights_only=True');
  assert.equal(applyFix(src, found[0]!.fix!.edit), 'import torch\na = torch.load(p, weights_only=True)\nb = torch.load(p, weights_only=True)\n');
});

test('aliases, multi-line calls, trailing commas and empty calls', () => {
  const src = [
    'import torch as th',
    'from torch import load as tload',
    'x = th.load(',
    '    path,',
    ')',
    'y = tload()',
  ].join('\n');
  const found = findUnsafeLoads(src);
  assert.deepEqual(found.map((f) => [f.line, f.startColumn, f.endColumn, f.kind]), [[2, 4, 11, 'torch.load'], [5, 4, 9, 'torch.load']]);
  assert.equal(applyFix(src, found[0]!.fix!.edit), src.replace('    path,', '    path, weights_only=True'));
  assert.equal(applyFix(src, found[1]!.fix!.edit), src.replace('tload()', 'tload(weights_only=True)'));
});

test('pickle, joblib, dill, pandas and numpy(allow_pickle=True) loads are found without fixes', () => {
  const src = [
    'import pickle, joblib',
    'import _pickle as cPickle',
    'import numpy as np, pandas as pd',
    'from dill import loads',
    'a = pickle.load(f)',
    'b = pickle.loads(data)',
    'c = joblib.load("m.joblib")',
    'd = cPickle.loads(s)',
    'e = loads(s)',
    'f = pd.read_pickle("x.pkl")',
    'g = np.load("x.npy", allow_pickle=True)',
    'h = np.load("x.npy")',
  ].join('\n');
  const found = findUnsafeLoads(src);
  assert.deepEqual(
    found.map((f) => [f.line, f.kind, f.fix]),
    [
      [4, 'pickle.load', undefined],
      [5, 'pickle.loads', undefined],
      [6, 'joblib.load', undefined],
      [7, 'pickle.loads', undefined],
      [8, 'dill.loads', undefined],
      [9, 'pandas.read_pickle', undefined],
      [10, 'numpy.load', undefined],
    ],
  );
});

test('comments, strings and look-alike names are ignored', () => {
  const src = [
    'import torch',
    '# torch.load("commented")',
    's = "torch.load(x)"',
    'doc = """',
    'pickle.loads(b)',
    '"""',
    'model.load(x)',
    'my_torch.load(x)',
    'torch.loads(x)',
    'torch.load(p, weights_only=True)  # pickle.load(f)',
  ].join('\n');
  assert.deepEqual(findUnsafeLoads(src), []);
});

test('a computed weights_only is reported without a fix; **kwargs blocks the insert', () => {
  const found = findUnsafeLoads('import torch\ntorch.load(p, weights_only=flag)\ntorch.load(p, **opts)\n');
  assert.deepEqual(found.map((f) => [f.line, f.fix]), [[1, undefined], [2, undefined]]);
});
