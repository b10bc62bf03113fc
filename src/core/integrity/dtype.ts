/**
 * Tensor element types shared by the safetensors and PyTorch readers, named as safetensors names
 * them (`F32`, `BF16`, ...), with their sizes and a decoder to float64 for numeric comparison.
 */
export type DType =
  | 'BOOL'
  | 'U8'
  | 'I8'
  | 'F8_E5M2'
  | 'F8_E4M3'
  | 'F8_E8M0'
  | 'I16'
  | 'U16'
  | 'F16'
  | 'BF16'
  | 'I32'
  | 'U32'
  | 'F32'
  | 'C64'
  | 'F64'
  | 'I64'
  | 'U64'
  | 'C128';

const SIZES: Record<DType, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  C64: 8,
  F64: 8,
  I64: 8,
  U64: 8,
  C128: 16,
};

/** True when `name` is a dtype this reader knows (safetensors spelling). */
export function isDType(name: string): name is DType {
  return Object.prototype.hasOwnProperty.call(SIZES, name);
}

/** Bytes per element of `dtype`. */
export function dtypeSize(dtype: DType): number {
  return SIZES[dtype];
}

/** torch.save pickles storages by legacy class name (`torch.FloatStorage`); this maps them to dtypes. */
const TORCH_STORAGES: Record<string, DType> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
  ComplexFloatStorage: 'C64',
  ComplexDoubleStorage: 'C128',
  Float8_e5m2Storage: 'F8_E5M2',
  Float8_e4m3fnStorage: 'F8_E4M3',
  UInt16Storage: 'U16',
  UInt32Storage: 'U32',
  UInt64Storage: 'U64',
};

/** The dtype of a torch storage class (`torch.FloatStorage` -> `F32`), or undefined if unknown. */
export function dtypeOfTorchStorage(module: string, name: string): DType | undefined {
  if (module !== 'torch') return undefined;
  return Object.prototype.hasOwnProperty.call(TORCH_STORAGES, name) ? TORCH_STORAGES[name] : undefined;
}

/** Whether the decoder below can turn this dtype into numbers (complex and fp8 are compared bytewise only). */
export function isNumericDType(dtype: DType): boolean {
  return !(dtype === 'C64' || dtype === 'C128' || dtype.startsWith('F8'));
}

function f16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes `count` elements of `dtype` from `bytes` (little-endian unless `bigEndian`) into float64.
 * Throws for dtypes without a numeric decoding (see {@link isNumericDType}).
 */
export function decodeElements(bytes: Uint8Array, dtype: DType, bigEndian = false): Float64Array {
  const size = SIZES[dtype];
  const count = Math.floor(bytes.byteLength / size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = !bigEndian;
  const out = new Float64Array(count);
  const scratch = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < count; i++) {
    const o = i * size;
    switch (dtype) {
      case 'F32':
        out[i] = view.getFloat32(o, le);
        break;
      case 'F64':
        out[i] = view.getFloat64(o, le);
        break;
      case 'F16':
        out[i] = f16ToNumber(view.getUint16(o, le));
        break;
      case 'BF16': {
        // bf16 is the top half of an f32.
        scratch.setUint32(0, view.getUint16(o, le) << 16);
        out[i] = scratch.getFloat32(0);
        break;
      }
      case 'BOOL':
      case 'U8':
        out[i] = view.getUint8(o);
        break;
      case 'I8':
        out[i] = view.getInt8(o);
        break;
      case 'I16':
        out[i] = view.getInt16(o, le);
        break;
      case 'U16':
        out[i] = view.getUint16(o, le);
        break;
      case 'I32':
        out[i] = view.getInt32(o, le);
        break;
      case 'U32':
        out[i] = view.getUint32(o, le);
        break;
      case 'I64':
        out[i] = Number(view.getBigInt64(o, le));
        break;
      case 'U64':
        out[i] = Number(view.getBigUint64(o, le));
        break;
      default:
        throw new Error(`dtype ${dtype} has no numeric decoding`);
    }
  }
  return out;
}
