// An endpoint in the Endpoints view going from up to down against the real model server
// (FastAPI + uvicorn + scikit-learn on 127.0.0.1), and the endpoint dashboard.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { EndpointsState } from '../../../src/protocol/endpoints';
import type { RenderEvent } from '../../../src/host/api';
import { startModelServer, type ModelServer } from '../../servers/model-server/harness';
import { extensionApi, screenshot, waitFor } from './harness';

interface Api {
  endpoints(): EndpointsState;
  readonly onDidRender: vscode.Event<RenderEvent>;
}

describe('Endpoints', function () {
  this.timeout(120_000);
  let server: ModelServer | undefined;
  const settings = () => vscode.workspace.getConfiguration('modelmon');

  after(async () => {
    await server?.stop();
    await settings().update('endpoints', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows an endpoint up, then down when its server stops, in the view and the dashboard', async () => {
    const api = await extensionApi<Api>();
    server = await startModelServer();
    await settings().update('endpoints', [{ name: 'iris-kserve', url: server.url, protocol: 'kserve-v2', model: 'iris', intervalMs: 1000, timeoutMs: 1000 }], vscode.ConfigurationTarget.Global);
    const up = await waitFor(() => {
      const e = api.endpoints().endpoints.find((x) => x.name === 'iris-kserve');
      return e && e.state === 'up' && e.history.length >= 3 ? e : undefined;
    }, 'the endpoint up with three probes', 30_000);
    assert.equal(up.protocol, 'kserve-v2');
    assert.equal(up.modelVersion, '1');
    assert.equal(up.url, `${server.url}/`);
    assert.ok(up.lastMs !== null && up.lastMs > 0);

    await vscode.commands.executeCommand('modelmon.endpoints.focus');
    const renders: RenderEvent[] = [];
    const sub = api.onDidRender((r) => renders.push(r));
    try {
      await vscode.commands.executeCommand('modelmon.openEndpointDashboard');
      const drawn = await waitFor(() => renders.find((r) => r.panel === 'endpoint' && r.charts === 2 && r.title === 'iris-kserve:up'), 'the endpoint dashboard drawn with its two charts', 20_000);
      assert.ok(drawn.points >= 3);
      await new Promise((r) => setTimeout(r, 3000));
      await screenshot('endpoint-dashboard');

      await server.stop();
      const down = await waitFor(() => {
        const e = api.endpoints().endpoints.find((x) => x.name === 'iris-kserve');
        return e && e.state === 'down' ? e : undefined;
      }, 'the endpoint down after its server stopped', 30_000);
      assert.match(down.lastMessage ?? '', /^connection refused: ECONNREFUSED/);
      assert.deepEqual(Object.keys(down.errors), ['refused']);
      assert.ok(down.alerts.some((a) => a.kind === 'endpoint-down'));
      await waitFor(() => renders.find((r) => r.panel === 'endpoint' && r.title === 'iris-kserve:down'), 'the dashboard redrawn down', 20_000);
      await new Promise((r) => setTimeout(r, 1500));
      await screenshot('endpoint-down');
    } finally {
      sub.dispose();
    }
  });
});
