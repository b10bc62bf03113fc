/**
 * Which imported globals a checkpoint pickle may name. Three classes:
 * - safe: what torch.save, numpy and plain containers need to rebuild tensors and state dicts;
 * - dangerous: anything that runs commands or code, opens files or sockets, or loads another pickle;
 * - suspicious: everything else (unknown code runs at load time, so it needs a human look).
 *
 * Decisions: numpy's array reconstruction (`numpy.core.multiarray._reconstruct`, `numpy.ndarray`,
 * `numpy.dtype`, `scalar`, protocol 5's `numeric._frombuffer`) is safe, since it only rebuilds arrays from bytes; `torch.nn` module and
 * parameter classes are safe (a pickled whole model names them, and they run no user code);
 * `copyreg._reconstructor`/`__newobj__` are safe as their targets are imported, and classified,
 * separately. `torch.storage._load_from_bytes` is dangerous: it calls torch.load on embedded bytes,
 * which hides a second pickle from this scan.
 */
export type GlobalSafety = 'safe' | 'suspicious' | 'dangerous';

export interface GlobalClassification {
  readonly safety: GlobalSafety;
  /** Why, in a few words, for a finding message. */
  readonly reason: string;
}

const TORCH_REBUILDERS = new Set([
  '_rebuild_tensor',
  '_rebuild_tensor_v2',
  '_rebuild_tensor_v3',
  '_rebuild_parameter',
  '_rebuild_parameter_with_state',
  '_rebuild_sparse_tensor',
  '_rebuild_sparse_csr_tensor',
  '_rebuild_nested_tensor',
  '_rebuild_qtensor',
  '_rebuild_meta_tensor_no_storage',
  '_rebuild_wrapper_subclass',
  '_rebuild_device_tensor_from_numpy',
]);

const SAFE: Record<string, ReadonlySet<string>> = {
  collections: new Set(['OrderedDict']),
  builtins: new Set(['set', 'frozenset', 'slice', 'range', 'complex', 'bytearray', 'bytes', 'dict', 'list', 'tuple', 'int', 'float', 'bool', 'str']),
  __builtin__: new Set(['set', 'frozenset', 'slice', 'xrange', 'complex', 'bytearray', 'dict', 'list', 'tuple', 'int', 'float', 'bool', 'str', 'unicode']),
  copyreg: new Set(['_reconstructor', '__newobj__', '__newobj_ex__']),
  copy_reg: new Set(['_reconstructor']),
  _codecs: new Set(['encode']),
  'torch._utils': TORCH_REBUILDERS,
  'torch._tensor': new Set(['_rebuild_from_type_v2']),
  'torch.serialization': new Set(['_get_layout']),
  'torch.nn.parameter': new Set(['Parameter', 'Buffer', 'UninitializedParameter']),
  'numpy.core.multiarray': new Set(['_reconstruct', 'scalar']),
  'numpy._core.multiarray': new Set(['_reconstruct', 'scalar']),
  'numpy.core.numeric': new Set(['_frombuffer']),
  'numpy._core.numeric': new Set(['_frombuffer']),
  numpy: new Set(['ndarray', 'dtype']),
  // Lightning .ckpt files keep hyper-parameters in these plain dict/namespace types.
  argparse: new Set(['Namespace']),
  'pytorch_lightning.utilities.parsing': new Set(['AttributeDict']),
  'lightning.fabric.utilities.data': new Set(['AttributeDict']),
  'lightning_fabric.utilities.data': new Set(['AttributeDict']),
  'torch.torch_version': new Set(['TorchVersion']),
};

/** torch top-level names that are safe: storage classes, dtypes, layouts, devices, Size. */
const TORCH_TOP = /^(\w+Storage|Size|device|dtype|layout|memory_format|strided|sparse_coo|sparse_csr|channels_last|contiguous_format|preserve_format|(b?float|int|uint|complex|bool|half|double|long|short|cfloat|cdouble|bfloat)\w*)$/;

interface DangerRule {
  readonly module: string;
  /** Names in the module; undefined means every name. */
  readonly names?: ReadonlySet<string>;
  readonly reason: string;
}

const CODE = 'executes arbitrary Python code';
const SHELL = 'runs shell commands';
const DANGER: readonly DangerRule[] = [
  ...['os', 'posix', 'nt', 'subprocess', 'pty', 'commands', 'popen2'].map((module) => ({ module, reason: SHELL })),
  ...['builtins', '__builtin__'].map((module) => ({
    module,
    names: new Set(['eval', 'exec', 'execfile', 'compile', 'open', 'file', 'getattr', 'setattr', 'delattr', '__import__', 'globals', 'locals', 'vars', 'breakpoint', 'input', 'apply', 'memoryview']),
    reason: 'reaches eval/exec, attributes, imports or files',
  })),
  { module: 'runpy', reason: CODE },
  { module: 'code', reason: CODE },
  { module: 'codeop', reason: CODE },
  { module: 'types', reason: 'builds code or function objects' },
  { module: 'marshal', reason: 'loads code objects' },
  { module: 'importlib', reason: 'imports arbitrary modules' },
  { module: 'imp', reason: 'imports arbitrary modules' },
  { module: 'pkgutil', reason: 'imports arbitrary modules' },
  { module: 'sys', reason: 'reaches the interpreter state' },
  { module: 'ctypes', reason: 'calls native code' },
  { module: 'cffi', reason: 'calls native code' },
  { module: 'socket', reason: 'opens network connections' },
  { module: 'ssl', reason: 'opens network connections' },
  { module: 'http', reason: 'opens network connections' },
  { module: 'httplib', reason: 'opens network connections' },
  { module: 'urllib', reason: 'opens network connections' },
  { module: 'urllib2', reason: 'opens network connections' },
  { module: 'requests', reason: 'opens network connections' },
  { module: 'aiohttp', reason: 'opens network connections' },
  { module: 'ftplib', reason: 'opens network connections' },
  { module: 'smtplib', reason: 'opens network connections' },
  { module: 'telnetlib', reason: 'opens network connections' },
  { module: 'webbrowser', reason: 'opens URLs' },
  { module: 'shutil', reason: 'copies and deletes files' },
  { module: 'tempfile', reason: 'creates files' },
  { module: 'glob', reason: 'reads the file system' },
  { module: 'io', reason: 'opens files' },
  { module: '_io', reason: 'opens files' },
  { module: 'pathlib', reason: 'reads and writes files' },
  { module: 'multiprocessing', reason: 'starts processes' },
  { module: 'threading', reason: 'starts threads running callables' },
  { module: '_thread', reason: 'starts threads running callables' },
  { module: 'asyncio', reason: 'starts processes and connections' },
  { module: 'signal', reason: 'changes process signal handling' },
  { module: 'pdb', reason: CODE },
  { module: 'bdb', reason: CODE },
  { module: 'timeit', reason: CODE },
  { module: 'profile', reason: CODE },
  { module: 'cProfile', reason: CODE },
  { module: 'trace', reason: CODE },
  { module: 'pickle', reason: 'loads a nested pickle' },
  { module: '_pickle', reason: 'loads a nested pickle' },
  { module: 'cPickle', reason: 'loads a nested pickle' },
  { module: 'dill', reason: 'loads a nested pickle' },
  { module: 'cloudpickle', reason: 'loads a nested pickle' },
  { module: 'joblib', reason: 'loads a nested pickle' },
  { module: 'shelve', reason: 'loads a nested pickle' },
  { module: 'operator', names: new Set(['attrgetter', 'methodcaller', 'itemgetter']), reason: 'reaches attributes and methods' },
  { module: 'functools', names: new Set(['partial', 'reduce']), reason: 'composes arbitrary calls' },
  { module: 'torch', names: new Set(['load', 'hub', 'compile']), reason: 'loads or compiles more code' },
  { module: 'torch.serialization', names: new Set(['load', '_load']), reason: 'loads a nested pickle' },
  { module: 'torch.storage', names: new Set(['_load_from_bytes']), reason: 'loads a nested pickle' },
  { module: 'torch.hub', reason: 'downloads and runs code' },
  { module: 'torch.jit', reason: 'loads or compiles code' },
  { module: 'torch._inductor', reason: 'compiles and runs code' },
  { module: 'torch._dynamo', reason: 'compiles and runs code' },
  { module: 'torch.utils.cpp_extension', reason: 'compiles native code' },
  { module: 'numpy', names: new Set(['load', 'loads', 'fromfile', 'save', 'savez']), reason: 'loads a nested pickle or touches files' },
  { module: 'numpy.testing._private.utils', reason: CODE },
  { module: 'numpy.f2py', reason: 'compiles native code' },
  { module: 'numpy.distutils', reason: 'runs build commands' },
  { module: 'setuptools', reason: 'runs build commands' },
  { module: 'distutils', reason: 'runs build commands' },
  { module: 'pip', reason: 'installs packages' },
];

function inModule(module: string, root: string): boolean {
  return module === root || module.startsWith(root + '.');
}

/** Classifies one imported global `module.name`. */
export function classifyGlobal(module: string, name: string): GlobalClassification {
  for (const rule of DANGER) {
    if (inModule(module, rule.module) && (!rule.names || rule.names.has(name))) return { safety: 'dangerous', reason: rule.reason };
  }
  if (SAFE[module]?.has(name)) return { safety: 'safe', reason: 'used to rebuild tensors and containers' };
  if (module === 'torch' && TORCH_TOP.test(name)) return { safety: 'safe', reason: 'a torch storage, dtype or layout' };
  if (inModule(module, 'torch.nn.modules') && /^[A-Z]\w*$/.test(name)) return { safety: 'safe', reason: 'a torch.nn module class' };
  return { safety: 'suspicious', reason: 'not on the list of globals a checkpoint needs; it runs code at load time' };
}
