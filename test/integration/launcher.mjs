#!/usr/bin/env node
// Behaves like the VS Code binary for @vscode/test-electron's runTests: it takes the same
// arguments, starts the VS Code 1.100 server bundled in code-server, opens its workbench in
// headless Debian Chromium with the extension-test payload, and exits with the suite's code.
// It also serves the suite's requests for screenshots and for clicks inside webviews, which the
// extension host cannot reach (files under <output>/screenshot-requests).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const folder = resolve(args.find((a) => !a.startsWith('--')) ?? join(root, 'examples'));
const devPath = resolve(opt('extensionDevelopmentPath') ?? root);
const testsPath = opt('extensionTestsPath') ? resolve(opt('extensionTestsPath')) : undefined;
const output = resolve(process.env.MODELMON_TEST_OUTPUT ?? join(root, '.test-output'));
const state = join(output, 'vscode');
const extensionsDir = resolve(opt('extensions-dir') ?? join(state, 'extensions'));
const userDataDir = resolve(opt('user-data-dir') ?? join(state, 'user-data'));
const timeoutMs = Number(process.env.MODELMON_TEST_TIMEOUT_MS ?? 10 * 60 * 1000);
const keepOpen = !testsPath; // the start command: serve the workbench until interrupted

const log = (...m) => console.log('[launcher]', ...m);

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitHealthy(port, deadline) {
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('code-server did not become healthy in time');
}

let server;
let browser;
let finished = false;
async function finish(code) {
  if (finished) return;
  finished = true;
  try {
    await browser?.close();
  } catch {
    /* already gone */
  }
  // The extension host outlives a closed browser for a reconnect grace period: end the group.
  if (server?.pid) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await new Promise((r) => setTimeout(r, 300));
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => finish(130));
process.on('SIGTERM', () => finish(143));

async function main() {
  for (const d of [extensionsDir, userDataDir, join(state, 'xdg-config'), join(state, 'xdg-data'), join(state, 'xdg-cache')]) {
    mkdirSync(d, { recursive: true }); // the extensions dir must exist or the server lists none
  }
  // A quiet workbench: no welcome page, no git prompt for the repository around .test-output.
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  // Each run starts without the GPU history a previous run left in the extension's storage.
  rmSync(join(userDataDir, 'User', 'globalStorage', 'modelmonitor.model-monitor'), { recursive: true, force: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'git.openRepositoryInParentFolders': 'never',
      'git.autoRepositoryDetection': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.ignoreRecommendations': true,
      'workbench.enableExperiments': false,
      'update.mode': 'none',
      ...JSON.parse(process.env.MODELMON_USER_SETTINGS ?? '{}'),
    }, null, 2),
  );
  const requests = join(output, 'screenshot-requests');
  const shots = join(output, 'screenshots');
  rmSync(requests, { recursive: true, force: true });
  mkdirSync(requests, { recursive: true });
  mkdirSync(shots, { recursive: true });

  const port = Number(process.env.MODELMON_PORT ?? 0) || (await freePort());
  const codeServer = join(root, 'node_modules/code-server/out/node/entry.js');
  server = spawn(
    process.execPath,
    [
      codeServer,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      // The untrusted-workspace suite runs with trust on, so the folder opens in restricted mode.
      ...(process.env.MODELMON_WORKSPACE_TRUST === '1' ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      folder,
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        XDG_CONFIG_HOME: join(state, 'xdg-config'),
        XDG_DATA_HOME: join(state, 'xdg-data'),
        XDG_CACHE_HOME: join(state, 'xdg-cache'),
        // Without this the server rebuilds the extension host's environment from a login shell,
        // dropping the PATH the suite sets (the stand-in nvidia-smi lives on it).
        VSCODE_CLI: '1',
      },
    },
  );
  const serverLog = [];
  server.stdout.on('data', (d) => serverLog.push(String(d)));
  server.stderr.on('data', (d) => serverLog.push(String(d)));
  server.on('exit', (code) => {
    if (!finished) {
      console.error(serverLog.join(''));
      log(`code-server exited early (${code})`);
      finish(1);
    }
  });
  await waitHealthy(port, Date.now() + 60_000);
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(devPath)]];
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  if (keepOpen) {
    log('Model Monitor is running in VS Code. Open this URL in a browser:');
    console.log(url.replace('127.0.0.1', process.env.MODELMON_PUBLIC_HOST ?? '127.0.0.1'));
    await new Promise(() => {}); // until Ctrl+C
  }

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  let exitCode;
  const exited = new Promise((res) => {
    page.exposeFunction('codeAutomationExit', (code) => {
      exitCode = code;
      res(code);
    });
  });
  await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
    const text = Array.isArray(logArgs) ? format(...logArgs) : String(logArgs);
    // The workbench asks the (unreachable) marketplace for recommendations; that is not news.
    if (/open-vsx\.org|marketplace|ENOTFOUND/.test(text)) return;
    if (type === 'error' || type === 'warn') process.stderr.write(text + '\n');
    else process.stdout.write(text + '\n');
  });
  await page.goto(url);

  // Serve the suite's screenshot requests until it exits. Each answer is written under another
  // name and renamed: the suite waits for the file to exist, and could read it still empty.
  const answer = (name, text) => {
    writeFileSync(join(requests, `${name}.done.part`), text);
    renameSync(join(requests, `${name}.done.part`), join(requests, `${name}.done`));
  };
  let polling = true;
  const poll = (async () => {
    while (polling) {
      for (const f of existsSync(requests) ? readdirSync(requests) : []) {
        if (f.endsWith('.click')) {
          const name = f.slice(0, -6);
          let spec;
          try {
            spec = JSON.parse(readFileSync(join(requests, f), 'utf8'));
          } catch {
            continue; // not fully written yet: the next poll reads it
          }
          rmSync(join(requests, f), { force: true });
          try {
            await clickInFrames(page, spec);
            answer(name, 'ok');
          } catch (e) {
            answer(name, `error: ${e?.message ?? e}`);
          }
          continue;
        }
        if (f.endsWith('.palette')) {
          // Lists what the Command Palette offers for a query, as a user typing it would see.
          const name = f.slice(0, -8);
          let spec;
          try {
            spec = JSON.parse(readFileSync(join(requests, f), 'utf8'));
          } catch {
            continue;
          }
          rmSync(join(requests, f), { force: true });
          try {
            await page.keyboard.press('Escape');
            await page.keyboard.press('F1');
            await page.waitForSelector('.quick-input-widget input', { timeout: 5_000 });
            await page.keyboard.type(String(spec.query ?? ''));
            await new Promise((r) => setTimeout(r, 1_000));
            const labels = await page.locator('.quick-input-widget .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''));
            await page.keyboard.press('Escape');
            answer(name, JSON.stringify(labels));
          } catch (e) {
            answer(name, `error: ${e?.message ?? e}`);
          }
          continue;
        }
        if (!f.endsWith('.req')) continue;
        const name = f.slice(0, -4);
        rmSync(join(requests, f), { force: true });
        try {
          await page.screenshot({ path: join(shots, `${name}.png`) });
          answer(name, 'ok');
        } catch (e) {
          answer(name, `error: ${e}`);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const timer = setTimeout(() => {
    log(`the suite did not finish within ${timeoutMs / 1000} s`);
    polling = false;
    finish(1);
  }, timeoutMs);
  await exited;
  clearTimeout(timer);
  polling = false;
  await poll;
  log(`suite exited with code ${exitCode}`);
  await finish(exitCode === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error('[launcher]', e?.message ?? e);
  finish(1);
});

/**
 * Clicks the first element matching `selector` (and containing `text`, when given) in any frame
 * of the page: a webview's content sits two iframes deep, out of the extension host's reach.
 */
async function clickInFrames(page, { selector, text }) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      let target = frame.locator(selector);
      if (text) target = target.filter({ hasText: text });
      if ((await target.count().catch(() => 0)) > 0) {
        await target.first().click({ timeout: 5_000 });
        return;
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing matches ${selector}${text ? ` containing "${text}"` : ''} in any frame`);
}
