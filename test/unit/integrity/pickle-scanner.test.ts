import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePickle } from '../../../src/core/integrity/pickle';
import { scanPickle } from '../../../src/core/integrity/pickle-scanner';
import { classifyGlobal } from '../../../src/core/integrity/pickle-policy';
import { bytes, binStr, callingPickle, shortStr } from './builders';

const TARGETS: [string, string][] = [
  ['os', 'system'],
  ['builtins', 'eval'],
  ['subprocess', 'Popen'],
];

for (const via of ['GLOBAL', 'STACK_GLOBAL', 'INST'] as const) {
  for (const [module, name] of TARGETS) {
    test(`${module}.${name} through ${via} is dangerous`, () => {
      const r = scanPickle(callingPickle(via, module, name));
      assert.equal(r.verdict, 'dangerous');
      const called = via === 'INST' ? 'INST' : 'REDUCE';
      assert.deepEqual(
        r.imports.map((i) => [i.module, i.name, i.safety, i.via, i.calledBy]),
        [[module, name, 'dangerous', [via], [called]]],
      );
      assert.equal(r.findings[0]!.severity, 'critical');
      assert.match(r.findings[0]!.message, new RegExp(`^dangerous global ${module}\\.${name} \\(imported by ${via} and called by ${called}\\)`));
    });
  }
}

for (const via of ['OBJ', 'NEWOBJ'] as const) {
  test(`os.system called through ${via} is dangerous`, () => {
    const r = scanPickle(callingPickle(via, 'os', 'system'));
    assert.equal(r.verdict, 'dangerous');
    assert.deepEqual(r.imports[0]!.calledBy, [via]);
  });
}

test('what CPython 3.11 writes for a __reduce__ returning (os.system, ...) at protocol 0 is dangerous', () => {
  const r = scanPickle(bytes('cposix\nsystem\np0\n(Vecho hi\np1\ntp2\nRp3\n.'));
  assert.equal(r.verdict, 'dangerous');
  assert.deepEqual(r.findings, [{ severity: 'critical', message: 'dangerous global posix.system (imported by GLOBAL and called by REDUCE): runs shell commands' }]);
});

test('posix.system and nt.system (what pickle writes for os.system) are dangerous', () => {
  assert.equal(scanPickle(callingPickle('GLOBAL', 'posix', 'system')).verdict, 'dangerous');
  assert.equal(scanPickle(callingPickle('GLOBAL', 'nt', 'system')).verdict, 'dangerous');
});

test('a getattr chain (builtins.getattr then a computed call) is dangerous', () => {
  // getattr(__import__('os'), 'system')('id')
  const p = bytes(0x80, 2, 'c', 'builtins\ngetattr\n', 'c', 'builtins\n__import__\n', binStr('os'), 0x85, 'R', binStr('system'), 0x86, 'R', binStr('id'), 0x85, 'R', '.');
  const r = scanPickle(p);
  assert.equal(r.verdict, 'dangerous');
  assert.deepEqual(r.imports.map((i) => `${i.module}.${i.name}:${i.safety}`), ['builtins.getattr:dangerous', 'builtins.__import__:dangerous']);
  assert.ok(r.findings.some((f) => f.message === 'REDUCE at byte 71 calls a computed value, not an imported global'));
});

test('STACK_GLOBAL on computed operands is dangerous', () => {
  // The module name comes from a call result, so it cannot be known statically.
  const p = bytes(0x80, 4, 'c', 'collections\nOrderedDict\n', ')', 'R', shortStr('system'), 0x93, '.');
  const r = scanPickle(p);
  assert.equal(r.verdict, 'dangerous');
  assert.match(r.findings[0]!.message, /computed global/);
});

test('NEWOBJ_EX calls are recorded; EXT codes are suspicious (copyreg resolves them at load time)', () => {
  const newobjEx = scanPickle(bytes(0x80, 4, shortStr('subprocess'), shortStr('Popen'), 0x93, ')', '}', 0x92, '.'));
  assert.equal(newobjEx.verdict, 'dangerous');
  assert.deepEqual(newobjEx.imports[0]!.calledBy, ['NEWOBJ_EX']);
  const ext = scanPickle(bytes(0x80, 2, 0x82, 7, ')', 'R', '.'));
  assert.equal(ext.verdict, 'suspicious');
  assert.deepEqual(ext.findings, [
    { severity: 'medium', message: 'suspicious global copyreg.extension 7 (imported by EXT and called by REDUCE): a copyreg extension code, resolved only at load time' },
  ]);
});

test('an unknown global is suspicious, with a medium finding', () => {
  const r = scanPickle(callingPickle('GLOBAL', 'mypackage.models', 'Net'));
  assert.equal(r.verdict, 'suspicious');
  assert.deepEqual(r.findings.map((f) => f.severity), ['medium']);
});

test('a plain data pickle (dict of list, ints, floats, strings) is safe with no imports', () => {
  // {'a': [1, 2.5, 'x', True, None]} at protocol 2
  const p = bytes(0x80, 2, '}', 'q', 0, binStr('a'), ']', 'q', 1, '(', 'K', 1, 'G', 0x40, 0x04, 0, 0, 0, 0, 0, 0, binStr('x'), 0x88, 'N', 'e', 's', '.');
  const r = scanPickle(p);
  assert.equal(r.verdict, 'safe');
  assert.deepEqual(r.findings, []);
  const a = analyzePickle(p);
  assert.deepEqual(a.result, {
    kind: 'dict',
    entries: [[{ kind: 'str', value: 'a' }, { kind: 'list', items: [{ kind: 'int', value: 1 }, { kind: 'float', value: 2.5 }, { kind: 'str', value: 'x' }, { kind: 'bool', value: true }, { kind: 'none' }] }]],
  });
});

test('protocol 0 text opcodes decode (INT, LONG, FLOAT, STRING, UNICODE, PUT/GET, DICT)', () => {
  const p = bytes('(dp0\n', "S'k'\n", 'p1\n', 'I42\n', 's', 'Vcaf\\u00e9\n', 'L7L\n', 's', 'g1\n', 'F0.25\n', 's', '.');
  const a = analyzePickle(p);
  assert.equal(a.error, undefined);
  assert.deepEqual(a.result, {
    kind: 'dict',
    entries: [
      [{ kind: 'str', value: 'k' }, { kind: 'int', value: 42 }],
      [{ kind: 'str', value: 'café' }, { kind: 'int', value: 7 }],
      [{ kind: 'str', value: 'k' }, { kind: 'float', value: 0.25 }],
    ],
  });
});

test('LONG_BINPUT/LONG_BINGET and DUP/POP/POP_MARK keep the memo and stack straight', () => {
  const p = bytes(0x80, 2, binStr('k'), 'r', 0x00, 0x01, 0, 0, '2', '0', '(', 'N', 'N', '1', ']', 'j', 0x00, 0x01, 0, 0, 'a', '.');
  const a = analyzePickle(p);
  assert.equal(a.error, undefined);
  // Stack after: 'k' then [ 'k' ] appended onto... the list receives the memoized string.
  assert.deepEqual(a.result, { kind: 'list', items: [{ kind: 'str', value: 'k' }] });
});

test('protocol 4/5 opcodes: FRAME, MEMOIZE, sets, bytes, LONG1, NEXT_BUFFER', () => {
  const body = bytes(0x8f, 0x94, '(', 'K', 1, 'K', 2, 0x90, 'C', 2, 'ab', 0x8a, 2, 0xff, 0x7f, 0x97, 0x98, 0x87, '.');
  const p = bytes(0x80, 5, 0x95, body.length, 0, 0, 0, 0, 0, 0, 0, body);
  const a = analyzePickle(p);
  assert.equal(a.error, undefined);
  assert.equal(a.protocol, 5);
  assert.deepEqual(a.result, {
    kind: 'tuple',
    items: [{ kind: 'bytes', length: 2 }, { kind: 'int', value: 32767 }, { kind: 'opaque', what: 'out-of-band buffer' }],
  });
  // The set stays below: TUPLE3 takes the top three.
});

test('malformed pickles come back malformed with the failing byte, never a throw', () => {
  const cases: [Uint8Array, string][] = [
    [bytes(0x80, 2, 'X', 10, 0, 0, 0, 'abc'), 'pickle data is truncated (opcode at byte 2)'],
    [bytes(0x80, 2, ']', 0xff, '.'), 'unknown opcode 0xff (opcode at byte 3)'],
    [bytes(0x80, 2, 'R', '.'), 'stack underflow (opcode at byte 2)'],
    [bytes(0x80, 2, 'h', 3, '.'), 'memo key 3 was never stored (opcode at byte 2)'],
    [bytes(0x80, 2, 'K', 1), 'pickle data is truncated (opcode at byte 4)'],
    [bytes(0x80, 2, 'c', 'os'), 'pickle data is truncated (unterminated text operand) (opcode at byte 2)'],
    [bytes(0x80, 9), 'unsupported pickle protocol 9 (opcode at byte 0)'],
    [bytes(0x80, 4, 0x95, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 'N.'), 'pickle data is truncated (opcode at byte 2)'],
    [bytes(0x80, 2, 'e', '.'), 'no MARK to pop to (opcode at byte 2)'],
    [bytes(), 'pickle data is truncated (opcode at byte 0)'],
  ];
  for (const [p, message] of cases) {
    const r = scanPickle(p);
    assert.equal(r.verdict, 'malformed', message);
    assert.deepEqual(r.findings, [{ severity: 'high', message: `malformed pickle: ${message}` }]);
  }
});

test('a pickle with more opcodes than the limit is malformed, so memory stays bounded', () => {
  const p = bytes(0x80, 2, ...Array.from({ length: 100 }, () => 0x5d), '.');
  assert.equal(analyzePickle(p, 0, 50).error?.message, 'pickle too large to analyse (over 50 opcodes) (opcode at byte 51)');
});

test('a truncated pickle that already called os.system stays dangerous', () => {
  const full = callingPickle('GLOBAL', 'os', 'system');
  const r = scanPickle(full.subarray(0, full.length - 1));
  assert.equal(r.verdict, 'dangerous');
  assert.deepEqual(r.findings.map((f) => f.severity), ['critical', 'high']);
});

test('random garbage never throws and is malformed', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let n = 0; n < 300; n++) {
    const p = Uint8Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
    const r = scanPickle(p);
    assert.ok(['malformed', 'dangerous', 'suspicious', 'safe'].includes(r.verdict));
  }
  assert.equal(scanPickle(bytes('this is not a pickle at all')).verdict, 'malformed');
});

test('the policy: torch rebuilders and storages safe; numpy reconstruct safe; nested loaders dangerous', () => {
  const safety = (m: string, n: string) => classifyGlobal(m, n).safety;
  assert.equal(safety('torch._utils', '_rebuild_tensor_v2'), 'safe');
  assert.equal(safety('torch._utils', '_rebuild_parameter'), 'safe');
  assert.equal(safety('torch', 'FloatStorage'), 'safe');
  assert.equal(safety('torch', 'bfloat16'), 'safe');
  assert.equal(safety('collections', 'OrderedDict'), 'safe');
  assert.equal(safety('numpy.core.multiarray', '_reconstruct'), 'safe');
  assert.equal(safety('torch.nn.modules.conv', 'Conv2d'), 'safe');
  assert.equal(safety('torch.storage', '_load_from_bytes'), 'dangerous');
  assert.equal(safety('torch', 'load'), 'dangerous');
  assert.equal(safety('runpy', '_run_code'), 'dangerous');
  assert.equal(safety('webbrowser', 'open'), 'dangerous');
  assert.equal(safety('pickle', 'loads'), 'dangerous');
  assert.equal(safety('socket', 'create_connection'), 'dangerous');
  assert.equal(safety('shutil', 'rmtree'), 'dangerous');
  assert.equal(safety('importlib', 'import_module'), 'dangerous');
  assert.equal(safety('builtins', 'compile'), 'dangerous');
  assert.equal(safety('builtins', 'set'), 'safe');
  assert.equal(safety('collections', 'defaultdict'), 'suspicious');
});
