import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, extensionApi, screenshot, workspaceRoot } from './harness';

describe('the real VS Code host', () => {
  it('runs the extension on the workspace side of a remote workbench', async () => {
    await extensionApi();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext?.isActive, 'extension active');
    assert.equal(vscode.env.uiKind, vscode.UIKind.Web);
    assert.ok(workspaceRoot.endsWith('workspace'), `workspace is the example copy: ${workspaceRoot}`);
    // The suite's environment reaches the extension host: the stand-in nvidia-smi is on PATH.
    assert.match(process.env.PATH ?? '', /test\/fixtures\/nvidia-smi\/bin/);
    const png = await screenshot('smoke');
    assert.ok(png.endsWith('smoke.png'));
  });
});
