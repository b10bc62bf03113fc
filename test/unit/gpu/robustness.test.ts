import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { probeGpus } from '../../../src/io/gpu/probe';
import { STAND_IN_BIN } from './helpers';

test('a --gpu index the machine lacks is named in the error, not just "no GPU lines"', async () => {
  const r = await probeGpus({ executable: join(STAND_IN_BIN, 'nvidia-smi'), gpuIndex: 7, env: { ...process.env }, timeoutMs: 10_000 });
  assert.equal(r.kind, 'error');
  assert.match(r.kind === 'error' ? r.message : '', /^no GPU with index 7: nvidia-smi printed no GPU lines/);
});
