import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';

test('modelmon tb through the dispatcher: exit 2 with usage for a missing directory, --help prints usage', async () => {
  let err = '';
  let out = '';
  const io: CliIO = { out: (t) => void (out += t), err: (t) => void (err += t), stdin: new PassThrough(), env: {}, cwd: '/', signal: new AbortController().signal };
  assert.equal(await main(['tb', '/no/such/logdir'], io), 2);
  assert.match(err, /^modelmon tb: log directory '\/no\/such\/logdir' does not exist\nusage: modelmon tb <logdir>/);
  assert.equal(await main(['tb', '--help'], io), 0);
  assert.match(out, /^usage: modelmon tb <logdir> \[--json\] \[--follow\] \[--no-data-crc\]/);
});
