import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dataLoaderFix,
  findDataLoaders,
  placeRunFindings,
  scanScript,
  trainingLoaders,
  usesCuda,
  type LoaderScript,
  type SourceEdit,
} from '../../../src/core/tagSites';

/** Applies edits the way an editor does: all against the original text. */
function apply(source: string, edits: readonly SourceEdit[]): string {
  const lines = source.split('\n');
  const offset = (line: number, column: number) => lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + column;
  const sorted = [...edits].sort((a, b) => offset(b.span.line, b.span.column) - offset(a.span.line, a.span.column));
  let out = source;
  for (const e of sorted) out = out.slice(0, offset(e.span.line, e.span.column)) + e.newText + out.slice(offset(e.span.endLine, e.span.endColumn));
  return out;
}

const fixed = (source: string, line: number, workers = 4, pinMemory = false) => {
  const fix = dataLoaderFix(source, line, { workers, pinMemory });
  return fix && { title: fix.title, text: apply(source, fix.edits) };
};

test('finds DataLoader calls with their workers, pinned memory and shuffle, single- and multi-line', () => {
  const source = [
    'import torch',
    'from torch.utils.data import DataLoader',
    '# DataLoader(ds, num_workers=8) in a comment is no call',
    'doc = "DataLoader(ds)"',
    'train_loader = DataLoader(ds, batch_size=64, shuffle=True, num_workers=0)',
    'self.val_loader = torch.utils.data.DataLoader(',
    '    val_ds,',
    '    batch_size=256,',
    '    num_workers=args.workers,  # from the command line',
    '    pin_memory=False,',
    ')',
    'def DataLoader(x): return x',
    'class Loader(DataLoader): pass',
    'loader = DataLoader(ds, 32, False, None, None, 2, None, True)',
    'other = DataLoader(ds, **loader_kwargs)',
  ].join('\n');
  const calls = findDataLoaders(source);
  assert.deepEqual(
    calls.map((c) => [c.call, c.target, c.line, c.column, c.endColumn, c.shuffle, c.unpacked]),
    [
      ['DataLoader', 'train_loader', 4, 15, 25, true, false],
      ['torch.utils.data.DataLoader', 'self.val_loader', 5, 18, 45, undefined, false],
      ['DataLoader', 'loader', 13, 9, 19, false, false],
      ['DataLoader', 'other', 14, 8, 18, undefined, true],
    ],
  );
  assert.deepEqual(calls[0]!.numWorkers, { state: 'literal', value: 0, span: { line: 4, column: 71, endLine: 4, endColumn: 72 } });
  assert.deepEqual(calls[0]!.pinMemory, { state: 'missing' });
  assert.deepEqual(calls[1]!.numWorkers, { state: 'expression', text: 'args.workers', span: { line: 8, column: 16, endLine: 8, endColumn: 28 } });
  assert.deepEqual(calls[1]!.pinMemory, { state: 'literal', value: false, span: { line: 9, column: 15, endLine: 9, endColumn: 20 } });
  // By position: DataLoader(dataset, batch_size, shuffle, sampler, batch_sampler, num_workers, collate_fn, pin_memory).
  assert.deepEqual([calls[2]!.numWorkers.state, calls[2]!.numWorkers.state === 'literal' && calls[2]!.numWorkers.value], ['literal', 2]);
  assert.deepEqual([calls[2]!.pinMemory.state, calls[2]!.pinMemory.state === 'literal' && calls[2]!.pinMemory.value], ['literal', true]);
  assert.deepEqual(calls[3]!.numWorkers, { state: 'missing' });
  // The loader that feeds training: named train_*, else the shuffling one, else all.
  assert.deepEqual(trainingLoaders(calls).map((c) => c.target), ['train_loader']);
  assert.deepEqual(trainingLoaders(calls.slice(1)).map((c) => c.target), ['self.val_loader', 'loader', 'other']);
});

test('replaces num_workers=0 and flips pin_memory=False for CUDA, leaving the rest of the line alone', () => {
  const source = 'loader = DataLoader(ds, batch_size=64, num_workers=0, pin_memory=False)  # slow';
  assert.deepEqual(fixed(source, 0), { title: 'Set num_workers=4', text: 'loader = DataLoader(ds, batch_size=64, num_workers=4, pin_memory=False)  # slow' });
  assert.deepEqual(fixed(source, 0, 8, true), {
    title: 'Set num_workers=8 and pin_memory=True',
    text: 'loader = DataLoader(ds, batch_size=64, num_workers=8, pin_memory=True)  # slow',
  });
  // Positional zero workers.
  assert.equal(fixed('DataLoader(ds, 32, True, None, None, 0)', 0)?.text, 'DataLoader(ds, 32, True, None, None, 4)');
});

test('adds missing keywords in the layout the call already has', () => {
  // One line, no trailing comma.
  assert.equal(fixed('loader = DataLoader(ds, batch_size=64)', 0, 4, true)?.text, 'loader = DataLoader(ds, batch_size=64, num_workers=4, pin_memory=True)');
  // One line with a trailing comma, and an empty call.
  assert.equal(fixed('DataLoader(ds,)', 0)?.text, 'DataLoader(ds, num_workers=4,)');
  assert.equal(fixed('DataLoader()', 0)?.text, 'DataLoader(num_workers=4)');
  // One argument a line with a trailing comma and a comment after it: new lines, same indent, comment kept.
  const black = ['train_loader = DataLoader(', '    train_ds,', '    batch_size=64,  # fits in memory', ')'].join('\n');
  assert.equal(
    fixed(black, 0, 4, true)?.text,
    ['train_loader = DataLoader(', '    train_ds,', '    batch_size=64,  # fits in memory', '    num_workers=4,', '    pin_memory=True,', ')'].join('\n'),
  );
  // No trailing comma, a comment, and the parenthesis on the next line.
  const noComma = ['loader = DataLoader(', '\ttrain_ds,', '\tshuffle=True  # every epoch', ')'].join('\n');
  assert.equal(fixed(noComma, 0)?.text, ['loader = DataLoader(', '\ttrain_ds,', '\tshuffle=True,  # every epoch', '\tnum_workers=4', ')'].join('\n'));
  // Aligned continuation with the parenthesis after the last argument.
  const aligned = ['loader = DataLoader(train_ds,', '                    batch_size=64)'].join('\n');
  assert.equal(fixed(aligned, 0)?.text, ['loader = DataLoader(train_ds,', '                    batch_size=64,', '                    num_workers=4)'].join('\n'));
  // Several arguments on the last line: added on that line.
  const packed = ['loader = DataLoader(', '    train_ds, batch_size=64', ')'].join('\n');
  assert.equal(fixed(packed, 0)?.text, ['loader = DataLoader(', '    train_ds, batch_size=64, num_workers=4', ')'].join('\n'));
});

test('offers no fix where workers are set, computed, or may come from **kwargs', () => {
  assert.equal(fixed('DataLoader(ds, num_workers=2)', 0), undefined);
  assert.equal(fixed('DataLoader(ds, num_workers=os.cpu_count())', 0), undefined);
  assert.equal(fixed('DataLoader(ds, **kw)', 0), undefined);
  assert.equal(fixed('x = 1\nDataLoader(ds)', 0), undefined, 'no DataLoader( starts on line 0');
  assert.throws(() => dataLoaderFix('DataLoader(ds)', 0, { workers: 0, pinMemory: false }), /workers must be an integer >= 1, got 0/);
  assert.throws(() => dataLoaderFix('DataLoader(ds)', 0, { workers: 2.5, pinMemory: false }), /workers must be an integer >= 1, got 2.5/);
});

test('tells a CUDA script by torch.cuda, .cuda() or a cuda device string', () => {
  assert.equal(usesCuda('device = torch.device("cuda" if torch.cuda.is_available() else "cpu")'), true);
  assert.equal(usesCuda('model = model.to("cuda:1")'), true);
  assert.equal(usesCuda('x = x.cuda()'), true);
  assert.equal(usesCuda('# no cuda here\nmodel.to("cpu")\ns = "uses cuda"'), false);
});

test('places a run finding on the DataLoader of the script that writes the run, else on its writer', () => {
  const root = '/ws';
  const withLoader = ['from torch.utils.tensorboard import SummaryWriter', 'w = SummaryWriter("runs/slow")', 'train_loader = DataLoader(ds, num_workers=0)', 'w.add_scalar("train/loss", 1.0, 1)'].join('\n');
  const noLoader = ['from torch.utils.tensorboard import SummaryWriter', 'import torch', 'writer = SummaryWriter(log_dir="runs/fast")', 'writer.add_scalar("train/loss", 1.0, 1)'].join('\n');
  const untied = ['loader = DataLoader(ds)', 'self.log("train/acc", 1.0)'].join('\n');
  const script = (path: string, source: string): LoaderScript => ({ ...scanScript(path, source), dataLoaders: findDataLoaders(source) });
  const scripts = [script('/ws/train_slow.py', withLoader), script('/ws/train_fast.py', noLoader), script('/ws/other.py', untied)];
  const runs = [
    { name: 'slow', dir: '/ws/runs/slow', tags: ['train/loss'] },
    { name: 'fast', dir: '/ws/runs/fast', tags: ['train/loss'] },
    { name: 'elsewhere', dir: '/data/elsewhere', tags: ['train/acc'] },
    { name: 'lost', dir: '/data/lost', tags: ['x'] },
  ];
  const findings = ['slow', 'fast', 'elsewhere', 'lost', 'unknown'].map((run) => ({ run, kind: 'input-bound' }));
  const placed = placeRunFindings(scripts, runs, findings, root);
  assert.deepEqual(
    placed.map((p) => [p.path, p.span.line, p.span.column, p.span.endColumn, p.at, p.by, p.finding.run]),
    [
      // Tied by tag name only: no writer in other.py points at any run.
      ['/ws/other.py', 0, 9, 19, 'data-loader', 'tag-name', 'elsewhere'],
      ['/ws/train_fast.py', 2, 9, 22, 'writer', 'writer', 'fast'],
      ['/ws/train_slow.py', 2, 15, 25, 'data-loader', 'writer', 'slow'],
    ],
  );
  assert.equal(placed[2]!.loader?.numWorkers.state, 'literal');
});
