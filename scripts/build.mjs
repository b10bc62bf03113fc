// One esbuild script for every bundle: the extension host, the webview, the CLI (its entry, its
// body and its commands), the TensorBoard read worker and the benchmark; plus the integration suite when tests are built. --watch rebuilds on change,
// --production minifies and drops source maps for packaging.
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { cliBuilds } from './cli-bundles.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
  // Every bundle is ASCII (other characters escaped): the CLI's launcher reads its body as latin1.
  charset: 'ascii',
};

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    platform: 'node',
    format: 'cjs',
    outdir: 'dist',
    external: ['vscode'],
  },
  // The CLI: its entry, its body and a bundle per command (scripts/cli-bundles.mjs).
  ...cliBuilds(common, 'dist'),
  {
    ...common,
    // The worker threads of a first read of many TensorBoard runs (src/io/tfevents/read-threads.ts),
    // for the extension and the CLI alike: both look for it beside their own bundle.
    entryPoints: { 'tfevents-worker': 'src/io/tfevents/read-worker.ts' },
    platform: 'node',
    format: 'cjs',
    outdir: 'dist',
  },
  {
    ...common,
    entryPoints: { webview: 'webview/main.ts' },
    platform: 'browser',
    format: 'iife',
    outdir: 'dist',
  },
];
if (!production) {
  builds.push(
    {
      ...common,
      entryPoints: { bench: 'bench/main.ts', fuzz: 'bench/fuzz/main.ts' },
      platform: 'node',
      format: 'cjs',
      outdir: 'dist',
    },
    {
      ...common,
      // Each suite file is its own bundle so mocha can load them one by one in the extension host.
      entryPoints: Object.fromEntries(
        readdirSync('test/integration/suite')
          .filter((f) => f.endsWith('.ts') && (f === 'index.ts' || f.endsWith('.test.ts')))
          .map((f) => [f.replace(/\.ts$/, ''), `test/integration/suite/${f}`]),
      ),
      platform: 'node',
      format: 'cjs',
      outdir: 'dist/integration',
      external: ['vscode', 'mocha'],
    },
    {
      ...common,
      // The untrusted-workspace suite: a separate run with workspace trust on.
      entryPoints: Object.fromEntries([
        ['index', 'test/integration/suite/index.ts'],
        ...readdirSync('test/integration/untrusted')
          .filter((f) => f.endsWith('.test.ts'))
          .map((f) => [f.replace(/\.ts$/, ''), `test/integration/untrusted/${f}`]),
      ]),
      platform: 'node',
      format: 'cjs',
      outdir: 'dist/integration-untrusted',
      external: ['vscode', 'mocha'],
    },
  );
}

// Stale suite bundles of deleted tests must not run.
rmSync('dist/integration', { recursive: true, force: true });
rmSync('dist/integration-untrusted', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
// Nor may the bundle of a command that no longer exists.
for (const f of readdirSync('dist')) if (/^cli-cmd-.*\.js(\.map)?$/.test(f)) rmSync(`dist/${f}`);
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('build: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
