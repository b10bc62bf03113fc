import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observeIntegrity } from '../../../src/core/check/integrity';
import { tagMatcher } from '../../../src/core/check/training';
import type { ManifestEntry } from '../../../src/core/integrity/manifest';

const entry = (path: string, sha256: string): ManifestEntry => ({ path, size: 10, sha256, format: 'safetensors', tensors: [] });

test('integrity: modified and missing are errors, unexpected a warning, unsafe pickles by verdict', () => {
  const { observation, view } = observeIntegrity({
    manifest: 'ckpt/manifest.json',
    report: {
      unchanged: ['a.pt'],
      changed: [{ path: 'b.safetensors', before: entry('b.safetensors', 'aaaaaaaaaaaaaaaa'), after: entry('b.safetensors', 'bbbbbbbbbbbbbbbb'), changedTensors: ['fc.weight'], addedTensors: [], removedTensors: [] }],
      missing: ['c.pt'],
      added: ['d.pt'],
    },
    scans: [
      { path: 'a.pt', verdict: 'safe', findings: [] },
      { path: 'd.pt', verdict: 'dangerous', findings: [{ severity: 'critical', message: 'calls os.system' }] },
    ],
  });
  assert.deepEqual(
    observation.findings.map((f) => [f.kind, f.severity, f.subject]),
    [
      ['modified', 'error', 'ckpt/b.safetensors'],
      ['missing', 'error', 'ckpt/c.pt'],
      ['unexpected', 'warning', 'ckpt/d.pt'],
      ['unsafe', 'error', 'ckpt/d.pt'],
    ],
  );
  assert.match(observation.findings[0]!.message, /sha256 aaaaaaaaaaaa… is now bbbbbbbbbbbb…; tensors changed: fc\.weight/);
  assert.equal(observation.summary, '3 checkpoints in the manifest: 1 modified, 1 missing; 1 not in the manifest');
  assert.deepEqual(view.files.map((f) => [f.path, f.status]), [
    ['ckpt/a.pt', 'ok'],
    ['ckpt/b.safetensors', 'modified'],
    ['ckpt/c.pt', 'missing'],
    ['ckpt/d.pt', 'unsafe'],
  ]);
  assert.deepEqual(observation.tables[0]!.emphasis, [1, 2, 3]);
});

test('tag filters: exact names and * wildcards, regex characters taken literally', () => {
  const wanted = tagMatcher(['train/loss', 'val/*', 'lr(x)']);
  assert.deepEqual(['train/loss', 'train/loss2', 'val/acc', 'val/', 'lr(x)', 'lrx'].map(wanted), [true, false, true, true, true, false]);
  assert.equal(tagMatcher([])('anything'), true);
});

test('integrity: a suspicious or malformed scan is an error in check, as it fails integrity scan', () => {
  const { observation } = observeIntegrity({
    manifest: 'ckpt/manifest.json',
    report: { unchanged: ['a.pt', 'b.pt'], changed: [], missing: [], added: [] },
    scans: [
      { path: 'a.pt', verdict: 'suspicious', findings: [{ severity: 'medium', message: 'imports collections.OrderedDict from an unknown module' }] },
      { path: 'b.pt', verdict: 'malformed', findings: [{ severity: 'high', message: 'not fully scanned: opcode budget exhausted' }] },
    ],
  });
  assert.deepEqual(
    observation.findings.map((f) => [f.kind, f.severity, f.subject]),
    [
      ['unsafe', 'error', 'ckpt/a.pt'],
      ['malformed', 'error', 'ckpt/b.pt'],
    ],
  );
});

test('training: a record read in part is an info note, a damaged record a warning', async () => {
  const { observeTraining } = await import('../../../src/core/check/training');
  const { RunStore } = await import('../../../src/core/tfevents/run-store');
  const { observation } = observeTraining({
    store: new RunStore(),
    findings: [],
    corruptions: [
      { file: 'a/events.out.tfevents.1', offset: 40, message: "record partly read: step 3, tag 'big': 115000000 int_val values, 12288 read", partial: true },
      { file: 'a/events.out.tfevents.1', offset: 900, message: 'data CRC mismatch' },
    ],
    monitorName: 'runs',
    logdir: 'runs',
    tags: [],
  });
  assert.deepEqual(
    observation.findings.filter((f) => f.kind !== 'no-runs').map((f) => [f.kind, f.severity, f.message]),
    [
      ['partly-read-record', 'info', "event record at byte 40: record partly read: step 3, tag 'big': 115000000 int_val values, 12288 read"],
      ['corrupt-record', 'warning', 'damaged event record at byte 900: data CRC mismatch'],
    ],
  );
});
