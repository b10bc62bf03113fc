import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// The layers point one way: host -> io -> core. core and protocol stay pure (no VS Code, no
// Node I/O), io never reaches VS Code. This test keeps that true as the code grows.
const NODE_IO = /^(node:)?(fs|fs\/promises|child_process|net|http|https|dgram|cluster|worker_threads|os|readline|tls|dns|process)$/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(e.name)) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
  return specs;
}

function violations(layer: string, forbidden: (spec: string, file: string) => boolean): string[] {
  const bad: string[] = [];
  for (const file of sources(join('src', layer))) {
    for (const spec of importsOf(file)) if (forbidden(spec, file)) bad.push(`${relative('.', file)} imports '${spec}'`);
  }
  return bad;
}

const reachesUp = (spec: string, layers: string[]) => layers.some((l) => new RegExp(`(^|/)\\.\\./(\\.\\./)*${l}(/|$)`).test(spec));

test('core imports neither vscode nor Node I/O, nor io/host', () => {
  assert.deepEqual(
    violations('core', (s) => s === 'vscode' || NODE_IO.test(s) || reachesUp(s, ['io', 'host', 'cli'])),
    [],
  );
});

test('protocol imports neither vscode nor Node I/O', () => {
  assert.deepEqual(violations('protocol', (s) => s === 'vscode' || NODE_IO.test(s) || reachesUp(s, ['io', 'host'])), []);
});

test('io never imports vscode or host', () => {
  assert.deepEqual(violations('io', (s) => s === 'vscode' || reachesUp(s, ['host'])), []);
});

test('the cli never imports vscode or host', () => {
  assert.deepEqual(violations('cli', (s) => s === 'vscode' || reachesUp(s, ['host'])), []);
});

test('the checker itself catches a forbidden import', () => {
  assert.ok(NODE_IO.test('node:fs') && NODE_IO.test('child_process') && !NODE_IO.test('node:path'));
  assert.ok(reachesUp('../../io/tail', ['io']) && !reachesUp('./iota', ['io']));
});
