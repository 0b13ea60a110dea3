'use strict';
// Shared by the two command-line programs: run the esbuild bundle when built (dist/), else the tsc output (out/).
//
// The bundle is compiled with V8's code cache: a megabyte of JavaScript costs about 100 ms to compile on every
// start, which a CI run over a few files pays as much as the checking itself. The cache is written once per
// bundle and Node version (into $XDG_CACHE_HOME/abi3lint/v8 or ~/.cache/abi3lint/v8) once a run has compiled
// what it needs (writeCodeCacheLater), and used when it matches; V8 rejects a cache that does not fit and the
// bundle then compiles as usual.
// ABI3LINT_NO_CODE_CACHE=1 turns it off.
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const vm = require('node:vm');
const Module = require('node:module');

function cacheFile(file) {
  const st = fs.statSync(file);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const key = `${path.basename(file)}-${st.size}-${Math.round(st.mtimeMs)}-${process.version}-${process.arch}.bin`;
  return path.join(base, 'abi3lint', 'v8', key);
}

/**
 * The cache is written once this process has compiled what a run needs (the functions of the start-up and of the
 * first checks, not only the top level), and before V8 ages bytecode out: it flushes the bytecode of functions
 * not run for a while, the bundle's top level first, and a cache written after that lacks it (measured: a cache
 * written at the end of a 6 s run made every later start spend 48 ms compiling the top level again, against 3 ms).
 * So: at exit, or CODE_CACHE_AFTER_MS after the start when the process lives longer (the language server);
 * the CLI also keeps its bytecode (--no-flush-bytecode, SHORT_RUN_FLAGS). Written to a temporary file and renamed.
 */
const CODE_CACHE_AFTER_MS = 2000;

function writeCodeCacheLater(script, cache, file) {
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    try {
      fs.mkdirSync(path.dirname(cache), { recursive: true });
      const tmp = `${cache}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cache);
      // caches of other builds of this bundle not written for a week: an old install's (two installs in use
      // each keep theirs)
      const prefix = `${path.basename(file)}-`;
      const dir = path.dirname(cache);
      for (const f of fs.readdirSync(dir)) {
        const p = path.join(dir, f);
        if (f.startsWith(prefix) && p !== cache && Date.now() - fs.statSync(p).mtimeMs > 7 * 86400e3) fs.rmSync(p, { force: true });
      }
    } catch {
      /* a read-only home: no cache, nothing else changes */
    }
  };
  process.once('exit', write);
  setTimeout(write, CODE_CACHE_AFTER_MS).unref();
}

/** Compiles a CommonJS bundle with a code cache when one fits; returns a function that runs it as require() would. */
function compileWithCodeCache(file) {
  const cache = cacheFile(file);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cache);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData, importModuleDynamically: undefined });
  // (a worker thread of --jobs runs this file too: only the main thread writes)
  if ((!cachedData || script.cachedDataRejected) && require('node:worker_threads').isMainThread) writeCodeCacheLater(script, cache, file);
  const wrapper = script.runInThisContext();
  return () => {
    const mod = new Module(file, module);
    mod.filename = file;
    mod.paths = Module._nodeModulePaths(path.dirname(file));
    require.cache[file] = mod;
    wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
    mod.loaded = true;
  };
}

/**
 * V8's tiering for a short-lived process: a CLI run over a hundred files ends about when the JIT has compiled
 * its hot functions, so TurboFan's and the WebAssembly tier-up's work in background threads is paid and little
 * of it used. Waiting eight times longer before optimising (JavaScript) and four times longer (the parser's
 * WebAssembly) measured 1.13 -> 0.94 s CPU and 0.72 -> 0.64 s wall on psutil (109 files); long runs still
 * optimise what stays hot (docs/benchmarks.md). And the bytecode is kept (--no-flush-bytecode): a long run
 * would otherwise flush the start-up's, and the code cache written at its end lack it (writeCodeCacheLater).
 * ABI3LINT_V8_DEFAULTS=1 keeps V8's defaults.
 */
const SHORT_RUN_FLAGS = '--interrupt-budget=540672 --wasm-tiering-budget=7200000 --no-flush-bytecode';

/**
 * The worker threads of `--jobs`, started before this thread loads the bundle: a worker needs about a fifth of a
 * second to start (Node's own start-up in the thread, the bundle, the data), which it then spends while this
 * thread does the same instead of after. Only for a check run over a folder (a few files named one by one stay
 * in one thread), and only for `--jobs N` (with auto, the default, the CLI decides from the files' sizes); the
 * CLI terminates the workers it turns out not to need (parallel.ts). Returns them.
 */
function prestartWorkers(argv, entryFile) {
  const { Worker, isMainThread } = require('node:worker_threads');
  if (!isMainThread || process.env.ABI3LINT_NO_PRESTART === '1') return [];
  if (['migrate', 'audit'].includes(argv[0]) || argv.some((a) => /^(-h|--help|-V|--version|--explain(=.*)?)$/.test(a))) return [];
  let jobs = 1;
  let folder = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const j = /^(?:-j|--jobs)(?:=?(.+))?$/.exec(a);
    if (j) {
      jobs = Number(j[1] ?? argv[++i]);
      continue;
    }
    if (a.startsWith('-')) continue;
    try {
      folder ||= fs.statSync(a).isDirectory();
    } catch {
      /* not a path (an option's value): nothing */
    }
  }
  if (!folder || !Number.isInteger(jobs) || jobs < 2) return [];
  // (unref'd: a run that ends before it checks anything, a usage error, must not wait for them)
  return Array.from({ length: jobs - 1 }, () => {
    const w = new Worker(entryFile, { workerData: { abi3lintPrestart: true } });
    w.unref();
    return w;
  });
}

module.exports = function run(program, bundle, compiled, opts = {}) {
  if (opts.shortRun && process.env.ABI3LINT_V8_DEFAULTS !== '1') require('node:v8').setFlagsFromString(SHORT_RUN_FLAGS);
  if (opts.shortRun) globalThis[Symbol.for('abi3lint.prestarted')] = prestartWorkers(process.argv.slice(2), require.main?.filename ?? __filename);
  const root = path.join(__dirname, '..');
  const entry = [path.join(root, 'dist', bundle), path.join(root, 'out', ...compiled.split('/'))].find((f) => fs.existsSync(f));
  if (!entry) {
    process.stderr.write(`${program}: not built yet; run \`npm run build\` in ${root}\n`);
    process.exit(2);
  }
  let run = null;
  if (entry.includes(`${path.sep}dist${path.sep}`) && process.env.ABI3LINT_NO_CODE_CACHE !== '1') {
    try {
      run = compileWithCodeCache(entry);
    } catch {
      run = null; // (anything odd about the cache: load the bundle the usual way)
    }
  }
  if (run) run();
  else require(entry);
};
