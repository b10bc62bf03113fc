import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// The .vsix ships only what runs: bundles, media, schema, manifest, README and licence.
test('the package lists no sources, tests, fixtures or examples', () => {
  const listing = execFileSync(process.execPath, ['node_modules/@vscode/vsce/vsce', 'ls', '--no-dependencies'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const files = listing.split('\n').map((l) => l.trim()).filter(Boolean);
  assert.ok(files.includes('package.json'));
  const leaked = files.filter((f) => /^(src|test|examples|bench|scripts|webview|node_modules)\//.test(f) || /\.(ts|map)$/.test(f));
  assert.deepEqual(leaked, []);
});

test('the manifest targets VS Code 1.100 on the workspace side, never activating on *', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  assert.equal(pkg.engines.vscode, '^1.100.0');
  assert.match(pkg.devDependencies['@types/vscode'], /^~?1\.100\./);
  assert.deepEqual(pkg.extensionKind, ['workspace']);
  assert.ok(!pkg.activationEvents.includes('*'));
  assert.equal(readFileSync('.vscodeignore', 'utf8').split('\n').find((l: string) => l && !l.startsWith('#')), '**');
});
