/** Target resolution: define values as CPython reads them, abi3t, build configuration files (read, never run). */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildTarget, readBuildConfig, tokenizePython } from '../server/src/core/buildconfig';
import { fsHost } from '../server/src/core/host';
import { lint } from '../server/src/core/lint';
import { evaluate } from '../server/src/core/preproc';
import { decodeTargetValue } from '../server/src/core/facts/defines';

const env = () => ({ defined: new Map(), undefinedKnown: new Set<string>(), pyVersionHex: null });

test('Py_LIMITED_API values: hex in any case, 3, parentheses, another macro, Py_PACK_VERSION', async () => {
  const cases: [string, number][] = [
    ['0x030A0000', 10],
    ['0x030a0000', 10],
    ['0X030C0000UL', 12],
    ['3', 2],
    ['(0x03090000)', 9],
    ['Py_PACK_VERSION(3, 11)', 11],
    ['_Py_PACK_VERSION(3,13)', 13],
  ];
  for (const [v, minor] of cases) {
    const d = decodeTargetValue(v, env());
    assert.ok(d.ok && d.minor === minor, `${v}: ${JSON.stringify(d)}`);
  }
  for (const bad of ['PY_VERSION_HEX', '0x02070000', 'banana', '0x04000000', '090000']) assert.equal(decodeTargetValue(bad, env()).ok, false, bad);
  const viaMacro = await lint({ path: '/t/m.c', text: '#define MY_MIN 0x030B0000\n#define Py_LIMITED_API MY_MIN\n#include <Python.h>\n' }, { buildConfig: null });
  assert.equal(viaMacro.target?.minor, 11);
});

test('abi3t: Py_TARGET_ABI3T, or Py_LIMITED_API with Py_GIL_DISABLED, the lower value winning', async () => {
  const a = await lint({ path: '/t/a.c', text: '#define Py_TARGET_ABI3T 0x030F0000\n#include <Python.h>\n' }, { buildConfig: null });
  assert.deepEqual([a.target?.minor, a.target?.abi3t], [15, true]);
  const b = await lint({ path: '/t/b.c', text: '#define Py_GIL_DISABLED 1\n#define Py_LIMITED_API 0x030F0000\n#include <Python.h>\n' }, { buildConfig: null });
  assert.deepEqual([b.target?.minor, b.target?.abi3t], [15, true]);
  const c = await lint({ path: '/t/c.c', text: '#define Py_TARGET_ABI3T 0x03100000\n#define Py_LIMITED_API 0x030F0000\n#include <Python.h>\n' }, { buildConfig: null });
  assert.deepEqual([c.target?.minor, c.target?.abi3t], [15, true]);
});

test('#if evaluation is three-valued; PY_VERSION_HEX is only known to be at least the target', () => {
  const e = { defined: new Map([['Py_LIMITED_API', { lo: 0x03090000n, hi: 0x03090000n }]]), undefinedKnown: new Set<string>(), pyVersionHex: { lo: 0x03090000n, hi: 0xffffffffn } };
  assert.deepEqual(evaluate('Py_LIMITED_API+0 >= 0x030C0000', e).value, { lo: 0n, hi: 0n });
  assert.deepEqual(evaluate('PY_VERSION_HEX >= 0x03090000', e).value, { lo: 1n, hi: 1n });
  assert.equal(evaluate('PY_VERSION_HEX >= 0x030C0000', e).value, null);
  assert.equal(evaluate('defined(MS_WINDOWS) && Py_LIMITED_API >= 0x03020000', e).value, null);
  assert.deepEqual(evaluate('defined(MS_WINDOWS) && 0', e).value, { lo: 0n, hi: 0n });
  assert.deepEqual(evaluate('!defined(Py_LIMITED_API)', e).value, { lo: 0n, hi: 0n });
  assert.deepEqual(evaluate('Py_LIMITED_API >= Py_PACK_VERSION(3, 9)', e).value, { lo: 1n, hi: 1n });
});

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-cfg-'));
  for (const [n, t] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, n)), { recursive: true });
    fs.writeFileSync(path.join(dir, n), t.split('{DIR}').join(dir));
  }
  return dir;
}

test('build configuration: what each format defines or tags', () => {
  const cases: [Record<string, string>, { kind: string; minor: number | null }[]][] = [
    [{ 'setup.py': 'Extension("m", ["m.c"], define_macros=[("Py_LIMITED_API", "0x030A0000")], py_limited_api=True)\n' }, [{ kind: 'define', minor: 10 }, { kind: 'tag', minor: null }]],
    [{ 'setup.py': "setup(options={'bdist_wheel': {'py_limited_api': 'cp39'}})\n# py_limited_api = 'cp311' in a comment is not read\n" }, [{ kind: 'tag', minor: 9 }]],
    [{ 'setup.cfg': '[bdist_wheel]\npy_limited_api = cp312\n' }, [{ kind: 'tag', minor: 12 }]],
    [{ 'pyproject.toml': '[tool.scikit-build]\nwheel.py-api = "cp310"\n' }, [{ kind: 'tag', minor: 10 }]],
    [{ 'pyproject.toml': '[tool.meson-python]\nlimited-api = true\n' }, [{ kind: 'tag', minor: null }]],
    [{ 'pyproject.toml': '[[tool.setuptools.ext-modules]]\nname = "m"\nsources = ["m.c"]\npy-limited-api = true\ndefine-macros = [["Py_LIMITED_API", "0x030B0000"]]\n' }, [{ kind: 'tag', minor: null }, { kind: 'define', minor: 11 }]],
    [{ 'meson.build': "py.extension_module('m', 'm.c', limited_api: '3.9')\n" }, [{ kind: 'define', minor: 9 }]],
    [{ 'CMakeLists.txt': 'python_add_library(m MODULE USE_SABI 3.12 WITH_SOABI m.c)\n# USE_SABI 3.2 in a comment\n' }, [{ kind: 'define', minor: 12 }]],
    [{ 'compile_commands.json': JSON.stringify([{ directory: '{DIR}', file: 'other.c', arguments: ['cc', '-DPy_LIMITED_API=0x030A0000'] }, { directory: '{DIR}', file: 'm.c', arguments: ['cc', '-DPy_LIMITED_API=0x030D0000', '-c', 'm.c'] }]) }, [{ kind: 'define', minor: 13 }]],
  ];
  for (const [files, want] of cases) {
    const dir = project({ ...files, 'm.c': '' });
    const cfg = readBuildConfig(path.join(dir, 'm.c'), dir, fsHost);
    assert.ok(cfg, JSON.stringify(files));
    assert.deepEqual(cfg.facts.map((f) => ({ kind: f.kind, minor: f.minor })), want, Object.keys(files)[0]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('setup.py constants are read as data: tuples, str.format with *args, f-strings, %, hex(); nothing else, never run', () => {
  const cases: [string, { minor: number | null; unevaluable?: string }[]][] = [
    // psutil's shape
    ['MIN_PY_VERSION = (3, 8)\nmacros = []\nif True:\n    _hexversion = "0x{:02x}{:02x}0000".format(*MIN_PY_VERSION)\n    macros.append(("Py_LIMITED_API", _hexversion))\n', [{ minor: 8 }]],
    ['MINOR = 10\nLIMITED = f"0x03{MINOR:02x}0000"\ndefine_macros = [("Py_LIMITED_API", LIMITED)]\n', [{ minor: 10 }]],
    ['V = (3, 11)\nmacros += [("Py_LIMITED_API", "0x%02x%02x0000" % V)]\n', [{ minor: 11 }]],
    ['macros = [("Py_LIMITED_API", hex(0x030C0000))]\n', [{ minor: 12 }]],
    ['macros = [("Py_LIMITED_API", 0x03090000)]\n', [{ minor: 9 }]],
    ['import os\nmacros = [("Py_LIMITED_API", os.environ["LIMITED"])]\n', [{ minor: null, unevaluable: 'os.environ["LIMITED"]' }]],
    ['X = "0x03090000"\nX = "0x030A0000"\nmacros = [("Py_LIMITED_API", X)]\n', [{ minor: null, unevaluable: 'X' }]],
    ['X = Y\nY = X\nmacros = [("Py_LIMITED_API", X)]\n', [{ minor: null, unevaluable: 'X' }]],
  ];
  for (const [setup, want] of cases) {
    const dir = project({ 'setup.py': setup, 'm.c': '' });
    const cfg = readBuildConfig(path.join(dir, 'm.c'), dir, fsHost)!;
    assert.deepEqual(
      cfg.facts.filter((f) => f.kind === 'define').map((f) => (f.unevaluable === undefined ? { minor: f.minor } : { minor: f.minor, unevaluable: f.unevaluable })),
      want,
      setup,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a build file whose Py_LIMITED_API cannot be evaluated is named, with its line, in the reason a file is not checked', async () => {
  const dir = project({ 'setup.py': 'import os\n\nmacros = [("Py_LIMITED_API", os.environ["LIMITED"])]\n', 'm.c': '#include <Python.h>\n' });
  const r = await lint({ path: path.join(dir, 'm.c'), text: '#include <Python.h>\n' }, { root: dir });
  assert.equal(r.target, null);
  assert.match(r.noTargetReason ?? '', /^no Py_LIMITED_API abi3lint can read: setup\.py:3 sets it to `os\.environ\["LIMITED"\]`, which cannot be evaluated without running setup\.py \(abi3lint never runs build files\), and no target option was given\. Set abi3lint\.target/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a malformed pyproject.toml is a notice, not a crash; build files outside the root are not read', () => {
  const dir = project({ 'pyproject.toml': '[tool.scikit-build\nwheel.py-api = ', 'sub/m.c': '' });
  const cfg = readBuildConfig(path.join(dir, 'sub', 'm.c'), dir, fsHost);
  assert.match(cfg!.problems[0], /not valid TOML/);
  assert.equal(buildTarget(cfg), null);
  assert.equal(readBuildConfig(path.join(dir, 'sub', 'm.c'), path.join(dir, 'sub'), fsHost), null);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the Python tokenizer reads strings, names and comments without running anything', () => {
  const toks = tokenizePython('x = """doc\n""" # c\nf("a\\"b", r\'raw\', 0x10)\n');
  assert.deepEqual(
    toks.map((t) => `${t.t}:${t.v}`),
    ['name:x', 'op:=', 'str:doc\n', 'name:f', 'op:(', 'str:a"b', 'op:,', 'str:raw', 'op:,', 'num:0x10', 'op:)'],
  );
  assert.equal(toks.find((t) => t.t === 'str' && t.v === 'doc\n')?.line, 1);
  assert.equal(toks.find((t) => t.v === 'f')?.line, 3);
});
