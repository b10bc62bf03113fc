import type { RawRecord } from './row';
import { flattenRecord } from './schema';

/** One row of a labels file: the prediction it joins to and its ground-truth label. */
export interface LabelPair {
  readonly key: string;
  readonly label: string;
}

/**
 * Reads (join key, label) pairs from the raw records of a labels file, JSON Lines or CSV; undefined
 * when either value is missing or empty. CSV column positions are looked up once per header, not per row.
 */
export function labelPairReader(joinKey: string, labelColumn: string): (raw: RawRecord, header: readonly string[] | undefined) => LabelPair | undefined {
  let seenHeader: readonly string[] | undefined;
  let keyAt = -1;
  let labelAt = -1;
  return (raw, header) => {
    let key: unknown;
    let label: unknown;
    if (raw.kind === 'json') {
      const flat = flattenRecord(raw.value);
      key = flat.get(joinKey);
      label = flat.get(labelColumn);
    } else {
      if (header !== seenHeader) {
        seenHeader = header;
        keyAt = header?.indexOf(joinKey) ?? -1;
        labelAt = header?.indexOf(labelColumn) ?? -1;
      }
      // A missing column reads as undefined, as fields[-1] always has.
      key = keyAt < 0 ? undefined : raw.fields[keyAt];
      label = labelAt < 0 ? undefined : raw.fields[labelAt];
    }
    if (key === undefined || key === null || key === '' || label === undefined || label === null || label === '') return undefined;
    return { key: String(key), label: String(label) };
  };
}
