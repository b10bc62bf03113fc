// Runs the integration suites in a real VS Code (code-server's VS Code 1.100 server in headless
// Chromium) through @vscode/test-electron's runTests: the main suite on a fresh copy of
// examples/, then the untrusted-workspace suite with workspace trust on.
import { runTests } from '@vscode/test-electron';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const output = resolve(process.env.MODELMON_TEST_OUTPUT ?? join(root, '.test-output'));
const summaryFile = join(output, 'integration-summary.json');
rmSync(summaryFile, { force: true });
mkdirSync(output, { recursive: true });

async function suite({ name, workspace, testsDir, env = {} }) {
  const summaryName = `integration-${name}-summary.json`;
  rmSync(join(output, summaryName), { force: true });
  let code = 1;
  try {
    code = await runTests({
      vscodeExecutablePath: join(root, 'test/integration/launcher.mjs'),
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, testsDir, 'index.js'),
      launchArgs: [workspace, `--extensions-dir=${join(output, 'vscode/extensions')}`, `--user-data-dir=${join(output, `vscode/user-data-${name}`)}`],
      extensionTestsEnv: {
        MODELMON_TEST_OUTPUT: output,
        MODELMON_TEST: '1',
        MODELMON_SUMMARY_FILE: summaryName,
        ...(process.env.MODELMON_TEST_GREP ? { MODELMON_TEST_GREP: process.env.MODELMON_TEST_GREP } : {}),
        // The stand-in nvidia-smi replays a real H100's output at a real pace; the AMD stand-ins
        // come after it, so `auto` picks NVIDIA unless a test asks for amd-smi or rocm-smi.
        PATH: [join(root, 'test/fixtures/nvidia-smi/bin'), join(root, 'test/fixtures/amd-smi/bin'), join(root, 'test/fixtures/rocm-smi/bin'), process.env.PATH].join(delimiter),
        ...env,
      },
    });
  } catch (e) {
    console.error(`integration (${name}): ${e?.message ?? e}`);
  }
  const file = join(output, summaryName);
  const summary = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { passed: 0, failed: 1, note: 'the suite did not report' };
  if (code !== 0 && summary.failed === 0) summary.failed = 1;
  return summary;
}

const main = join(output, 'workspace');
rmSync(main, { recursive: true, force: true });
cpSync(join(root, 'examples'), main, { recursive: true });
const results = [await suite({ name: 'main', workspace: main, testsDir: 'dist/integration' })];

// A workspace that names its own executable and drift reaction in .vscode/settings.json.
const untrusted = join(output, 'untrusted-workspace');
rmSync(untrusted, { recursive: true, force: true });
cpSync(join(root, 'examples'), untrusted, { recursive: true });
cpSync(join(root, 'test/integration/untrusted-workspace'), untrusted, { recursive: true });
const settingsFile = join(untrusted, '.vscode/settings.json');
writeFileSync(
  settingsFile,
  readFileSync(settingsFile, 'utf8').replace('${workspaceFolder}', untrusted),
);
results.push(
  await suite({ name: 'untrusted', workspace: untrusted, testsDir: 'dist/integration-untrusted', env: { MODELMON_WORKSPACE_TRUST: '1' } }),
);

const summary = {
  passed: results.reduce((n, r) => n + r.passed, 0),
  failed: results.reduce((n, r) => n + r.failed, 0),
};
writeFileSync(summaryFile, JSON.stringify(summary));
console.log(`integration: ${summary.passed} passed, ${summary.failed} failed`);
process.exit(summary.failed === 0 ? 0 : 1);
