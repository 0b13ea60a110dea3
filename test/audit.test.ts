/**
 * `abi3lint audit` (issue 15, first part: ELF): modules built here with gcc at several targets and header
 * versions, packed into wheels by Python's zipfile, and the verdicts on them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { auditModule, auditPaths, auditWheel, tagFromName, tagFromWheelMetadata } from '../server/src/core/audit';
import { readMachO } from '../server/src/core/audit/macho';
import { auditWithSources } from '../server/src/core/audit/problems';
import { explain } from '../server/src/core/audit/sources';
import { loadCatalog } from '../server/src/core/catalog';
import { lint } from '../server/src/core/lint';
import { minorToHex } from '../server/src/core/version';
import { headersFor, ROOT } from './helpers/fixtures';

const BIN = path.join(ROOT, 'bin', 'abi3lint.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-audit-'));

const MODULE = (name: string, body: string, call: string): string => `#include <Python.h>
${body}
static PyObject *f(PyObject *self, PyObject *args)
{
    PyObject *o, *n;
    if (!PyArg_ParseTuple(args, "OO", &o, &n)) return NULL;
    ${call}
}
static PyMethodDef methods[] = {{"f", f, METH_VARARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "${name}", NULL, -1, methods};
PyMODINIT_FUNC PyInit_${name}(void) { return PyModule_Create(&def); }
`;

/** Builds a module; `target` null: the full API. */
function build(file: string, source: string, target: number | null, headers: string, extra: string[] = []): string {
  const src = path.join(work, path.basename(file).replace(/\..*$/, '') + `-${headers}.c`);
  fs.writeFileSync(src, source);
  const out = path.join(work, file);
  const limited = target === null ? [] : [`-DPy_LIMITED_API=${minorToHex(target)}`];
  const r = spawnSync('gcc', ['-shared', '-fPIC', ...limited, '-I', headersFor(headers), '-o', out, src, ...extra], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return out;
}

/** A wheel made by Python's zipfile, with its WHEEL metadata. */
function wheel(name: string, tag: string, members: Record<string, string>): string {
  const out = path.join(work, name);
  const script = `import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('demo-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: false\\nTag: ${tag}\\n')
    for i in range(2, len(sys.argv), 2):
        z.write(sys.argv[i + 1], sys.argv[i])
`;
  const r = spawnSync('python3', ['-c', script, out, ...Object.entries(members).flat()], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return out;
}

const DELATTR = MODULE('delattr', '', 'if (PyObject_DelAttr(o, n) < 0) return NULL;\n    Py_RETURN_NONE;');

test('PyObject_DelAttr at a 3.5 target: built with 3.13.0 headers the module imports the 3.13 symbol; with 3.13.x or 3.12 headers it does not', () => {
  const tag = { abi: 'abi3' as const, minor: 5, source: '--tag cp35-abi3' };
  const broken = auditModule('a.so', fs.readFileSync(build('delattr-3130.abi3.so', DELATTR, 5, '3.13.0')), tag);
  assert.equal(broken.format, 'elf');
  assert.equal(broken.minimum, 13);
  assert.deepEqual(
    broken.findings.map((f) => [f.kind, f.symbol]),
    [['newer-than-tag', 'PyObject_DelAttr']],
  );
  assert.match(broken.findings[0].message, /in the Stable ABI only from 3\.13; the tag promises 3\.5 \(--tag cp35-abi3\): the module does not load on Python 3\.5 to 3\.12/);
  for (const h of ['3.13', '3.12']) {
    const ok = auditModule('b.so', fs.readFileSync(build(`delattr-${h}.abi3.so`, DELATTR, 5, h)), tag);
    assert.deepEqual(ok.findings, [], h);
    assert.ok(ok.symbols.some((s) => s.name === 'PyObject_SetAttr'), `${h}: the macro calls PyObject_SetAttr`);
    assert.ok(ok.minimum !== null && ok.minimum <= 5);
  }
});

test('a wheel tagged cp39-abi3 whose module imports a 3.10 symbol; a module with a non-stable symbol; the tag from WHEEL metadata', () => {
  const spec = MODULE('fromspec', 'static PyType_Slot slots[] = {{0, NULL}};\nstatic PyType_Spec spec = {"fromspec.T", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};', 'return PyType_FromModuleAndSpec(o, &spec, NULL);');
  const so = build('fromspec.abi3.so', spec, 10, '3.10');
  const unstable = build('unstable.abi3.so', MODULE('unstable', '', 'return PyUnicode_New(3, 127);'), null, '3.12');
  const whl = wheel('demo-1.0-cp39-abi3-linux_x86_64.whl', 'cp39-abi3-linux_x86_64', { 'demo/fromspec.abi3.so': so, 'demo/unstable.abi3.so': unstable });
  const mods = auditWheel(whl, fs.readFileSync(whl));
  assert.deepEqual(mods.map((m) => path.basename(m.file.split('!')[1])), ['fromspec.abi3.so', 'unstable.abi3.so']);
  assert.deepEqual(mods[0].tag, { abi: 'abi3', minor: 9, source: 'WHEEL metadata (Tag: cp39-abi3-linux_x86_64)' });
  assert.equal(mods[0].minimum, 10);
  assert.deepEqual(mods[0].findings.map((f) => [f.kind, f.symbol, f.severity]), [['newer-than-tag', 'PyType_FromModuleAndSpec', 'error']]);
  assert.deepEqual(mods[1].findings.map((f) => [f.kind, f.symbol]), [['not-stable', 'PyUnicode_New']]);
  // judged by its name alone when the metadata has no tag
  assert.deepEqual(tagFromName(whl), { abi: 'abi3', minor: 9, source: 'wheel file name (cp39-abi3)' });
  assert.deepEqual(tagFromWheelMetadata('Tag: cp312-abi3-win_amd64\nTag: cp310-abi3-win_amd64\n')?.minor, 10);
});

test('a module linked to one version of libpython, and one with a symbol abi3t lacks under an abi3t tag', () => {
  const stubSrc = path.join(work, 'stub.c');
  fs.writeFileSync(stubSrc, 'int abi3lint_stub;\n');
  const stub = path.join(work, 'libpython3.12.so');
  assert.equal(spawnSync('gcc', ['-shared', '-fPIC', '-Wl,-soname,libpython3.12.so.1.0', '-o', stub, stubSrc]).status, 0);
  const linked = build('linked.abi3.so', DELATTR, 9, '3.12', ['-L', work, '-Wl,--no-as-needed', '-lpython3.12']);
  const m = auditModule(linked, fs.readFileSync(linked), tagFromName(linked));
  assert.ok(m.libraries.includes('libpython3.12.so.1.0'), m.libraries.join(' '));
  assert.deepEqual(m.findings.map((f) => f.kind), ['version-specific-link']);
  // an old abi3 binary that calls an ABI-only function abi3t does not carry
  const legacy = build('legacy.abi3t.so', MODULE('legacy', 'PyAPI_FUNC(PyObject *) PyEval_CallObjectWithKeywords(PyObject *, PyObject *, PyObject *);', 'return PyEval_CallObjectWithKeywords(o, n, NULL);'), 9, '3.12');
  const t = auditModule(legacy, fs.readFileSync(legacy), { abi: 'abi3t', minor: 15, source: '--tag cp315-abi3t' });
  assert.deepEqual(t.findings.map((f) => [f.kind, f.symbol]), [['abi3t-incompatible', 'PyEval_CallObjectWithKeywords']]);
});

test('malformed input is a finding, never a crash: truncated and random files, a broken wheel', () => {
  const good = fs.readFileSync(build('t.abi3.so', DELATTR, 9, '3.12'));
  const tag = { abi: 'abi3' as const, minor: 9, source: 'test' };
  for (const [name, buf] of [
    ['truncated', good.subarray(0, 200)],
    ['header only', good.subarray(0, 64)],
    ['random', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff))],
    ['empty', Buffer.alloc(0)],
  ] as const) {
    const m = auditModule(name, buf, tag);
    assert.equal(m.findings[0]?.kind, 'unreadable', name);
  }
  // every prefix of a real module: never an exception
  for (let n = 0; n < good.length; n += 97) auditModule('p', good.subarray(0, n), tag);
  const broken = path.join(work, 'broken-1.0-cp39-abi3-any.whl');
  fs.writeFileSync(broken, 'PK\x03\x04 not a zip');
  assert.equal(auditPaths([broken]).modules[0].findings[0].kind, 'unreadable');
});

test('the CLI: text, JSON, SARIF and GitHub output, exit codes 0 / 1 / 2', () => {
  const clean = build('clean.abi3.so', DELATTR, 9, '3.12');
  const bad = build('bad.abi3.so', DELATTR, 5, '3.13.0');
  const run = (args: string[]): { code: number; out: string; err: string } => {
    const r = spawnSync(process.execPath, [BIN, 'audit', ...args], { cwd: work, encoding: 'utf8' });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  };
  const ok = run(['--tag', 'cp39-abi3', clean]);
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /clean\.abi3\.so: abi3 3\.9 \(--tag cp39-abi3\); needs Python 3\.\d+ \[elf, \d+ Python symbols\]\n1 module\(s\), 0 error\(s\)\.\n$/);
  const no = run(['--tag', 'cp35-abi3', bad]);
  assert.equal(no.code, 1);
  assert.match(no.out, /error newer-than-tag PyObject_DelAttr/);
  const json = JSON.parse(run(['--tag', 'cp35-abi3', '--format', 'json', bad]).out);
  assert.equal(json.modules[0].minimum, '3.13');
  const sarif = JSON.parse(run(['--tag', 'cp35-abi3', '--format', 'sarif', bad]).out);
  assert.equal(sarif.runs[0].results[0].ruleId, 'newer-than-tag');
  assert.match(run(['--tag', 'cp35-abi3', '--format', 'github', bad]).out, /^::error file=bad\.abi3\.so,title=abi3lint audit newer-than-tag::/);
  assert.equal(run(['--tag', 'banana', bad]).code, 2);
  assert.equal(run([path.join(work, 'nothing-here.so')]).code, 2);
});

test('Windows modules (PE, built with mingw-w64): symbols from python3.dll judged, a link to python312.dll reported, kernel32 ignored', () => {
  const have = spawnSync('x86_64-w64-mingw32-gcc', ['--version']).status === 0 && spawnSync('x86_64-w64-mingw32-dlltool', ['--version']).status === 0;
  assert.ok(have, 'mingw-w64 is missing: run scripts/setup-audit-tools (Debian package gcc-mingw-w64-x86-64)');
  const dir = fs.mkdtempSync(path.join(work, 'pe-'));
  // import libraries for the two DLLs, from .def files naming what the module uses
  for (const [dll, names] of [['python3', ['PyLong_FromLong', 'PyObject_DelAttr', 'PyModule_Create2', 'PyUnicode_New']], ['python312', ['PyLong_FromLong']]] as const) {
    fs.writeFileSync(path.join(dir, `${dll}.def`), `LIBRARY ${dll}.dll\nEXPORTS\n${names.join('\n')}\n`);
    assert.equal(spawnSync('x86_64-w64-mingw32-dlltool', ['-d', `${dll}.def`, '-l', `lib${dll}.a`], { cwd: dir }).status, 0);
  }
  fs.writeFileSync(
    path.join(dir, 'm.c'),
    '__declspec(dllimport) void *PyLong_FromLong(long);\n__declspec(dllimport) int PyObject_DelAttr(void *, void *);\n__declspec(dllimport) void *PyModule_Create2(void *, int);\n' +
      '__declspec(dllexport) void *PyInit_m(void) { PyObject_DelAttr(0, 0); PyModule_Create2(0, 3); return PyLong_FromLong(3); }\n',
  );
  const mingw = (out: string, libs: string[]): string => {
    const r = spawnSync('x86_64-w64-mingw32-gcc', ['-shared', '-o', out, 'm.c', '-L.', ...libs], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return path.join(dir, out);
  };
  const tag = { abi: 'abi3' as const, minor: 9, source: '--tag cp39-abi3' };
  const stable = auditModule('m.pyd', fs.readFileSync(mingw('m.pyd', ['-lpython3'])), tag);
  assert.equal(stable.format, 'pe');
  assert.ok(stable.libraries.includes('python3.dll') && stable.libraries.some((l) => /kernel32/i.test(l)), stable.libraries.join(' '));
  assert.deepEqual(stable.symbols.map((s) => s.name), ['PyLong_FromLong', 'PyModule_Create2', 'PyObject_DelAttr']);
  assert.deepEqual(stable.findings.map((f) => [f.kind, f.symbol]), [['newer-than-tag', 'PyObject_DelAttr']]);
  assert.equal(stable.minimum, 13);
  const specific = auditModule('m312.pyd', fs.readFileSync(mingw('m312.pyd', ['-lpython312', '-lpython3'])), tag);
  assert.ok(specific.findings.some((f) => f.kind === 'version-specific-link' && /python312\.dll/.test(f.message)), JSON.stringify(specific.findings));
  // every prefix of the DLL: never an exception
  const buf = fs.readFileSync(path.join(dir, 'm.pyd'));
  for (let n = 0; n < buf.length; n += 211) auditModule('p', buf.subarray(0, n), tag);
});

test('side by side with the sources: the 3.13.0 headers case, and inline versus exported inside a PY_VERSION_HEX gate', async () => {
  const cat = loadCatalog();
  const tag = { abi: 'abi3' as const, minor: 5, source: '--tag cp35-abi3' };
  const delattr = auditModule('d.so', fs.readFileSync(build('sbs-delattr.abi3.so', DELATTR, 5, '3.13.0')), tag);
  const x = explain(delattr, [{ path: 'delattr.c', text: DELATTR }], cat);
  assert.equal(x.length, 1);
  assert.equal(x[0].symbol, 'PyObject_DelAttr');
  assert.deepEqual(x[0].uses, ['delattr.c:7']);
  assert.match(x[0].message, /the source is right at 3\.5 .* CPython 3\.13\.0's headers declare PyObject_DelAttr as an exported function at that target: the module was built with them and needs 3\.13/);
  // the gate: built at 3.9 with the 3.12 headers, the branch is compiled; Py_NewRef is inline there,
  // PyErr_GetRaisedException an exported function
  const src = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'rules', 'inline-in-version-gate.c'), 'utf8').replace(/^PyObject \*copy_ref2.*$/m, '');
  const module = `${src}\nstatic PyObject *f(PyObject *self, PyObject *o) { return copy_ref(o); }\nstatic PyMethodDef methods[] = {{"f", f, METH_O, NULL}, {NULL, NULL, 0, NULL}};\nstatic struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "gate", NULL, -1, methods};\nPyMODINIT_FUNC PyInit_gate(void) { return PyModule_Create(&def); }\n`;
  const so = build('gate.abi3.so', module.replace('#define Py_LIMITED_API 0x03090000\n', ''), 9, '3.12');
  const gate = auditModule(so, fs.readFileSync(so), { abi: 'abi3', minor: 9, source: '--tag cp39-abi3' });
  assert.deepEqual(gate.findings.map((f) => [f.kind, f.symbol]), [['newer-than-tag', 'PyErr_GetRaisedException']]);
  const why = explain(gate, [{ path: 'gate.c', text: src }], cat);
  const exported = why.find((w) => w.symbol === 'PyErr_GetRaisedException')!;
  assert.equal(exported.imported, true);
  assert.match(exported.message, /only inside `#if PY_VERSION_HEX >= 0x030C0000`: the build headers \(3\.12 or newer\) took that branch, and there PyErr_GetRaisedException is an exported function, so the module needs 3\.12/);
  const inline = why.find((w) => w.symbol === 'Py_NewRef')!;
  assert.equal(inline.imported, false);
  assert.match(inline.message, /inside a PY_VERSION_HEX gate and the module imports nothing for it: the build headers define it inline/);
  // and through the CLI, next to the finding
  const srcDir = fs.mkdtempSync(path.join(work, 'src-'));
  fs.writeFileSync(path.join(srcDir, 'delattr.c'), DELATTR);
  const r = spawnSync(process.execPath, [BIN, 'audit', '--tag', 'cp35-abi3', '--sources', srcDir, path.join(work, 'sbs-delattr.abi3.so')], { cwd: srcDir, encoding: 'utf8' });
  assert.match(r.stdout, /\n  why PyObject_DelAttr \(delattr\.c:7\): the source is right at 3\.5/);
});

test('macOS modules (Mach-O, built with clang and ld64.lld): a bundle with 3.13.0 headers, a universal file, a link to libpython3.12.dylib', () => {
  const tools = ['clang', 'ld64.lld', 'llvm-lipo', 'llvm-objdump'].map((t) => [t, macTool(t)] as const);
  const missing = tools.filter(([, p]) => !p).map(([t]) => t);
  assert.deepEqual(missing, [], `missing ${missing.join(', ')}: run scripts/setup-audit-tools (Debian packages clang, lld, llvm)`);
  const tool = Object.fromEntries(tools) as Record<string, string>;
  const dir = fs.mkdtempSync(path.join(work, 'macho-'));
  const run = (cmd: string, args: string[]): string => {
    const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `${cmd} ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  };
  const link = (arch: string, obj: string, out: string, extra: string[] = []): string => {
    run(tool['ld64.lld'], ['-arch', arch, '-platform_version', 'macos', '11.0', '11.0', '-bundle', '-undefined', 'dynamic_lookup', obj, ...extra, '-o', out]);
    return path.join(dir, out);
  };
  // x86_64 with the real headers (glibc's stand in for the SDK's: only declarations are needed); clang's
  // Darwin targets predefine __nonnull, which glibc's <sys/cdefs.h> then leaves undefined
  fs.writeFileSync(path.join(dir, 'delattr.c'), DELATTR);
  const cflags = ['--target=x86_64-apple-macos11', '-U__nonnull', '-fPIC', `-DPy_LIMITED_API=${minorToHex(5)}`, '-isystem', '/usr/include', '-isystem', '/usr/include/x86_64-linux-gnu'];
  run(tool.clang, [...cflags, '-I', headersFor('3.13.0'), '-c', 'delattr.c', '-o', 'delattr.o']);
  const bundle = link('x86_64', 'delattr.o', 'delattr.abi3.so');
  const tag = { abi: 'abi3' as const, minor: 5, source: '--tag cp35-abi3' };
  const m = auditModule(bundle, fs.readFileSync(bundle), tag);
  assert.equal(m.format, 'macho');
  assert.deepEqual(m.findings.map((f) => [f.kind, f.symbol]), [['newer-than-tag', 'PyObject_DelAttr']]);
  assert.equal(m.minimum, 13);
  // the reader agrees with llvm-objdump on every undefined symbol
  const und = run(tool['llvm-objdump'], ['--macho', '--syms', bundle]).split('\n').filter((l) => /\*UND\*/.test(l)).map((l) => l.trim().split(/\s+/).pop()!.replace(/^_/, ''));
  assert.deepEqual(readMachO(fs.readFileSync(bundle)).symbols, [...new Set(und)].sort());
  assert.ok(m.symbols.some((s) => s.name === '_Py_NoneStruct' && s.status === 'abi-only'), 'data symbols too: Py_None is _Py_NoneStruct, ABI-only');
  // a universal file: the x86_64 bundle and an arm64 one that also calls PyUnicode_New (not stable)
  fs.writeFileSync(path.join(dir, 'arm.c'), 'void *PyUnicode_New(long, unsigned);\nvoid *PyModule_Create2(void *, int);\nvoid *PyInit_delattr(void) { PyUnicode_New(1, 127); return PyModule_Create2(0, 3); }\n');
  run(tool.clang, ['--target=arm64-apple-macos11', '-c', 'arm.c', '-o', 'arm.o']);
  const arm = link('arm64', 'arm.o', 'arm.so');
  run(tool['llvm-lipo'], ['-create', arm, bundle, '-output', 'fat.abi3.so']);
  const fat = auditModule('fat.abi3.so', fs.readFileSync(path.join(dir, 'fat.abi3.so')), tag);
  assert.deepEqual(fat.findings.map((f) => [f.kind, f.symbol]).sort(), [['newer-than-tag', 'PyObject_DelAttr'], ['not-stable', 'PyUnicode_New']]);
  // linked to one CPython's library instead of -undefined dynamic_lookup
  fs.writeFileSync(path.join(dir, 'stub.c'), 'int abi3lint_stub;\n');
  run(tool.clang, ['--target=x86_64-apple-macos11', '-c', 'stub.c', '-o', 'stub.o']);
  run(tool['ld64.lld'], ['-arch', 'x86_64', '-platform_version', 'macos', '11.0', '11.0', '-dylib', '-install_name', '@rpath/libpython3.12.dylib', 'stub.o', '-o', 'libpython3.12.dylib']);
  const linked = link('x86_64', 'delattr.o', 'linked.abi3.so', ['-L', dir, '-lpython3.12']);
  const l = auditModule(linked, fs.readFileSync(linked), { abi: 'abi3', minor: 13, source: 'test' });
  assert.ok(l.libraries.includes('@rpath/libpython3.12.dylib'), l.libraries.join(' '));
  assert.deepEqual(l.findings.map((f) => f.kind), ['version-specific-link']);
  // every prefix of the universal file: never an exception
  const buf = fs.readFileSync(path.join(dir, 'fat.abi3.so'));
  for (let n = 0; n < buf.length; n += 173) auditModule('p', buf.subarray(0, n), tag);
  assert.equal(auditModule('p', buf.subarray(0, 100), tag).findings[0].kind, 'unreadable');
});

/** A tool by its plain name or Debian's versioned one (ld64.lld-14). */
function macTool(name: string): string | null {
  for (const candidate of [name, ...Array.from({ length: 12 }, (_, i) => `${name}-${20 - i}`)]) {
    if (spawnSync(candidate, ['--version'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return null;
}

test('binary verdicts placed on source lines: a bare module judged by its sources\' target, a symbol no line names and a link at PyInit_', async () => {
  const dir = fs.mkdtempSync(path.join(work, 'placed-'));
  const source = `#define Py_LIMITED_API 0x03050000\n${DELATTR}`;
  fs.writeFileSync(path.join(dir, 'delattr.c'), source);
  // built from that file with the 3.13.0 headers; the module's name has no version in it
  const so = build('placed-delattr.abi3.so', DELATTR, 5, '3.13.0');
  const bare = path.join(dir, 'delattr.abi3.so');
  fs.copyFileSync(so, bare);
  assert.equal(tagFromName(bare).minor, null);
  const sources = [{ path: 'delattr.c', text: source }];
  const targetOf = async (file: string) => (await lint({ path: path.join(dir, file), text: source }, { root: dir })).target;
  const r = await auditWithSources([bare], sources, targetOf);
  assert.deepEqual(r.modules[0].tag, { abi: 'abi3', minor: 5, source: "the sources' target, Py_LIMITED_API at delattr.c:1" });
  const line = source.split('\n').findIndex((l) => l.includes('PyObject_DelAttr(')); // 0-based
  assert.deepEqual(
    r.problems.map((p) => [p.file, p.line, p.character, p.length, p.code, p.severity]),
    [['delattr.c', line, source.split('\n')[line].indexOf('PyObject_DelAttr'), 'PyObject_DelAttr'.length, 'newer-than-tag', 'error']],
  );
  assert.match(r.problems[0].message, /^delattr\.abi3\.so: imports PyObject_DelAttr, in the Stable ABI only from 3\.13.*Why: the source is right at 3\.5 .*CPython 3\.13\.0's headers/);
  // a module linked to libpython: no source line names the link, so it goes to PyInit_delattr
  const stubSrc = path.join(dir, 'stub.c');
  fs.writeFileSync(stubSrc, 'int abi3lint_stub;\n');
  assert.equal(spawnSync('gcc', ['-shared', '-fPIC', '-Wl,-soname,libpython3.12.so.1.0', '-o', path.join(dir, 'libpython3.12.so'), stubSrc]).status, 0);
  fs.mkdirSync(path.join(work, 'lnk'), { recursive: true });
  const linked = build('lnk/delattr.abi3.so', DELATTR, 9, '3.12', ['-L', dir, '-Wl,--no-as-needed', '-lpython3.12']);
  const l = await auditWithSources([linked], sources, async () => null, { tag: { abi: 'abi3', minor: 9, source: 'test' } });
  const init = source.split('\n').findIndex((t) => t.startsWith('PyMODINIT_FUNC PyInit_delattr'));
  assert.deepEqual(l.problems.map((p) => [p.file, p.line, p.code]), [['delattr.c', init, 'version-specific-link']]);
  // and without any source naming the module: the binary itself
  const none = await auditWithSources([linked], [], async () => null, { tag: { abi: 'abi3', minor: 9, source: 'test' } });
  assert.deepEqual(none.problems.map((p) => [p.file, p.line]), [[linked, 0]]);
  // the CLI: SARIF regions and GitHub annotations on the source line
  const cli = (format: string) => spawnSync(process.execPath, [BIN, 'audit', '--format', format, '--sources', '.', 'delattr.abi3.so'], { cwd: dir, encoding: 'utf8' });
  const sarif = JSON.parse(cli('sarif').stdout);
  assert.deepEqual(sarif.runs[0].results[0].locations[0].physicalLocation, { artifactLocation: { uri: 'delattr.c' }, region: { startLine: line + 1, startColumn: r.problems[0].character + 1, endColumn: r.problems[0].character + 1 + 16 } });
  assert.match(cli('github').stdout, new RegExp(`^::error file=delattr\\.c,line=${line + 1},col=${r.problems[0].character + 1},title=abi3lint audit newer-than-tag::delattr\\.abi3\\.so: imports PyObject_DelAttr`));
});
