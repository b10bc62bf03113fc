import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as vscode from 'vscode';
import type { ModelMonitorApi } from '../../../src/host/api';
import { extensionApi, waitFor } from '../suite/harness';

// A workspace must never be able to make the editor send requests: in restricted mode a
// configured endpoint is listed but never probed, not even once.
describe('an untrusted workspace with an endpoint', () => {
  it('lists the endpoint as off and never connects to it', async () => {
    const api = await extensionApi<ModelMonitorApi>();
    let connections = 0;
    const listener = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as net.AddressInfo;
    const settings = vscode.workspace.getConfiguration('modelmon');
    try {
      await settings.update('endpoints', [{ name: 'lure', url: `http://127.0.0.1:${port}`, protocol: 'http', intervalMs: 1000 }], vscode.ConfigurationTarget.Global);
      const listed = await waitFor(() => api.endpoints().endpoints.find((e) => e.name === 'lure'), 'the endpoint listed', 20_000);
      await new Promise((r) => setTimeout(r, 3500));
      assert.equal(listed.state, 'off');
      assert.equal(api.endpoints().status, 'Probes are off: this workspace is not trusted.');
      assert.equal(api.endpoints().endpoints[0]!.history.length, 0);
      assert.equal(connections, 0, 'the editor connected to the endpoint');
    } finally {
      await settings.update('endpoints', undefined, vscode.ConfigurationTarget.Global);
      listener.close();
    }
  });
});
