// Runs every test/unit/**/*.test.ts with node's test runner (TypeScript through tsx),
// prints the spec report, and writes the pass/fail counts to .test-output/unit-summary.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...find(p));
    else if (entry.name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const filter = process.argv.slice(2);
const files = find('test/unit').filter((f) => !filter.length || filter.some((x) => f.includes(x)));
mkdirSync('.test-output', { recursive: true });
const tap = `.test-output/unit-${process.pid}.tap`; // unique: several runs may share a checkout
const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    '--test-concurrency=2',
    // A hung test fails instead of hanging CI.
    '--test-timeout=120000',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, MODELMON_TEST: '1' } },
);
const text = readFileSync(tap, 'utf8');
rmSync(tap, { force: true });
const count = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
const summary = { passed: count('pass'), failed: count('fail'), skipped: count('skipped') + count('todo'), files: files.length };
if (result.status !== 0 && summary.failed === 0) summary.failed = 1; // a crash outside any test still fails
writeFileSync('.test-output/unit-summary.json', JSON.stringify(summary));
console.log(`unit: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped (${files.length} files)`);
process.exit(result.status ?? 1);
