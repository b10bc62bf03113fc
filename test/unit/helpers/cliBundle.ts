import { join } from 'node:path';
import { build } from 'esbuild';
import { scratchDir } from './scratch';

/**
 * Builds the CLI's bundles as scripts/build.mjs makes them (scripts/cli-bundles.mjs: cli-main.js
 * and a bundle per command), from the current sources into a private folder, and returns the path
 * of cli-main.js, which runs the CLI when started directly and requires the command's bundle
 * beside it. A private copy cannot race parallel builds of dist/, and a bundle starts in
 * milliseconds where `--import tsx` compiles for seconds under load.
 */
export async function buildCliBundle(name: string): Promise<string> {
  const dir = scratchDir(name);
  // @ts-expect-error: a build script in JavaScript, without type declarations.
  const { cliBuilds } = (await import('../../../scripts/cli-bundles.mjs')) as { cliBuilds: (common: object, outdir: string) => object[] };
  const common = { bundle: true, target: 'es2022', charset: 'ascii' as const, logLevel: 'error' as const };
  for (const options of cliBuilds(common, dir)) await build(options);
  return join(dir, 'cli-main.js');
}
