/**
 * A symbolic pickle machine: it decodes every opcode of protocols 0-5 and replays the stack,
 * memo and marks with inert values, so imports, calls and the rebuilt object graph can be
 * inspected without executing anything. Opcode facts follow CPython's Lib/pickletools.py.
 */

/** An inert stand-in for what an unpickler would have built. */
export type PickleValue =
  | { readonly kind: 'none' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bytes'; readonly length: number }
  | { readonly kind: 'tuple'; readonly items: PickleValue[] }
  | { readonly kind: 'list'; readonly items: PickleValue[] }
  | { readonly kind: 'set'; readonly items: PickleValue[] }
  | { readonly kind: 'dict'; readonly entries: [PickleValue, PickleValue][] }
  | { readonly kind: 'global'; readonly module: string; readonly name: string }
  /** What REDUCE, NEWOBJ, OBJ or INST would have returned; SETITEMS/APPENDS/BUILD on it are recorded. */
  | {
      readonly kind: 'call';
      readonly callee: PickleValue;
      readonly args: PickleValue;
      readonly entries: [PickleValue, PickleValue][];
      readonly items: PickleValue[];
      state?: PickleValue;
    }
  | { readonly kind: 'persistent'; readonly id: PickleValue }
  | { readonly kind: 'opaque'; readonly what: string };

/** Opcodes that import a global. */
export type ImportOpcode = 'GLOBAL' | 'STACK_GLOBAL' | 'INST' | 'EXT';
/** Opcodes that call something. */
export type CallOpcode = 'REDUCE' | 'INST' | 'OBJ' | 'NEWOBJ' | 'NEWOBJ_EX';

/** A global the pickle imports; `module` is empty when STACK_GLOBAL's operands are not constants. */
export interface PickleImport {
  readonly module: string;
  readonly name: string;
  readonly opcode: ImportOpcode;
  readonly offset: number;
  /** False for STACK_GLOBAL on computed operands and for EXT codes (resolved by copyreg at load time). */
  readonly resolved: boolean;
}

/** A call the unpickler would make; `callee` is undefined when the target is not an imported global. */
export interface PickleCall {
  readonly callee: { readonly module: string; readonly name: string } | undefined;
  readonly opcode: CallOpcode;
  readonly offset: number;
}

/** Everything learned from one pickle. */
export interface PickleAnalysis {
  /** Highest protocol seen (PROTO operand, else 0-2 inferred from opcodes). */
  readonly protocol: number;
  readonly imports: readonly PickleImport[];
  readonly calls: readonly PickleCall[];
  readonly opcodeCount: number;
  /** Offset just past STOP (or where decoding failed). */
  readonly end: number;
  /** The value STOP would return, when decoding succeeded. */
  readonly result: PickleValue | undefined;
  /** Why the pickle is malformed, with the byte offset of the failing opcode. */
  readonly error: PickleError | undefined;
}

/**
 * Why an analysis stopped: `truncated` means it needed bytes past the end of the data it was given
 * (so a longer window may let it go on), `budget` that it ran past the opcode budget, `invalid` anything else.
 */
export interface PickleError {
  readonly message: string;
  readonly offset: number;
  readonly kind: 'truncated' | 'budget' | 'invalid';
}

class MalformedPickle extends Error {
  constructor(
    message: string,
    readonly kind: PickleError['kind'] = 'invalid',
  ) {
    super(message);
  }
}

/**
 * Every opcode may allocate a value; past this many the analysis stops, so time and memory stay
 * bounded. A torch.save pickle takes about 40 opcodes a tensor, so 200,000 tensors fit twice over.
 */
export const MAX_OPCODES = 16_000_000;

/** BININT1 operands are shared, so a flood of small ints allocates nothing. */
const SMALL_INTS: readonly PickleValue[] = Array.from({ length: 256 }, (_, value) => ({ kind: 'int', value }));

const NONE: PickleValue = { kind: 'none' };

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

function rawUnicodeEscape(bytes: Uint8Array): string {
  const s = latin1.decode(bytes);
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a: string | undefined, b: string | undefined) => {
    const cp = parseInt((a ?? b)!, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  });
}

/** Undoes Python's repr() quoting of a protocol-0 STRING operand. */
function unquote(text: string): string {
  const q = text[0];
  if (text.length < 2 || (q !== "'" && q !== '"') || text[text.length - 1] !== q) throw new MalformedPickle('STRING operand is not quoted');
  const body = text.slice(1, -1);
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };
  return body.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : simple[e] ?? '\\' + e));
}

function signedLittleEndian(bytes: Uint8Array): number {
  if (bytes.byteLength === 0) return 0;
  let v = 0n;
  for (let i = bytes.byteLength - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.byteLength - 1]! & 0x80) v -= 1n << BigInt(8 * bytes.byteLength);
  return Number(v);
}

/**
 * Replays one pickle starting at `start` without executing it. Never throws: a truncated pickle,
 * an unknown opcode, a stack underflow or more than `maxOpcodes` opcodes comes back in `error`.
 */
export function analyzePickle(bytes: Uint8Array, start = 0, maxOpcodes = MAX_OPCODES): PickleAnalysis {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const imports: PickleImport[] = [];
  const calls: PickleCall[] = [];
  const stack: PickleValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = start;
  let opStart = start;
  let protocol = 0;
  let opcodeCount = 0;

  const need = (n: number): number => {
    if (n < 0) throw new MalformedPickle('negative operand length');
    if (pos + n > bytes.byteLength) throw new MalformedPickle('pickle data is truncated', 'truncated');
    const at = pos;
    pos += n;
    return at;
  };
  const take = (n: number): Uint8Array => {
    const at = need(n);
    return bytes.subarray(at, at + n);
  };
  const u8 = () => view.getUint8(need(1));
  const u16 = () => view.getUint16(need(2), true);
  const u32 = () => view.getUint32(need(4), true);
  const u64 = (): number => {
    const v = view.getBigUint64(need(8), true);
    if (v > BigInt(bytes.byteLength)) throw new MalformedPickle('pickle data is truncated', 'truncated');
    return Number(v);
  };
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) throw new MalformedPickle('pickle data is truncated (unterminated text operand)', 'truncated');
    const text = utf8.decode(bytes.subarray(pos, nl));
    pos = nl + 1;
    return text;
  };
  const pop = (): PickleValue => {
    if (stack.length <= (marks[marks.length - 1] ?? 0)) throw new MalformedPickle('stack underflow');
    return stack.pop()!;
  };
  const top = (): PickleValue => {
    if (stack.length <= (marks[marks.length - 1] ?? 0)) throw new MalformedPickle('stack underflow');
    return stack[stack.length - 1]!;
  };
  const popMark = (): PickleValue[] => {
    const mark = marks.pop();
    if (mark === undefined) throw new MalformedPickle('no MARK to pop to');
    return stack.splice(mark);
  };
  const importGlobal = (module: string, name: string, opcode: ImportOpcode, resolved = true): PickleValue => {
    imports.push({ module, name, opcode, offset: opStart, resolved });
    return { kind: 'global', module, name };
  };
  const call = (callee: PickleValue, args: PickleValue, opcode: CallOpcode): PickleValue => {
    calls.push({ callee: callee.kind === 'global' ? { module: callee.module, name: callee.name } : undefined, opcode, offset: opStart });
    return { kind: 'call', callee, args, entries: [], items: [] };
  };
  const setItems = (target: PickleValue, pairs: PickleValue[]): void => {
    if (pairs.length % 2) throw new MalformedPickle('odd number of items for SETITEMS');
    const entries = target.kind === 'dict' || target.kind === 'call' ? target.entries : undefined;
    if (!entries) throw new MalformedPickle(`SETITEM on a ${target.kind}`);
    for (let i = 0; i < pairs.length; i += 2) entries.push([pairs[i]!, pairs[i + 1]!]);
  };
  const appendItems = (target: PickleValue, items: PickleValue[]): void => {
    // A loop, not push(...items): a spread of 200k arguments overflows the call stack.
    if (target.kind === 'list' || target.kind === 'call' || target.kind === 'set') for (const item of items) target.items.push(item);
    else throw new MalformedPickle(`APPEND on a ${target.kind}`);
  };
  const memoGet = (key: number): PickleValue => {
    const v = memo.get(key);
    if (v === undefined) throw new MalformedPickle(`memo key ${key} was never stored`);
    return v;
  };
  const decimal = (text: string, what: string): number => {
    if (!/^-?\d+L?$/.test(text.trim())) throw new MalformedPickle(`${what} operand is not an integer`);
    return Number(text.trim().replace(/L$/, ''));
  };

  let result: PickleValue | undefined;
  let error: PickleAnalysis['error'];
  try {
    for (;;) {
      opStart = pos;
      const op = u8();
      if (++opcodeCount > maxOpcodes) throw new MalformedPickle(`pickle too large to analyse (over ${maxOpcodes} opcodes)`, 'budget');
      switch (op) {
        case 0x28: // MARK
          marks.push(stack.length);
          break;
        case 0x2e: // STOP
          result = pop();
          return { protocol, imports, calls, opcodeCount, end: pos, result, error: undefined };
        case 0x30: // POP
          if (stack.length === (marks[marks.length - 1] ?? -1)) marks.pop();
          else pop();
          break;
        case 0x31: // POP_MARK
          popMark();
          break;
        case 0x32: // DUP
          stack.push(top());
          break;
        case 0x46: // FLOAT
          stack.push({ kind: 'float', value: Number(line()) });
          break;
        case 0x49: {
          // INT (protocol 0 also spells booleans as 00/01)
          const t = line();
          stack.push(t === '00' ? { kind: 'bool', value: false } : t === '01' ? { kind: 'bool', value: true } : { kind: 'int', value: decimal(t, 'INT') });
          break;
        }
        case 0x4a: // BININT
          stack.push({ kind: 'int', value: view.getInt32(need(4), true) });
          break;
        case 0x4b: // BININT1
          stack.push(SMALL_INTS[u8()]!);
          break;
        case 0x4c: // LONG
          stack.push({ kind: 'int', value: decimal(line(), 'LONG') });
          break;
        case 0x4d: // BININT2
          stack.push({ kind: 'int', value: u16() });
          break;
        case 0x4e: // NONE
          stack.push(NONE);
          break;
        case 0x50: // PERSID
          stack.push({ kind: 'persistent', id: { kind: 'str', value: line() } });
          break;
        case 0x51: // BINPERSID
          stack.push({ kind: 'persistent', id: pop() });
          break;
        case 0x52: {
          // REDUCE
          const args = pop();
          stack.push(call(pop(), args, 'REDUCE'));
          break;
        }
        case 0x53: // STRING
          stack.push({ kind: 'str', value: unquote(line()) });
          break;
        case 0x54: // BINSTRING
          stack.push({ kind: 'str', value: latin1.decode(take(view.getInt32(need(4), true))) });
          break;
        case 0x55: // SHORT_BINSTRING
          stack.push({ kind: 'str', value: latin1.decode(take(u8())) });
          break;
        case 0x56: {
          // UNICODE (raw-unicode-escape up to a newline)
          const nl = bytes.indexOf(0x0a, pos);
          if (nl < 0) throw new MalformedPickle('pickle data is truncated (unterminated text operand)', 'truncated');
          const text = rawUnicodeEscape(take(nl - pos));
          need(1);
          stack.push({ kind: 'str', value: text });
          break;
        }
        case 0x58: // BINUNICODE
          stack.push({ kind: 'str', value: utf8.decode(take(u32())) });
          break;
        case 0x8c: // SHORT_BINUNICODE
          stack.push({ kind: 'str', value: utf8.decode(take(u8())) });
          break;
        case 0x8d: // BINUNICODE8
          stack.push({ kind: 'str', value: utf8.decode(take(u64())) });
          break;
        case 0x42: // BINBYTES
          stack.push({ kind: 'bytes', length: take(u32()).byteLength });
          break;
        case 0x43: // SHORT_BINBYTES
          stack.push({ kind: 'bytes', length: take(u8()).byteLength });
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          stack.push({ kind: 'bytes', length: take(u64()).byteLength });
          break;
        case 0x61: {
          // APPEND
          const v = pop();
          appendItems(top(), [v]);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = popMark();
          appendItems(top(), items);
          break;
        }
        case 0x62: {
          // BUILD
          const state = pop();
          const target = top();
          if (target.kind === 'call') target.state = state;
          break;
        }
        case 0x63: {
          // GLOBAL
          const module = line();
          stack.push(importGlobal(module, line(), 'GLOBAL'));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = pop();
          const module = pop();
          if (module.kind === 'str' && name.kind === 'str') stack.push(importGlobal(module.value, name.value, 'STACK_GLOBAL'));
          else stack.push(importGlobal('', '', 'STACK_GLOBAL', false));
          break;
        }
        case 0x69: {
          // INST: import and call with the marked items
          const module = line();
          const cls = importGlobal(module, line(), 'INST');
          stack.push(call(cls, { kind: 'tuple', items: popMark() }, 'INST'));
          break;
        }
        case 0x6f: {
          // OBJ: the first marked item is the class
          const items = popMark();
          const cls = items.shift();
          if (!cls) throw new MalformedPickle('OBJ without a class');
          stack.push(call(cls, { kind: 'tuple', items }, 'OBJ'));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = pop();
          stack.push(call(pop(), args, 'NEWOBJ'));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          pop(); // kwargs
          const args = pop();
          stack.push(call(pop(), args, 'NEWOBJ_EX'));
          break;
        }
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: {
          // EXT4: a copyreg extension code names a global only known at load time
          const code = op === 0x82 ? u8() : op === 0x83 ? u16() : u32();
          stack.push(importGlobal('copyreg', `extension ${code}`, 'EXT', false));
          break;
        }
        case 0x64: {
          // DICT
          const d: PickleValue = { kind: 'dict', entries: [] };
          setItems(d, popMark());
          stack.push(d);
          break;
        }
        case 0x7d: // EMPTY_DICT
          stack.push({ kind: 'dict', entries: [] });
          break;
        case 0x73: {
          // SETITEM
          const v = pop();
          const k = pop();
          setItems(top(), [k, v]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = popMark();
          setItems(top(), items);
          break;
        }
        case 0x6c: // LIST
          stack.push({ kind: 'list', items: popMark() });
          break;
        case 0x5d: // EMPTY_LIST
          stack.push({ kind: 'list', items: [] });
          break;
        case 0x74: // TUPLE
          stack.push({ kind: 'tuple', items: popMark() });
          break;
        case 0x29: // EMPTY_TUPLE
          stack.push({ kind: 'tuple', items: [] });
          break;
        case 0x85: // TUPLE1
          stack.push({ kind: 'tuple', items: [pop()] });
          break;
        case 0x86: {
          // TUPLE2
          const b = pop();
          stack.push({ kind: 'tuple', items: [pop(), b] });
          break;
        }
        case 0x87: {
          // TUPLE3
          const c = pop();
          const b = pop();
          stack.push({ kind: 'tuple', items: [pop(), b, c] });
          break;
        }
        case 0x8f: // EMPTY_SET
          stack.push({ kind: 'set', items: [] });
          break;
        case 0x90: {
          // ADDITEMS
          const items = popMark();
          appendItems(top(), items);
          break;
        }
        case 0x91: // FROZENSET
          stack.push({ kind: 'set', items: popMark() });
          break;
        case 0x67: // GET
          stack.push(memoGet(decimal(line(), 'GET')));
          break;
        case 0x68: // BINGET
          stack.push(memoGet(u8()));
          break;
        case 0x6a: // LONG_BINGET
          stack.push(memoGet(u32()));
          break;
        case 0x70: // PUT
          memo.set(decimal(line(), 'PUT'), top());
          break;
        case 0x71: // BINPUT
          memo.set(u8(), top());
          break;
        case 0x72: // LONG_BINPUT
          memo.set(u32(), top());
          break;
        case 0x94: // MEMOIZE
          memo.set(memo.size, top());
          break;
        case 0x47: // BINFLOAT (big-endian)
          stack.push({ kind: 'float', value: view.getFloat64(need(8), false) });
          break;
        case 0x80: {
          // PROTO
          const p = u8();
          if (p > 5) throw new MalformedPickle(`unsupported pickle protocol ${p}`);
          protocol = Math.max(protocol, p);
          break;
        }
        case 0x88: // NEWTRUE
          stack.push({ kind: 'bool', value: true });
          break;
        case 0x89: // NEWFALSE
          stack.push({ kind: 'bool', value: false });
          break;
        case 0x8a: // LONG1
          stack.push({ kind: 'int', value: signedLittleEndian(take(u8())) });
          break;
        case 0x8b: {
          // LONG4
          const n = view.getInt32(need(4), true);
          if (n < 0) throw new MalformedPickle('LONG4 with a negative length');
          stack.push({ kind: 'int', value: n > 64 ? (take(n), NaN) : signedLittleEndian(take(n)) });
          break;
        }
        case 0x95: // FRAME: a length prefix only; the frame must fit in the data
          if (u64() > bytes.byteLength - pos) throw new MalformedPickle('pickle frame is truncated', 'truncated');
          break;
        case 0x97: // NEXT_BUFFER (out-of-band data the loader must supply)
          stack.push({ kind: 'opaque', what: 'out-of-band buffer' });
          break;
        case 0x98: // READONLY_BUFFER
          top();
          break;
        default:
          throw new MalformedPickle(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  } catch (e) {
    if (!(e instanceof MalformedPickle) && !(e instanceof RangeError)) throw e;
    // Every read goes through need(), so a RangeError here is a structure too big to build.
    const message = e instanceof MalformedPickle ? e.message : `pickle cannot be analysed (${e.message})`;
    error = { message: `${message} (opcode at byte ${opStart})`, offset: opStart, kind: e instanceof MalformedPickle ? e.kind : 'invalid' };
  }
  return { protocol, imports, calls, opcodeCount, end: pos, result, error };
}

/** True if the bytes could start a pickle (a PROTO opcode, or a protocol-0/1 opening opcode). */
export function looksLikePickle(prefix: Uint8Array): boolean {
  const b = prefix[0];
  if (b === undefined) return false;
  if (b === 0x80) return prefix[1] !== undefined && prefix[1] <= 5;
  // Protocol 0/1 pickles usually open with MARK, a container, or a GLOBAL.
  return b === 0x28 || b === 0x7d || b === 0x5d || b === 0x29 || b === 0x63 || b === 0x4e;
}
