import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { EXIT_FINDINGS, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../io';
import { ManifestError } from '../../core/integrity/manifest';
import { diffCheckpoints } from '../../io/integrity/checkpoint-diff';
import { scanCheckpoints, type FileScanReport } from '../../io/integrity/checkpoint-scan';
import { verifyManifest, writeSnapshot } from '../../io/integrity/manifest-store';

const USAGE = `usage: modelmon integrity <subcommand> [options]

  scan <files|folders...> [--json]          look for code a checkpoint would run when loaded
                                            (exit 1 unless every file is safe: dangerous,
                                            suspicious, malformed or not fully scanned fail)
  snapshot <files|folders...> --manifest F  record SHA-256, size, format and per-tensor digests
  verify --manifest F [--json]              compare files with a manifest
                                            (exit 1 if any file changed or is missing)
  diff A B [--json]                         per-tensor max |b-a| and relative L2 difference

Folders are searched for .pt .pth .bin .ckpt .pkl .safetensors files.`;

type Handler = (args: string[], io: CliIO) => Promise<number>;

function parse(args: string[], options: { manifest?: boolean }) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, ...(options.manifest ? { manifest: { type: 'string', short: 'm' } } : {}) },
    }) as { values: { json?: boolean; manifest?: string }; positionals: string[] };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

const scan: Handler = async (args, io) => {
  const { values, positionals } = parse(args, {});
  if (!positionals.length) throw new UsageError('scan needs at least one file or folder');
  const reports: FileScanReport[] = [];
  for (const p of positionals) {
    const found = await scanCheckpoints([resolve(io.cwd, p)], io.cwd);
    if (!found.length) io.err(`modelmon integrity: no checkpoint files under ${p}\n`);
    reports.push(...found);
  }
  if (values.json) io.out(JSON.stringify({ files: reports }, null, 2) + '\n');
  else {
    for (const r of reports) {
      io.out(`${r.verdict.toUpperCase().padEnd(10)} ${r.path} (${r.format})\n`);
      for (const f of r.findings) io.out(`  [${f.severity}] ${f.message}\n`);
    }
  }
  // Fail closed: a file that could not be fully scanned, or names code nobody vetted, is not safe.
  return reports.some((r) => r.verdict !== 'safe') ? EXIT_FINDINGS : EXIT_OK;
};

const snapshot: Handler = async (args, io) => {
  const { values, positionals } = parse(args, { manifest: true });
  if (!values.manifest) throw new UsageError('snapshot needs --manifest FILE');
  if (!positionals.length) throw new UsageError('snapshot needs at least one file or folder');
  const manifest = await writeSnapshot(positionals, values.manifest, io.cwd, io.signal);
  if (values.json) io.out(JSON.stringify(manifest, null, 2) + '\n');
  else {
    for (const f of manifest.files) io.out(`${f.sha256}  ${f.path} (${f.format}, ${f.tensors.length} tensors)\n`);
    io.out(`wrote ${manifest.files.length} checkpoint(s) to ${values.manifest}\n`);
  }
  return EXIT_OK;
};

const verify: Handler = async (args, io) => {
  const { values, positionals } = parse(args, { manifest: true });
  if (!values.manifest) throw new UsageError('verify needs --manifest FILE');
  if (positionals.length) throw new UsageError(`verify takes no paths (got ${positionals.join(' ')}); the manifest names them`);
  const r = await verifyManifest(values.manifest, io.cwd, io.signal);
  if (values.json) {
    const changed = r.changed.map((c) => ({
      path: c.path,
      tensors: c.changedTensors,
      addedTensors: c.addedTensors,
      removedTensors: c.removedTensors,
      sha256Before: c.before.sha256,
      sha256After: c.after.sha256,
    }));
    io.out(JSON.stringify({ unchanged: r.unchanged, changed, missing: r.missing, added: r.added }, null, 2) + '\n');
  } else {
    for (const p of r.unchanged) io.out(`unchanged  ${p}\n`);
    for (const c of r.changed) {
      const parts = [
        c.changedTensors.length ? `tensors changed: ${c.changedTensors.join(', ')}` : '',
        c.addedTensors.length ? `tensors added: ${c.addedTensors.join(', ')}` : '',
        c.removedTensors.length ? `tensors removed: ${c.removedTensors.join(', ')}` : '',
      ].filter(Boolean);
      if (!parts.length && c.after.tensors.length && !c.before.checksumOnly) parts.push('every tensor identical: only metadata or layout changed');
      io.out(`CHANGED    ${c.path}${parts.length ? ` (${parts.join('; ')})` : ''}\n`);
    }
    for (const p of r.missing) io.out(`MISSING    ${p}\n`);
    for (const p of r.added) io.out(`added      ${p}\n`);
    io.out(`${r.unchanged.length} unchanged, ${r.changed.length} changed, ${r.missing.length} missing, ${r.added.length} added\n`);
  }
  return r.changed.length || r.missing.length ? EXIT_FINDINGS : EXIT_OK;
};

const finite = (x: number) => (Number.isFinite(x) ? x : null);
const figure = (x: number) => (x === 0 || !Number.isFinite(x) ? String(x) : x.toPrecision(6));

const diff: Handler = async (args, io) => {
  const { values, positionals } = parse(args, {});
  if (positionals.length !== 2) throw new UsageError('diff needs exactly two checkpoints: A B');
  const [a, b] = positionals.map((p) => resolve(io.cwd, p)) as [string, string];
  const d = await diffCheckpoints(a, b);
  if (values.json) {
    const tensors = d.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, maxAbs: finite(t.maxAbs), relL2: finite(t.relL2), nanMismatches: t.nanMismatches }));
    io.out(JSON.stringify({ tensors, onlyInA: d.onlyInA, onlyInB: d.onlyInB, incomparable: d.incomparable }, null, 2) + '\n');
    return EXIT_OK;
  }
  const width = Math.max(6, ...d.tensors.map((t) => t.name.length));
  io.out(`${'tensor'.padEnd(width)}  ${'dtype'.padEnd(5)}  ${'max |b-a|'.padStart(12)}  ${'rel L2'.padStart(12)}\n`);
  for (const t of d.tensors) {
    io.out(`${t.name.padEnd(width)}  ${t.dtype.padEnd(5)}  ${figure(t.maxAbs).padStart(12)}  ${figure(t.relL2).padStart(12)}\n`);
  }
  for (const n of d.onlyInA) io.out(`only in A: ${n}\n`);
  for (const n of d.onlyInB) io.out(`only in B: ${n}\n`);
  for (const x of d.incomparable) io.out(`not compared: ${x.name} (${x.reason})\n`);
  return EXIT_OK;
};

const SUBCOMMANDS: Record<string, Handler> = { scan, snapshot, verify, diff };

/** `modelmon integrity scan|snapshot|verify|diff`. */
export const integrityCommand: CliCommand = {
  name: 'integrity',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    const handler = sub ? SUBCOMMANDS[sub] : undefined;
    if (!handler) throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'missing subcommand');
    try {
      return await handler(rest, io);
    } catch (e) {
      // Manifest problems are the user's input, like a bad argument.
      if (e instanceof ManifestError) throw new UsageError(e.message);
      throw e;
    }
  },
};
