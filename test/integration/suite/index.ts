// Entry point the extension host loads (extensionTestsPath): runs every bundled *.test.js with
// mocha and writes the counts for the outer runner.
import Mocha from 'mocha';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export async function run(): Promise<void> {
  // MODELMON_TEST_GREP runs only the tests whose titles match, while working on one of them.
  const grep = process.env.MODELMON_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', ...(grep ? { grep } : {}) });
  for (const f of readdirSync(__dirname).sort()) if (f.endsWith('.test.js')) mocha.addFile(join(__dirname, f));
  const output = process.env.MODELMON_TEST_OUTPUT ?? join(__dirname, '../../.test-output');
  mkdirSync(output, { recursive: true });
  const failures: string[] = [];
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('fail', (t, err) => failures.push(`${t.fullTitle()}: ${(err as Error)?.message}`));
    runner.on('end', () => {
      const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      writeFileSync(
        join(output, process.env.MODELMON_SUMMARY_FILE ?? 'integration-summary.json'),
        JSON.stringify({ passed: stats.passes, failed: stats.failures, skipped: stats.pending, failures }),
      );
    });
  });
  if (failures.length) throw new Error(`${failures.length} integration test(s) failed:\n${failures.join('\n')}`);
}
