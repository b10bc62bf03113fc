// Builds throwaway copies of the example workspace for the check tests: a healthy one (clean runs,
// the prediction log's undrifted first 2000 rows, untouched checkpoints) and variants of it.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers/scratch';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
export const CLEAN_ROWS = 2000;

export interface WorkspaceOptions {
  /** Use the whole tabular log, which drifts from row 2000. */
  readonly drifted?: boolean;
  /** Flip bytes in digits_cnn.safetensors after the manifest was taken. */
  readonly tampered?: boolean;
  /** Extra top-level config keys (failOn, acknowledged...). */
  readonly extra?: Record<string, unknown>;
}

export function makeWorkspace(options: WorkspaceOptions = {}): string {
  const root = scratchDir('check');
  for (const run of ['lightning_digits', 'tf2_style']) cpSync(join(EXAMPLES, 'runs', run), join(root, 'runs', run), { recursive: true });
  cpSync(join(EXAMPLES, 'checkpoints'), join(root, 'checkpoints'), { recursive: true });
  const lines = readFileSync(join(EXAMPLES, 'predictions', 'tabular_dev.csv'), 'utf8').split('\n');
  const rows = options.drifted ? lines.filter(Boolean) : lines.slice(0, CLEAN_ROWS + 1);
  writeFileSync(join(root, 'predictions.csv'), rows.join('\n') + '\n');
  if (options.tampered) {
    const file = join(root, 'checkpoints', 'digits_cnn.safetensors');
    const bytes = readFileSync(file);
    for (let i = bytes.length - 64; i < bytes.length; i++) bytes[i] = bytes[i]! ^ 0x5a;
    writeFileSync(file, bytes);
  }
  const config = {
    failOn: 'error',
    training: [
      { name: 'lightning_digits', logdir: 'runs/lightning_digits' },
      { name: 'tf2_style', logdir: 'runs/tf2_style' },
    ],
    // CI policy: drift in the features fails the check (the engine rates it a warning).
    predictions: [{ name: 'tabular', log: 'predictions.csv', reference: { rows: 1000 }, window: 500, severity: { data_drift: 'error' } }],
    integrity: [{ name: 'checkpoints', manifest: 'checkpoints/manifest.json' }],
    ...options.extra,
  };
  writeFileSync(join(root, 'modelmon.json'), JSON.stringify(config, null, 2) + '\n');
  return root;
}

