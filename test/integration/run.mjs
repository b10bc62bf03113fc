// Runs the integration suite in a real VS Code (code-server's VS Code 1.100 server in headless
// Chromium) through @vscode/test-electron's runTests, on a fresh copy of examples/.
import { runTests } from '@vscode/test-electron';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const output = resolve(process.env.MODELMON_TEST_OUTPUT ?? join(root, '.test-output'));
const workspace = join(output, 'workspace');
const summaryFile = join(output, 'integration-summary.json');
rmSync(workspace, { recursive: true, force: true });
rmSync(summaryFile, { force: true });
mkdirSync(output, { recursive: true });
cpSync(join(root, 'examples'), workspace, { recursive: true });

let code = 1;
try {
  code = await runTests({
    vscodeExecutablePath: join(root, 'test/integration/launcher.mjs'),
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'dist/integration/index.js'),
    launchArgs: [workspace, `--extensions-dir=${join(output, 'vscode/extensions')}`, `--user-data-dir=${join(output, 'vscode/user-data')}`],
    extensionTestsEnv: {
      MODELMON_TEST_OUTPUT: output,
      MODELMON_TEST: '1',
      // The stand-in nvidia-smi replays a real H100's output at a real pace.
      PATH: [join(root, 'test/fixtures/nvidia-smi/bin'), process.env.PATH].join(delimiter),
    },
  });
} catch (e) {
  console.error(`integration: ${e?.message ?? e}`);
}
const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : { passed: 0, failed: 1, note: 'the suite did not report' };
if (code !== 0 && summary.failed === 0) summary.failed = 1;
writeFileSync(summaryFile, JSON.stringify(summary));
console.log(`integration: ${summary.passed} passed, ${summary.failed} failed`);
process.exit(code === 0 && summary.failed === 0 ? 0 : 1);
