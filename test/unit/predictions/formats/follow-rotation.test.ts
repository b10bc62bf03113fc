import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RotatingLogFollower } from '../../../../src/io/predictions/rotatingFollow';
import { rotateLog } from '../../helpers/logrotate';
import { scratchDir } from '../../helpers/scratch';

const dir = scratchDir('formats-follow');
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('following a log across rename-and-create and copy-and-truncate rotations, rows appended throughout: none lost, none repeated', async () => {
  const path = join(dir, 'predictions.log');
  writeFileSync(path, '');
  const ids: number[] = [];
  let partial = '';
  const follower = new RotatingLogFollower(path, (text) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const l of lines) if (l) ids.push((JSON.parse(l) as { id: number }).id);
  });
  follower.start(7);
  const rows = 3000;
  let rotations = 0;
  for (let id = 0; id < rows; id++) {
    appendFileSync(path, JSON.stringify({ id, x: Math.sin(id), prediction: id % 3 }) + '\n');
    if (id % 250 === 249) {
      // Alternate logrotate's two styles.
      rotateLog(path, rotations++ % 2 === 0 ? 'rename' : 'copytruncate');
    }
    // Bursts of rows between pauses, so polls land before, between and after rotations.
    if (id % 37 === 0) await sleep(3);
  }
  await sleep(30);
  await follower.poll();
  await follower.dispose();
  assert.equal(rotations, 12);
  assert.equal(partial, '');
  assert.equal(ids.length, rows);
  assert.deepEqual(ids, Array.from({ length: rows }, (_, i) => i));
  // 250 rows between rotations, the last rotation after the last row: 12 generations with rows.
  assert.equal(follower.generationsSeen, 12);
});
