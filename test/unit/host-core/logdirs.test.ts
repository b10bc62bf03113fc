import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupIntoLogdirs, outermost } from '../../../src/host/training/logdirs';

const ev = (dir: string) => `${dir}/events.out.tfevents.1.host.1.0`;

test('the parent of the shallowest run directory is the log directory', () => {
  const groups = groupIntoLogdirs([ev('/ws/runs/a'), ev('/ws/runs/b/train'), ev('/ws/runs/b/val'), ev('/ws/runs/a')]);
  assert.deepEqual(groups.map((g) => [g.logdir, [...g.runs.keys()]]), [['/ws/runs', ['/ws/runs/a', '/ws/runs/b/train', '/ws/runs/b/val']]]);
  assert.equal(groups[0]!.runs.get('/ws/runs/a')!.length, 2);
});

test('separate trees give separate log directories; pinned ones claim their runs', () => {
  const files = [ev('/ws/exp1/runs/x'), ev('/ws/other/logs/y'), ev('/data/tb/z/w')];
  assert.deepEqual(groupIntoLogdirs(files).map((g) => g.logdir), ['/data/tb/z', '/ws/exp1/runs', '/ws/other/logs']);
  assert.deepEqual(groupIntoLogdirs(files, ['/data/tb']).map((g) => [g.logdir, [...g.runs.keys()]]), [
    ['/data/tb', ['/data/tb/z/w']],
    ['/ws/exp1/runs', ['/ws/exp1/runs/x']],
    ['/ws/other/logs', ['/ws/other/logs/y']],
  ]);
});

test('a log directory never lies above the workspace folder or at the file-system root', () => {
  assert.deepEqual(groupIntoLogdirs([ev('/ws'), ev('/ws/runs/a')], [], ['/ws']).map((g) => [g.logdir, [...g.runs.keys()]]), [['/ws', ['/ws', '/ws/runs/a']]]);
  assert.deepEqual(groupIntoLogdirs([ev('/ws/a')], [], ['/ws/a']).map((g) => g.logdir), ['/ws/a']);
  assert.deepEqual(groupIntoLogdirs([ev('/top')]).map((g) => g.logdir), ['/top']);
});

test('outermost drops nested and duplicate directories', () => {
  assert.deepEqual([...outermost(['/ws/runs/a', '/ws/runs', '/ws/runs', '/ws/runs2', '/data'])].sort(), ['/data', '/ws/runs', '/ws/runs2']);
});
