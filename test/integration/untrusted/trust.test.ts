import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelMonitorApi } from '../../../src/host/api';
import { extensionApi, waitFor, workspaceRoot } from '../suite/harness';

// The workspace ships .vscode/settings.json naming its own nvidia-smi and a drift reaction
// (a task and a command). In restricted mode Model Monitor reads and shows, and runs none of it.
describe('an untrusted workspace', () => {
  let api: ModelMonitorApi;

  before(async () => {
    api = await extensionApi<ModelMonitorApi>();
    await api.ready();
  });

  it('opens in restricted mode with the extension active', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.ok(api.runs().some((r) => r.name === 'nan_divergence'), 'runs are still read and shown');
  });

  it('finds the drift, but runs neither the workspace task nor its command', async () => {
    await waitFor(() => api.alerts().some((a) => /drift/i.test(`${a.kind} ${a.message}`)) || undefined, 'a drift alert', 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(existsSync(join(workspaceRoot, 'TASK_RAN')), false, 'the workspace task ran');
    assert.equal(vscode.window.terminals.length, 0, 'the workspace command ran');
  });

  it('never runs the nvidia-smi a workspace names: the GPU comes from PATH', async () => {
    const text = await waitFor(() => {
      const t = api.gpuStatusText();
      return t && /\d+%/.test(t) ? t : undefined;
    }, 'GPU status text from the stand-in on PATH', 20_000);
    assert.match(text, /GiB/);
    assert.equal(existsSync(join(workspaceRoot, 'EXECUTABLE_RAN')), false, 'the workspace executable ran');
  });
});
