// The CLI's bundles, for scripts/build.mjs and the launcher's test alike:
// - cli.js, the small entry that runs the others from V8's code cache (src/cli/launcher.ts);
// - cli-main.js, argument handling and the list of commands (about 11 KB);
// - one bundle per command, or per group of commands that import nearly the same code, loaded
//   only when one of its commands runs.
// On this machine reading a file into a string costs about 8 ms a megabyte (fresh pages), so
// `modelmon --version` read and hashed 1.7 MB of code it never ran when everything was one bundle:
// 31-37 ms beyond `node -e 0`, against 6-9 ms now.
import { readFileSync } from 'node:fs';

/** Commands in one bundle with others: they share most of their code (every monitor). */
const GROUPS = { monitors: ['check', 'report', 'watch', 'predictions'] };

/** The bundle (file name without .js) a command's module is in. */
export function commandBundle(command) {
  for (const [group, members] of Object.entries(GROUPS)) if (members.includes(command)) return `cli-cmd-${group}`;
  return `cli-cmd-${command}`;
}

/** esbuild build options for the CLI's bundles into `outdir`, given the options every bundle shares. */
export function cliBuilds(common, outdir) {
  // The commands are the modules src/cli/commands/index.ts loads.
  const commands = [...readFileSync('src/cli/commands/index.ts', 'utf8').matchAll(/import\('\.\/([a-z-]+)'\)/g)].map((m) => m[1]);
  const grouped = new Set(Object.values(GROUPS).flat());
  const node = { ...common, platform: 'node', format: 'cjs', outdir };
  // In cli-main.js each command's dynamic import becomes a require of its bundle, resolved by the launcher.
  const separate = {
    name: 'command-bundles',
    setup(build) {
      build.onResolve({ filter: /^\.\/[a-z-]+$/ }, (args) => {
        if (!/[\\/]src[\\/]cli[\\/]commands[\\/]index\.ts$/.test(args.importer)) return undefined;
        return { path: `./${commandBundle(args.path.slice(2))}.js`, external: true };
      });
    },
  };
  return [
    { ...node, entryPoints: { cli: 'src/cli/launcher.ts' }, banner: { js: '#!/usr/bin/env node' } },
    { ...node, entryPoints: { 'cli-main': 'src/cli/main.ts' }, plugins: [separate], supported: { 'dynamic-import': false } },
    {
      ...node,
      entryPoints: {
        ...Object.fromEntries(commands.filter((c) => !grouped.has(c)).map((c) => [commandBundle(c), `src/cli/commands/${c}.ts`])),
        ...Object.fromEntries(Object.keys(GROUPS).map((g) => [`cli-cmd-${g}`, `src/cli/commands/groups/${g}.ts`])),
      },
    },
  ];
}
