// Shared helpers for the real-VS-Code suite. No mock of vscode: these drive the running workbench.
import * as vscode from 'vscode';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const EXTENSION_ID = 'modelmonitor.model-monitor';
export const outputDir = process.env.MODELMON_TEST_OUTPUT ?? join(__dirname, '../../.test-output');
export const workspaceRoot = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

/** Activates the extension and returns what activate() returned. */
export async function extensionApi<T = unknown>(): Promise<T> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in the test host`);
  return (await ext.activate()) as T;
}

/** Polls probe until it returns a value other than undefined/false, or fails naming what it waited for. */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

/** Asks the launcher for a PNG of the whole workbench page; resolves with its path. */
export async function screenshot(name: string): Promise<string> {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '_');
  const requests = join(outputDir, 'screenshot-requests');
  const done = join(requests, `${safe}.done`);
  mkdirSync(requests, { recursive: true });
  rmSync(done, { force: true });
  // Alert toasts from other monitors would cover the dashboards a screenshot is for.
  await vscode.commands.executeCommand('notifications.clearAll');
  // Let the workbench paint what the test just changed.
  await new Promise((r) => setTimeout(r, 400));
  writeFileSync(join(requests, `${safe}.req`), '');
  await waitFor(() => existsSync(done), `screenshot ${safe}`, 20_000);
  const result = readFileSync(done, 'utf8');
  rmSync(done, { force: true });
  if (result !== 'ok') throw new Error(`screenshot ${safe} failed: ${result}`);
  return join(outputDir, 'screenshots', `${safe}.png`);
}

let clicks = 0;

/**
 * Asks the launcher to click, with the real mouse, the first element inside any webview that
 * matches a CSS selector (and contains `text`, when given).
 */
export async function clickInWebview(selector: string, text?: string): Promise<void> {
  const name = `click-${++clicks}`;
  const requests = join(outputDir, 'screenshot-requests');
  const done = join(requests, `${name}.done`);
  mkdirSync(requests, { recursive: true });
  rmSync(done, { force: true });
  // Written under another name and renamed, so the launcher never reads half a request.
  writeFileSync(join(requests, `${name}.part`), JSON.stringify({ selector, text }));
  renameSync(join(requests, `${name}.part`), join(requests, `${name}.click`));
  await waitFor(() => existsSync(done), `the click on ${selector}`, 20_000);
  const result = readFileSync(done, 'utf8');
  rmSync(done, { force: true });
  if (result !== 'ok') throw new Error(`clicking ${selector} failed: ${result}`);
}

export function runCommand<T = unknown>(id: string, ...args: unknown[]): Thenable<T> {
  return vscode.commands.executeCommand<T>(id, ...args);
}

/** Asks the launcher what the Command Palette lists for `query` (each row's accessible label). */
export async function paletteEntries(query: string): Promise<string[]> {
  const name = `palette-${++clicks}`;
  const requests = join(outputDir, 'screenshot-requests');
  const done = join(requests, `${name}.done`);
  mkdirSync(requests, { recursive: true });
  rmSync(done, { force: true });
  writeFileSync(join(requests, `${name}.part`), JSON.stringify({ query }));
  renameSync(join(requests, `${name}.part`), join(requests, `${name}.palette`));
  await waitFor(() => existsSync(done), `the palette for ${query}`, 20_000);
  const result = readFileSync(done, 'utf8');
  rmSync(done, { force: true });
  if (result.startsWith('error:')) throw new Error(`the palette for ${query}: ${result}`);
  return JSON.parse(result) as string[];
}
