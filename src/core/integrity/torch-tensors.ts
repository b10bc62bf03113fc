import { dtypeOfTorchStorage, dtypeSize, type DType } from './dtype';
import { CheckpointFormatError, elementCount, type ByteRun } from './layout';
import type { PickleValue } from './pickle';

/** A tensor as torch.save's data.pkl describes it: a view into a storage. */
export interface TorchTensorRef {
  /** Dotted path from the pickled root: `c1.weight`, `model.fc.bias`, `optimizer.state.0.exp_avg`. */
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  /** Offset into the storage, in elements. */
  readonly storageOffset: number;
  /** The storage's key: the zip entry `<archive>/data/<key>`. */
  readonly storageKey: string;
  /** Elements in the whole storage, as pickled. */
  readonly storageNumel: number;
}

const TENSOR_REBUILDERS = new Set(['_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_tensor_v3']);
const PARAMETER_REBUILDERS = new Set(['_rebuild_parameter', '_rebuild_parameter_with_state']);

const TORCH_DTYPES: Record<string, DType> = {
  float32: 'F32', float: 'F32', float64: 'F64', double: 'F64', float16: 'F16', half: 'F16', bfloat16: 'BF16',
  int64: 'I64', long: 'I64', int32: 'I32', int: 'I32', int16: 'I16', short: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
  uint16: 'U16', uint32: 'U32', uint64: 'U64', complex64: 'C64', cfloat: 'C64', complex128: 'C128', cdouble: 'C128',
  float8_e5m2: 'F8_E5M2', float8_e4m3fn: 'F8_E4M3',
};

function ints(v: PickleValue | undefined): number[] | undefined {
  if (v?.kind !== 'tuple' && v?.kind !== 'list') return undefined;
  const out: number[] = [];
  for (const item of v.items) {
    if (item.kind !== 'int' || !Number.isSafeInteger(item.value) || item.value < 0) return undefined;
    out.push(item.value);
  }
  return out;
}

function isTorchGlobal(v: PickleValue, names: ReadonlySet<string>): boolean {
  return v.kind === 'global' && (v.module === 'torch._utils' || v.module === 'torch') && names.has(v.name);
}

/** Reads a rebuild_tensor call into a ref, or undefined if its arguments are not the expected shape. */
function tensorOf(call: Extract<PickleValue, { kind: 'call' }>, name: string): TorchTensorRef | undefined {
  if (call.args.kind !== 'tuple') return undefined;
  const [storage, offset, size, stride, , , dtypeArg] = call.args.items;
  if (storage?.kind !== 'persistent' || storage.id.kind !== 'tuple' || offset?.kind !== 'int') return undefined;
  const [tag, storageType, key, , numel] = storage.id.items;
  if (tag?.kind !== 'str' || tag.value !== 'storage' || key?.kind !== 'str' || numel?.kind !== 'int') return undefined;
  let dtype = storageType?.kind === 'global' ? dtypeOfTorchStorage(storageType.module, storageType.name) : undefined;
  if (!dtype && dtypeArg?.kind === 'global' && dtypeArg.module === 'torch') dtype = TORCH_DTYPES[dtypeArg.name];
  const shape = ints(size);
  const strides = ints(stride);
  if (!dtype || !shape || !strides || strides.length !== shape.length) return undefined;
  return { name, dtype, shape, stride: strides, storageOffset: offset.value, storageKey: key.value, storageNumel: numel.value };
}

function keyName(k: PickleValue): string {
  if (k.kind === 'str') return k.value;
  if (k.kind === 'int' || k.kind === 'float' || k.kind === 'bool') return String(k.value);
  return `<${k.kind}>`;
}

/**
 * Recovers every tensor of a torch.save pickle from its replayed object graph (rebuild_tensor
 * calls on persistent_load storage tuples), naming each by its path from the root. Containers
 * are visited once, so a hostile graph cannot blow up the walk; a tensor reached under two
 * names (tied weights) is listed under both.
 */
export function torchTensorsOf(root: PickleValue): TorchTensorRef[] {
  const found: TorchTensorRef[] = [];
  const seen = new Set<PickleValue>();
  const join = (prefix: string, part: string) => (prefix ? `${prefix}.${part}` : part);
  // An explicit stack keeps deep nesting from overflowing the JS stack.
  const work: [PickleValue, string][] = [[root, '']];
  while (work.length) {
    const [v, path] = work.pop()!;
    // Tied weights are one tensor under two names: record each name, but walk containers once.
    if (v.kind === 'call' && isTorchGlobal(v.callee, TENSOR_REBUILDERS)) {
      const t = tensorOf(v, path);
      if (t) found.push(t);
      continue;
    }
    if (seen.has(v)) continue;
    seen.add(v);
    const later: [PickleValue, string][] = [];
    switch (v.kind) {
      case 'dict':
        for (const [k, val] of v.entries) later.push([val, join(path, keyName(k))]);
        break;
      case 'list':
      case 'tuple':
      case 'set':
        v.items.forEach((item, i) => later.push([item, join(path, String(i))]));
        break;
      case 'call': {
        if (isTorchGlobal(v.callee, PARAMETER_REBUILDERS) && v.args.kind === 'tuple' && v.args.items[0]) {
          later.push([v.args.items[0], path]);
          break;
        }
        for (const [k, val] of v.entries) later.push([val, join(path, keyName(k))]);
        v.items.forEach((item, i) => later.push([item, join(path, String(i))]));
        if (v.state) later.push([v.state, path]);
        if (v.args.kind === 'tuple') v.args.items.forEach((item) => later.push([item, path]));
        break;
      }
      default:
        break;
    }
    // Reversed so the walk visits children in pickle order.
    for (let i = later.length - 1; i >= 0; i--) work.push(later[i]!);
  }
  return found;
}

/**
 * The byte runs of a strided view, relative to its storage start, in row-major element order.
 * Adjacent elements merge, so a contiguous tensor is one run. Throws if the view leaves the storage.
 */
export function viewRuns(t: TorchTensorRef, maxRuns = 1 << 20): ByteRun[] {
  const item = dtypeSize(t.dtype);
  const n = elementCount(t.shape);
  if (n === 0) return [];
  let last = t.storageOffset;
  for (let d = 0; d < t.shape.length; d++) last += (t.shape[d]! - 1) * t.stride[d]!;
  if (last >= t.storageNumel) throw new CheckpointFormatError(`tensor '${t.name}' reaches element ${last} of a ${t.storageNumel}-element storage`);
  const runs: ByteRun[] = [];
  const index = new Array<number>(t.shape.length).fill(0);
  let runStart = -1;
  let runLength = 0;
  for (let i = 0; i < n; i++) {
    let element = t.storageOffset;
    for (let d = 0; d < index.length; d++) element += index[d]! * t.stride[d]!;
    if (runStart >= 0 && element * item === runStart + runLength) runLength += item;
    else {
      if (runStart >= 0) runs.push({ offset: runStart, length: runLength });
      if (runs.length >= maxRuns) throw new CheckpointFormatError(`tensor '${t.name}' is a view too fragmented to digest (over ${maxRuns} runs)`);
      runStart = element * item;
      runLength = item;
    }
    for (let d = index.length - 1; d >= 0; d--) {
      if (++index[d]! < t.shape[d]!) break;
      index[d] = 0;
    }
  }
  runs.push({ offset: runStart, length: runLength });
  return runs;
}

/** Whether a view is one contiguous row-major block (so its runs are computed without a walk). */
export function contiguousRun(t: TorchTensorRef): ByteRun | undefined {
  let expected = 1;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    if (t.shape[d]! !== 1 && t.stride[d]! !== expected) return undefined;
    expected *= t.shape[d]!;
  }
  const item = dtypeSize(t.dtype);
  const n = elementCount(t.shape);
  if (t.storageOffset + n > t.storageNumel)
    throw new CheckpointFormatError(`tensor '${t.name}' reaches past its ${t.storageNumel}-element storage`);
  return { offset: t.storageOffset * item, length: n * item };
}
