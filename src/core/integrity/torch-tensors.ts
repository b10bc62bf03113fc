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

/** Longest key kept whole in a tensor name, and longest name: a hostile pickle can key by megabytes. */
export const MAX_KEY_LENGTH = 256;
export const MAX_NAME_LENGTH = 4096;

function keyName(k: PickleValue): string {
  const text = k.kind === 'str' ? k.value : k.kind === 'int' || k.kind === 'float' || k.kind === 'bool' ? String(k.value) : `<${k.kind}>`;
  return text.length <= MAX_KEY_LENGTH ? text : `${text.slice(0, 64)}…(${text.length} characters)`;
}

/** `prefix.part`, with the middle elided past {@link MAX_NAME_LENGTH} so deep nesting stays bounded. */
function joinName(prefix: string, part: string): string {
  const name = prefix ? `${prefix}.${part}` : part;
  if (name.length <= MAX_NAME_LENGTH) return name;
  const keep = MAX_NAME_LENGTH / 2 - 1;
  return `${name.slice(0, keep)}……${name.slice(-keep)}`;
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
  const join = joinName;
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

/** The last storage element a view reads; throws if the view leaves its storage. */
function lastElement(t: TorchTensorRef): number {
  let last = t.storageOffset;
  for (let d = 0; d < t.shape.length; d++) last += (t.shape[d]! - 1) * t.stride[d]!;
  if (last >= t.storageNumel) throw new CheckpointFormatError(`tensor '${t.name}' reaches element ${last} of a ${t.storageNumel}-element storage`);
  return last;
}

/**
 * The storage span (relative byte run) of a view with more elements than the span it reads, so
 * some elements repeat (an `expand`ed tensor, stride 0); undefined for any other view. Such a view
 * is digested by the bytes it reads, bounded by its storage, never element by element.
 */
export function repeatedSpan(t: TorchTensorRef): ByteRun | undefined {
  const n = elementCount(t.shape);
  if (n === 0) return undefined;
  const span = lastElement(t) - t.storageOffset + 1;
  if (n <= span) return undefined;
  const item = dtypeSize(t.dtype);
  return { offset: t.storageOffset * item, length: span * item };
}

/**
 * The byte runs of a strided view, relative to its storage start, in row-major element order.
 * Adjacent elements merge, so a contiguous tensor is one run. Throws if the view leaves the storage.
 * Dimensions that lie back to back are merged first and the innermost contiguous block is one
 * step, so the walk takes one step a run, not one an element.
 */
export function viewRuns(t: TorchTensorRef, maxRuns = 1 << 20): ByteRun[] {
  const item = dtypeSize(t.dtype);
  if (elementCount(t.shape) === 0) return [];
  lastElement(t);
  // Size-1 dimensions move nothing; a dimension whose stride spans the next one merges with it.
  const sizes: number[] = [];
  const strides: number[] = [];
  for (let d = 0; d < t.shape.length; d++) {
    if (t.shape[d] === 1) continue;
    const k = sizes.length - 1;
    if (k >= 0 && strides[k] === t.stride[d]! * t.shape[d]!) {
      sizes[k]! *= t.shape[d]!;
      strides[k] = t.stride[d]!;
    } else {
      sizes.push(t.shape[d]!);
      strides.push(t.stride[d]!);
    }
  }
  let block = 1;
  if (sizes.length && strides[strides.length - 1] === 1) {
    block = sizes.pop()!;
    strides.pop();
  }
  const runs: ByteRun[] = [];
  const index = new Array<number>(sizes.length).fill(0);
  let element = t.storageOffset;
  let runStart = -1;
  let runLength = 0;
  for (;;) {
    if (runStart >= 0 && element * item === runStart + runLength) runLength += block * item;
    else {
      if (runStart >= 0) runs.push({ offset: runStart, length: runLength });
      if (runs.length >= maxRuns) throw new CheckpointFormatError(`tensor '${t.name}' is a view too fragmented to digest (over ${maxRuns} runs)`);
      runStart = element * item;
      runLength = block * item;
    }
    let d = index.length - 1;
    for (; d >= 0; d--) {
      element += strides[d]!;
      if (++index[d]! < sizes[d]!) break;
      element -= strides[d]! * sizes[d]!;
      index[d] = 0;
    }
    if (d < 0) break;
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
