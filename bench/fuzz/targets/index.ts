import type { FuzzTarget } from '../target';
import { NvidiaSmiTarget } from './nvidia-smi';
import { PickleTarget } from './pickle';
import { csvTarget, jsonlTarget } from './predictions';
import { SafetensorsTarget } from './safetensors';
import { TfeventsTarget } from './tfevents';
import { ZipTarget } from './zip';

/** Every fuzz target by name, in the order `npm run fuzz` runs them. */
export const TARGETS: Readonly<Record<string, () => FuzzTarget>> = {
  tfevents: () => new TfeventsTarget(),
  pickle: () => new PickleTarget(),
  safetensors: () => new SafetensorsTarget(),
  zip: () => new ZipTarget(),
  csv: csvTarget,
  jsonl: jsonlTarget,
  'nvidia-smi': () => new NvidiaSmiTarget(),
};
