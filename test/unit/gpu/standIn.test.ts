import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { standInDescription } from '../../../src/host/gpu/standIn';

const fixtures = join(__dirname, '../../fixtures');

test('each stand-in GPU tool announces what it replays', () => {
  assert.equal(standInDescription(join(fixtures, 'nvidia-smi/bin/nvidia-smi')), 'output recorded on an NVIDIA H100 (driver 580.159.04), replayed in a loop');
  assert.equal(standInDescription(join(fixtures, 'amd-smi/bin/amd-smi')), "amd-smi output constructed from the tool's source (2 × AMD Instinct MI300X), replayed");
  assert.equal(standInDescription(join(fixtures, 'rocm-smi/bin/rocm-smi')), "rocm-smi output constructed from the tool's source, replayed");
});

test('a real tool (no marker) or a missing file is not a replay', () => {
  assert.equal(standInDescription(process.execPath), null);
  assert.equal(standInDescription('/nonexistent/nvidia-smi'), null);
});
