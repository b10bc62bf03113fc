// The GPU views with the GPU source set to Prometheus: a real Prometheus on loopback scrapes the
// replay of two dcgm-exporter nodes (4 × H100 and 2 × A100), and the editor shows the cluster:
// the dashboard grouped by node and job, the status bar narrowed to the workspace's own job, and
// the XID, row-remap, hot and held-but-idle alerts in the alert centre.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Incident } from '../../../src/core/alerts';
import type { RenderEvent } from '../../../src/host/api';
import { startPrometheus, type Prometheus } from '../../servers/prometheus/harness';
import { startDcgmReplay, type DcgmReplay } from '../../servers/dcgm-exporter/server';
import { CLUSTER } from '../../servers/dcgm-exporter/exposition';
import { extensionApi, screenshot, waitFor } from './harness';

interface Api {
  gpuStatusText(): string | undefined;
  gpuStatusTooltip(): string | undefined;
  alerts(): readonly Incident[];
  readonly onDidRender: vscode.Event<RenderEvent>;
}

describe('Cluster GPUs from Prometheus', function () {
  this.timeout(180_000);
  let prom: Prometheus | undefined;
  const nodes: DcgmReplay[] = [];
  const settings = () => vscode.workspace.getConfiguration('modelmon');
  const KEYS = ['gpu.source', 'prometheus.url', 'prometheus.intervalMs', 'prometheus.statusBarMatch', 'gpu.idleAlertSeconds'];

  after(async () => {
    for (const key of KEYS) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    await prom?.stop();
    for (const n of nodes) await n.stop();
  });

  it('shows the cluster grouped by node and job, its alerts, and the workspace job in the status bar', async () => {
    const api = await extensionApi<Api>();
    for (const node of CLUSTER) nodes.push(await startDcgmReplay(node));
    prom = await startPrometheus({ scrapeConfigs: [{ job_name: 'dcgm-exporter', targets: nodes.map((n) => n.target) }] });
    await prom.waitFor('count(DCGM_FI_DEV_GPU_UTIL)', (s) => s[0]?.value[1] === '6', 30_000);

    const global = vscode.ConfigurationTarget.Global;
    await settings().update('gpu.idleAlertSeconds', 5, global);
    await settings().update('prometheus.intervalMs', 1000, global);
    await settings().update('prometheus.statusBarMatch', '{Hostname="node-a",pod="train-llm-0"}', global);
    await settings().update('prometheus.url', prom.url, global);
    await settings().update('gpu.source', 'prometheus', global);

    // The status bar: only the workspace's job, node-a's GPUs 0 and 1 (mean of 97% and 0%, memory summed, hottest).
    const text = await waitFor(() => {
      const t = api.gpuStatusText();
      return t?.includes('2 GPUs') ? t : undefined;
    }, 'the status bar to show the job\'s two GPUs', 30_000);
    assert.match(text, /^\$\((pulse|warning)\) 2 GPUs 49% 70\.9\/159\.3 GiB 71°C$/);
    const tooltip = api.gpuStatusTooltip() ?? '';
    assert.match(tooltip, /^\*\*2 × NVIDIA H100 80GB HBM3\*\*/);
    assert.match(tooltip, /\| node-a\/0 \| NVIDIA H100 80GB HBM3 \| 97% \| 69\.6 \/ 79\.6 GiB \| 71°C \| 612 W \|/);
    assert.doesNotMatch(tooltip, /node-b/);

    // Every alert, once, from the same rules as the CLI and the tree: XID 79, the failed row remap, the hot GPU,
    // and (after the 5 s idle delay) the job's idle GPU.
    const wanted = ['gpu:node-a/1 idle-training', 'gpu:node-a/2 xid', 'gpu:node-a/3 temperature', 'gpu:node-b/0 row-remap'];
    const incidents = await waitFor(() => {
      const open = api.alerts().filter((a) => a.source.startsWith('gpu:node-') && a.state !== 'resolved');
      const keys = open.map((a) => `${a.source} ${a.kind}`).sort();
      return wanted.every((w) => keys.includes(w)) ? open : undefined;
    }, 'the four cluster alerts', 45_000);
    const byKey = new Map(incidents.map((a) => [`${a.source} ${a.kind}`, a]));
    assert.equal(byKey.get('gpu:node-a/2 xid')?.message, 'GPU 2 on node-a reported XID error 79 (GPU has fallen off the bus)');
    assert.equal(byKey.get('gpu:node-b/0 row-remap')?.message, 'GPU 0 on node-b failed to remap a memory row after 3 uncorrectable remapped rows; it needs a reset or service');
    assert.equal(byKey.get('gpu:node-a/3 temperature')?.message, 'GPU 3 on node-a at 88°C, threshold 85°C');
    assert.equal(byKey.get('gpu:node-a/1 idle-training')?.message, 'GPU 1 on node-a idle (0%) for 5 s while job ml-team/train-llm-0 (container trainer) holds it');
    // The status bar's job holds the idle GPU: it turns amber.
    await waitFor(() => api.gpuStatusText()?.startsWith('$(warning) 2 GPUs') || undefined, 'the status bar to show the idle alert', 10_000);

    // The dashboard: every GPU of both nodes.
    const rendered = new Promise<RenderEvent>((resolve) => {
      const sub = api.onDidRender((r) => {
        if (r.panel === 'gpu' && r.points > 0 && r.title?.includes('A100')) {
          sub.dispose();
          resolve(r);
        }
      });
    });
    await vscode.commands.executeCommand('modelmon.openGpuDashboard');
    const r = await Promise.race([rendered, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no GPU dashboard render of the cluster')), 30_000))]);
    assert.equal(r.title, '4 × NVIDIA H100 80GB HBM3, 2 × NVIDIA A100-SXM4-80GB');
    assert.equal(r.charts, 4);
    await new Promise((res) => setTimeout(res, 1500));
    await screenshot('gpu-cluster');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
