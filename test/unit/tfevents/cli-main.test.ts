import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../../src/cli/main';
import { captureIO } from '../helpers/cli';

test('modelmon tb through the dispatcher: exit 2 with usage for a missing directory, --help prints usage', async () => {
  const io = captureIO({ cwd: '/' });
  assert.equal(await main(['tb', '/no/such/logdir'], io), 2);
  assert.match(io.stderr(), /^modelmon tb: log directory '\/no\/such\/logdir' does not exist\nusage: modelmon tb <logdir>/);
  assert.equal(await main(['tb', '--help'], io), 0);
  assert.match(io.stdout(), /^usage: modelmon tb <logdir> \[--json\] \[--follow\] \[--no-data-crc\]/);
});
