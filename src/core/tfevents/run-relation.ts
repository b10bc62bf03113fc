/** How a run directory relates to the run it belongs with in the tree. */
export interface RunRelation {
  /** The run (directory relative to the log root, '.' for the root) it is grouped under. */
  parent: string;
  /** 'version': Lightning's version_N; 'add_scalars': PyTorch's `<run>/<tag>_<key>`; 'hparams': add_hparams' `<run>/<unix time>`. */
  relation: 'version' | 'add_scalars' | 'hparams';
  /** What distinguishes it within the parent: 'version_0', the add_scalars key, or the time stamp. */
  key: string;
}

const UNIX_TIME = /^\d{9,11}(\.\d+)?$/;
const LIGHTNING_VERSION = /^version_\d+$/;

/**
 * Recognises the run layouts writers create beside a main run, so a tree can group them:
 * `runName` is the run's path relative to the log root, `tags` its tags (add_scalars writes the
 * main tag, with '/' as '_', in front of `_<key>` in the directory name).
 */
export function relateRun(runName: string, tags: Iterable<string>): RunRelation | undefined {
  if (runName === '.' || runName === '') return undefined;
  const slash = runName.lastIndexOf('/');
  const parent = slash < 0 ? '.' : runName.slice(0, slash);
  const base = runName.slice(slash + 1);
  if (UNIX_TIME.test(base)) return { parent, relation: 'hparams', key: base };
  if (LIGHTNING_VERSION.test(base)) return { parent, relation: 'version', key: base };
  for (const tag of tags) {
    const prefix = tag.replaceAll('/', '_') + '_';
    if (base.length > prefix.length && base.startsWith(prefix)) {
      return { parent, relation: 'add_scalars', key: base.slice(prefix.length) };
    }
  }
  return undefined;
}
