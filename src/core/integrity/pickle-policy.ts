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
 * which hides a second pickle from this scan. Dangerous means able to run a command or code, reach
 * files, sockets, threads or processes, import by name, or load another pickle: whole modules (os,
 * posix, nt, subprocess, _posixsubprocess, pty, pydoc, platform, runpy, code, importlib, ctypes,
 * multiprocessing, webbrowser, shutil, sys...) or single names (builtins eval/exec/compile/
 * __import__/getattr/open, operator.attrgetter, functools.partial, torch.load...). Every verdict
 * but safe fails a scan, so an unknown global costs a look, never a pass.
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

const CODE = 'executes arbitrary Python code';
const SHELL = 'runs shell commands';
const IMPORTS = 'imports arbitrary modules';
const NET = 'opens network connections';
const FILES = 'reads, writes or deletes files';
const NESTED = 'loads a nested pickle';
const NATIVE = 'calls native code';

/** Whole modules whose every name is dangerous; Python 2 names too, as pickle maps them for protocols 0-2. */
const DANGEROUS_MODULES: Readonly<Record<string, string>> = {
  // Processes and shells.
  os: SHELL, posix: SHELL, nt: SHELL, subprocess: SHELL, _posixsubprocess: SHELL, _winapi: SHELL, _subprocess: SHELL,
  pty: SHELL, commands: SHELL, popen2: SHELL, platform: SHELL, pydoc: 'runs a pager command and imports by name',
  multiprocessing: 'starts processes', 'concurrent.futures': 'starts processes and threads', asyncio: 'starts processes and connections',
  threading: 'starts threads running callables', _thread: 'starts threads running callables', thread: 'starts threads running callables',
  dummy_thread: 'starts threads running callables', _dummy_thread: 'starts threads running callables', sched: 'schedules calls',
  atexit: 'schedules calls at exit', signal: 'changes process signal handling', IPython: SHELL, ensurepip: 'installs packages', venv: SHELL,
  // Code and imports.
  runpy: CODE, code: CODE, codeop: CODE, pdb: CODE, bdb: CODE, timeit: CODE, profile: CODE, cProfile: CODE, trace: CODE, doctest: CODE,
  unittest: IMPORTS, types: 'builds code or function objects', marshal: 'loads code objects', importlib: IMPORTS, imp: IMPORTS, pkgutil: IMPORTS,
  zipimport: IMPORTS, site: 'runs .pth files', sys: 'reaches the interpreter state', inspect: 'reaches frames and globals', gc: 'reaches every live object',
  'logging.config': 'evaluates configuration as code', ctypes: NATIVE, _ctypes: NATIVE, cffi: NATIVE,
  // Nested pickles.
  pickle: NESTED, _pickle: NESTED, cPickle: NESTED, dill: NESTED, cloudpickle: NESTED, joblib: NESTED, shelve: NESTED,
  // Network.
  socket: NET, _socket: NET, ssl: NET, http: NET, httplib: NET, urllib: NET, urllib2: NET, urllib3: NET, requests: NET, aiohttp: NET,
  ftplib: NET, smtplib: NET, telnetlib: NET, poplib: NET, imaplib: NET, nntplib: NET, socketserver: NET, SocketServer: NET, xmlrpc: NET,
  xmlrpclib: NET, SimpleXMLRPCServer: NET, BaseHTTPServer: NET, SimpleHTTPServer: NET, CGIHTTPServer: NET, webbrowser: 'opens URLs',
  // Files.
  shutil: FILES, tempfile: FILES, glob: FILES, io: FILES, _io: FILES, StringIO: FILES, cStringIO: FILES, pathlib: FILES, fileinput: FILES,
  linecache: FILES, zipfile: FILES, tarfile: FILES, mmap: FILES, winreg: 'writes the registry', _winreg: 'writes the registry',
  // Build and install tools run commands.
  setuptools: 'runs build commands', distutils: 'runs build commands', pip: 'installs packages',
  'numpy.f2py': 'compiles native code', 'numpy.distutils': 'runs build commands', 'numpy.ctypeslib': NATIVE, 'numpy.testing': CODE,
  'numpy.lib.npyio': NESTED, 'numpy.lib.format': NESTED,
  'torch.hub': 'downloads and runs code', 'torch.jit': 'loads or compiles code', 'torch._inductor': 'compiles and runs code',
  'torch._dynamo': 'compiles and runs code', 'torch.utils.cpp_extension': 'compiles native code', 'torch.fx': 'generates and runs code',
  'torch.package': 'loads packaged code', 'torch.ops': 'loads native libraries', 'torch.distributed': 'runs remote calls',
  'torch.testing': CODE, 'torch._C': NATIVE,
};

/** Some names of otherwise harmless modules. */
const DANGEROUS_NAMES: Readonly<Record<string, { readonly names: ReadonlySet<string>; readonly reason: string }>> = {
  builtins: {
    names: new Set(['eval', 'exec', 'execfile', 'compile', 'open', 'file', 'getattr', 'setattr', 'delattr', '__import__', 'globals', 'locals', 'vars', 'breakpoint', 'input', 'help', 'apply', 'memoryview', 'reload', 'raw_input', 'exit', 'quit']),
    reason: 'reaches eval/exec, attributes, imports or files',
  },
  operator: { names: new Set(['attrgetter', 'methodcaller', 'itemgetter', 'call']), reason: 'reaches attributes and methods' },
  functools: { names: new Set(['partial', 'partialmethod', 'reduce']), reason: 'composes arbitrary calls' },
  codecs: { names: new Set(['open', 'EncodedFile']), reason: FILES },
  uuid: { names: new Set(['_get_command_stdout', '_popen', '_find_mac', '_ifconfig_getnode', '_ip_getnode', '_arp_getnode', '_lanscan_getnode', '_netstat_getnode']), reason: SHELL },
  yaml: { names: new Set(['load', 'load_all', 'unsafe_load', 'unsafe_load_all', 'full_load', 'full_load_all']), reason: CODE },
  pandas: { names: new Set(['read_pickle', 'eval', 'read_csv', 'read_json', 'read_sql', 'read_excel', 'read_html', 'read_parquet', 'read_feather']), reason: 'loads a nested pickle or reads files' },
  'pandas.io.pickle': { names: new Set(['read_pickle']), reason: NESTED },
  torch: { names: new Set(['load', 'hub', 'compile', 'jit', 'ops', 'package', 'classes', 'library']), reason: 'loads or compiles more code' },
  'torch.serialization': { names: new Set(['load', '_load', '_legacy_load']), reason: NESTED },
  'torch.storage': { names: new Set(['_load_from_bytes']), reason: NESTED },
  numpy: { names: new Set(['load', 'loads', 'fromfile', 'save', 'savez', 'savetxt', 'loadtxt', 'genfromtxt', 'memmap', 'tofile']), reason: 'loads a nested pickle or touches files' },
};
// Python 2 spellings, and the C modules behind operator and functools.
const ALIASES: Readonly<Record<string, string>> = { __builtin__: 'builtins', exceptions: 'builtins', _operator: 'operator', _functools: 'functools' };

/** The names an attribute path can reach a dangerous module through (`torch` + `os.system` is os.system). */
const DANGEROUS_ROOTS = new Set(['os', 'sys', 'subprocess', 'builtins', '__builtins__', 'posix', 'nt', 'importlib', 'pickle', 'shutil', 'socket', 'ctypes', 'pty', 'runpy', 'io']);

function inModule(module: string, root: string): boolean {
  return module === root || module.startsWith(root + '.');
}

function dangerOf(module: string, name: string): string | undefined {
  const m = ALIASES[module] ?? module;
  for (let root = m; ; root = root.slice(0, root.lastIndexOf('.'))) {
    const reason = DANGEROUS_MODULES[root];
    if (reason) return reason;
    if (!root.includes('.')) break;
  }
  const rule = DANGEROUS_NAMES[m];
  return rule?.names.has(name) ? rule.reason : undefined;
}

/**
 * Classifies one imported global `module.name`. Protocol 4 resolves a dotted name attribute by
 * attribute, so `torch` + `os.system` reaches os.system: such a path is dangerous when any step is
 * a dunder, a dangerous module or a dangerous name, and never safe unless listed whole.
 */
export function classifyGlobal(module: string, name: string): GlobalClassification {
  const direct = dangerOf(module, name);
  if (direct) return { safety: 'dangerous', reason: direct };
  if (name.includes('.')) {
    const steps = name.split('.');
    if (steps.some((s) => /^__\w*__$/.test(s) || DANGEROUS_ROOTS.has(s)))
      return { safety: 'dangerous', reason: 'an attribute path that reaches interpreter internals or a dangerous module' };
    for (let i = 1; i < steps.length; i++) {
      const reason = dangerOf([module, ...steps.slice(0, i)].join('.'), steps[i]!);
      if (reason) return { safety: 'dangerous', reason };
    }
  }
  if (SAFE[module]?.has(name)) return { safety: 'safe', reason: 'used to rebuild tensors and containers' };
  if (module === 'torch' && TORCH_TOP.test(name)) return { safety: 'safe', reason: 'a torch storage, dtype or layout' };
  if (inModule(module, 'torch.nn.modules') && /^[A-Z]\w*$/.test(name)) return { safety: 'safe', reason: 'a torch.nn module class' };
  return { safety: 'suspicious', reason: 'not on the list of globals a checkpoint needs; it runs code at load time' };
}
