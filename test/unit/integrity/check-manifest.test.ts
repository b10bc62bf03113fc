import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import { FIXTURES } from './builders';

interface CheckFinding {
  kind: string;
  severity: string;
  message: string;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** `modelmon check --json` in `dir`: its exit code and the integrity monitor's findings. */
async function check(dir: string): Promise<{ code: number; findings: CheckFinding[]; out: string }> {
  const r = await runCli(['check', '--json'], '', dir);
  const json = JSON.parse(r.out);
  const findings = (json.findings ?? json.monitors?.flatMap((m: { findings: CheckFinding[] }) => m.findings) ?? []) as CheckFinding[];
  return { code: r.code, findings, out: r.out };
}

test('check verifies a sha256sum manifest with absolute paths inside the workspace', async () => {
  const dir = scratchDir('check-abs');
  try {
    mkdirSync(join(dir, 'ckpt'));
    const model = join(dir, 'ckpt', 'model.safetensors');
    copyFileSync(join(FIXTURES, 'digits_cnn.safetensors'), model);
    writeFileSync(join(dir, 'SHA256SUMS'), `${sha(model)}  ${model}\n`);
    writeFileSync(join(dir, 'modelmon.json'), JSON.stringify({ integrity: [{ name: 'ckpt', manifest: 'SHA256SUMS' }] }));
    assert.equal((await runCli(['integrity', 'verify', '--manifest', 'SHA256SUMS'], '', dir)).code, 0);
    const r = await check(dir);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(r.findings, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('check neither reads nor hashes manifest paths outside the workspace unless allowOutside is set', async () => {
  const outside = scratchDir('check-outside-secret');
  const dir = scratchDir('check-outside');
  try {
    const secret = join(outside, 'secret.pt');
    writeFileSync(secret, 'not for the manifest to read');
    mkdirSync(join(dir, 'ckpt'));
    symlinkSync(secret, join(dir, 'ckpt', 'link.pt'));
    const bogus = '0'.repeat(64);
    writeFileSync(join(dir, 'SHA256SUMS'), `${bogus}  ${secret}\n${bogus}  ../${outside.split('/').pop()}/secret.pt\n${bogus}  ckpt/link.pt\n`);
    writeFileSync(join(dir, 'modelmon.json'), JSON.stringify({ integrity: [{ name: 'ckpt', manifest: 'SHA256SUMS' }] }));
    const r = await check(dir);
    assert.equal(r.code, 1);
    const hash = sha(secret);
    assert.ok(!r.out.includes(hash.slice(0, 12)), 'no hash prefix of the outside file is printed');
    const named = [secret, `../${outside.split('/').pop()}/secret.pt`, 'ckpt/link.pt'];
    assert.deepEqual(
      r.findings.map((f) => [f.kind, f.severity, f.message]),
      named.map((p) => [
        'outside',
        'error',
        `${p} lies outside the workspace, so it was neither read nor hashed (set "allowOutside": true on the integrity monitor to verify it)`,
      ]),
    );
    writeFileSync(join(dir, 'modelmon.json'), JSON.stringify({ integrity: [{ name: 'ckpt', manifest: 'SHA256SUMS', allowOutside: true }] }));
    const allowed = await check(dir);
    assert.deepEqual(allowed.findings.map((f) => f.kind), ['modified', 'modified', 'modified', 'malformed', 'malformed', 'malformed']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});
