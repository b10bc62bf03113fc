// An endpoint in the Endpoints view going from up to down against the real model server
// (FastAPI + uvicorn + scikit-learn on 127.0.0.1), and the endpoint dashboard.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EndpointsState } from '../../../src/protocol/endpoints';
import type { RenderEvent } from '../../../src/host/api';
import { startModelServer, type ModelServer } from '../../servers/model-server/harness';
import { extensionApi, screenshot, waitFor, workspaceRoot } from './harness';

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
    // Golden answers and an access log beside the workspace's files, as a user would keep them.
    const dir = join(workspaceRoot, 'serving');
    mkdirSync(dir, { recursive: true });
    const infer = (data: number[]) => ({ inputs: [{ name: 'input-0', datatype: 'FP64', shape: [1, 4], data }] });
    writeFileSync(join(dir, 'golden.jsonl'), [JSON.stringify({ request: infer([5.1, 3.5, 1.4, 0.2]), expect: { model_name: 'iris', outputs: [{ name: 'probabilities' }, { data: [0] }] } }), JSON.stringify({ request: infer([6.3, 3.3, 6.0, 2.5]), expect: { outputs: [{}, { data: [2] }] } })].join('\n') + '\n');
    const lines: string[] = [];
    for (let i = 0; i < 120; i++) {
      const route = i % 3 ? '/v2/models/iris/infer' : '/v2/health/ready';
      const status = i % 40 === 7 ? 503 : 200;
      lines.push(`10.0.0.${i % 9} - - [02/Dec/2026:17:${String(10 + Math.floor(i / 30)).padStart(2, '0')}:${String((i * 2) % 60).padStart(2, '0')} +0000] "POST ${route} HTTP/1.1" ${status} ${route.endsWith('infer') ? 291 : 14} "-" "python-requests/2.31" 0.0${String(10 + (i % 17)).padStart(2, '0')}`);
    }
    writeFileSync(join(dir, 'access.log'), lines.join('\n') + '\n');
    await settings().update('endpoints', [{ name: 'iris-kserve', url: server.url, protocol: 'kserve-v2', model: 'iris', intervalMs: 1000, timeoutMs: 1000, golden: 'serving/golden.jsonl', accessLog: 'serving/access.log', slo: { p99Ms: 250 } }], vscode.ConfigurationTarget.Global);
    const up = await waitFor(() => {
      const e = api.endpoints().endpoints.find((x) => x.name === 'iris-kserve');
      return e && e.state === 'up' && e.history.length >= 3 ? e : undefined;
    }, 'the endpoint up with three probes', 30_000);
    assert.equal(up.protocol, 'kserve-v2');
    assert.equal(up.modelVersion, '1');
    assert.equal(up.url, `${server.url}/`);
    assert.ok(up.lastMs !== null && up.lastMs > 0);
    const pinned = await waitFor(() => api.endpoints().endpoints[0]?.golden ?? undefined, 'the golden answers checked', 20_000);
    assert.deepEqual([pinned.checked, pinned.mismatched.length], [2, 0]);
    const traffic = await waitFor(() => api.endpoints().endpoints[0]?.traffic ?? undefined, 'the access log read', 20_000);
    assert.deepEqual([traffic.requests, traffic.errors], [120, 3]);

    await vscode.commands.executeCommand('modelmon.endpoints.focus');
    const renders: RenderEvent[] = [];
    const sub = api.onDidRender((r) => renders.push(r));
    try {
      await vscode.commands.executeCommand('modelmon.openEndpointDashboard');
      const drawn = await waitFor(() => renders.find((r) => r.panel === 'endpoint' && r.charts === 2 && r.title === 'iris-kserve:up'), 'the endpoint dashboard drawn with its two charts', 20_000);
      assert.ok(drawn.points >= 3);
      await new Promise((r) => setTimeout(r, 3000));
      // Other monitors' notifications would cover the dashboard.
      await vscode.commands.executeCommand('notifications.clearAll');
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
      await vscode.commands.executeCommand('notifications.clearAll');
      await screenshot('endpoint-down');
    } finally {
      sub.dispose();
    }
  });
});
