#!/usr/bin/env node
// Summarises a V8 CPU profile (node --cpu-prof) as self time per function and per source file,
// the figures the README's "where the time goes" tables come from.
//   node scripts/profile-summary.mjs PROFILE.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node scripts/profile-summary.mjs PROFILE.cpuprofile [--top N]\n');
  process.exit(2);
}
const top = Number(rest[rest.indexOf('--top') + 1]) || 25;
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
// timeDeltas[i] is the time before sample i; each sample's node gets the delta that follows it.
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
}
const fn = new Map();
const files = new Map();
let total = 0;
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const where = cf.url ? `${basename(cf.url)}:${cf.lineNumber + 1}` : '(native)';
  const key = `${cf.functionName || '(anonymous)'} ${where}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const f = cf.url ? basename(cf.url) : cf.functionName || '(native)';
  files.set(f, (files.get(f) ?? 0) + us);
  total += us;
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(8)} ms`;
process.stdout.write(`total sampled ${(total / 1000).toFixed(1)} ms\n\nself time by function\n`);
for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(us)}  ${k}\n`);
process.stdout.write('\nself time by file\n');
for (const [k, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 12)) process.stdout.write(`${pct(us)}  ${k}\n`);
