/**
 * The heap-type migration (issue 13, item 1), input → output: each fixture of test/fixtures/migrate is migrated
 * at the targets it names; the output must equal the reviewed `<name>.<target>.out.c` (ABI3LINT_UPDATE_GOLDEN=1
 * writes them), leave no ABI006, compile -Wall -Werror with every header set from the target to 3.15, and behave as
 * the original: the original built with the full API for each CPython from the target up, the migration built
 * once as abi3 with the target's headers, the fixture's smoke script prints the same on both.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { lint } from '../server/src/core/lint';
import { applyEdits } from '../server/src/core/fixes';
import { fixText } from '../server/src/core/migrate';
import { minorToHex } from '../server/src/core/version';
import { buildExtension, interpreters, runScript } from '../scripts/runtime';
import { FIXTURES, headersFor } from './helpers/fixtures';

const DIR = path.join(FIXTURES, 'migrate');
/** `fullFrom`: the original is written for newer Pythons and builds with the full API only from that minor; on the
 *  older ones the migration's output must equal the original's output on that minor. */
const CASES: { name: string; module: string; targets: number[]; abi3t?: boolean; rule: string; header?: string; fullFrom?: number }[] = [
  { name: 'counter-designated', module: 'counter', targets: [9, 12], rule: 'ABI006' },
  { name: 'pair-positional', module: 'pair', targets: [9, 10], rule: 'ABI006' },
  { name: 'subclass-multiphase', module: 'shapes', targets: [10], rule: 'ABI006' },
  // types that are not static, declared in a project header that takes their addresses in macros
  { name: 'boxes-header', module: 'boxes', targets: [10], rule: 'ABI006', header: 'boxes.h' },
  // abi3t (3.15): PyInit_ returning a PyModuleDef becomes the PEP 793 export hook
  { name: 'modexport-multiphase', module: 'modexport', targets: [15], abi3t: true, rule: 'ABI012' },
  // Py_TYPE(o)->tp_name in messages: a made name and %U below 3.13, %T/%N from 3.13
  { name: 'typename-messages', module: 'typenames', targets: [10, 13], rule: 'ABI005' },
  // three types sharing a macro of fields and the tables it names; an #ifdef inside one type's flags
  { name: 'views-shared', module: 'views', targets: [10], rule: 'ABI006' },
  // str internals (ASCII built in place, KIND/DATA/READ, READY, the empty str), tp_name in a macro, a newer branch
  { name: 'text-internals', module: 'texts', targets: [10], rule: 'ABI004' },
  // tp_iternext read to step an iterator (PyIter_Next), _PyEval_SliceIndex (its compat shim)
  { name: 'iternext-steps', module: 'steps', targets: [8, 10], rule: 'ABI005' },
  // a proxy dispatching through another type's method tables (PyType_GetSlot), a global type in the module's file
  { name: 'proxy-slots', module: 'proxyslots', targets: [10], rule: 'ABI005' },
  // module and type slot entries newer than the target, kept for builds whose target has them (audioop-lts)
  { name: 'slots-newer', module: 'slotsnew', targets: [11], rule: 'ABI002', fullFrom: 14 },
];

/** The migrated file, and the project header it includes when the case has one (as the migration left it). */
async function migrate(name: string, minor: number, abi3t = false, header?: string): Promise<{ text: string; notes: string[]; header: string | null }> {
  const file = path.join(DIR, `${name}.c`);
  const done = await fixText({ path: file, text: fs.readFileSync(file, 'utf8') }, { settings: { target: `3.${minor}`, abi3t }, buildConfig: null }, true, 5, true);
  const h = header ? path.join(DIR, header) : null;
  assert.deepEqual([...done.otherFiles.keys()], h && done.otherFiles.has(h) ? [h] : [], 'edits of other files');
  return { text: done.text, notes: done.notes, header: h ? applyEdits(fs.readFileSync(h, 'utf8'), done.otherFiles.get(h) ?? []).text : null };
}

function gccErrors(text: string, minor: number, headers: number, extra: string[] = [], abi3t = false, files: Record<string, string> = {}): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-migrate-'));
  const src = path.join(dir, 'm.c');
  fs.writeFileSync(src, text);
  for (const [n, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), t);
  const define = abi3t ? `-DPy_TARGET_ABI3T=${minorToHex(minor)}` : `-DPy_LIMITED_API=${minorToHex(minor)}`;
  const r = spawnSync('gcc', ['-fsyntax-only', '-Wall', ...extra, define, '-I', headersFor(`3.${headers}`), src], { encoding: 'utf8' });
  return r.stderr.split('\n').filter((l) => /: (error|warning):/.test(l));
}

for (const c of CASES) {
  for (const minor of c.targets) {
    const t = `3.${minor}${c.abi3t ? ' (abi3t)' : ''}`;
    test(`migration of ${c.name}.c at ${t}: the reviewed output, no ${c.rule} left, clean with -Wall on the headers 3.${minor}-3.15`, async () => {
      const { text, header } = await migrate(c.name, minor, c.abi3t, c.header);
      const golden = path.join(DIR, `${c.name}.3.${minor}${c.abi3t ? 't' : ''}.out.c`);
      const goldens: [string, string][] = [[golden, text]];
      if (c.header) goldens.push([path.join(DIR, c.header.replace(/\.h$/, `.3.${minor}.out.h`)), header!]);
      for (const [g, t] of goldens) {
        if (process.env.ABI3LINT_UPDATE_GOLDEN === '1') fs.writeFileSync(g, t);
        assert.equal(t, fs.readFileSync(g, 'utf8'), `${g} differs (ABI3LINT_UPDATE_GOLDEN=1 rewrites it: review the diff)`);
      }
      const files = c.header ? { [c.header]: header! } : {};
      const after = await lint({ path: path.join(DIR, `${c.name}.c`), text }, { settings: { target: `3.${minor}`, abi3t: c.abi3t }, buildConfig: null });
      assert.deepEqual(after.findings.filter((f) => f.code === c.rule).map((f) => f.message), []);
      for (let h = minor; h <= 15; h++) assert.deepEqual(gccErrors(text, minor, h, [], c.abi3t, files), [], `headers 3.${h}`);
      // and the original does not compile there: the migration is what made it
      const originalFiles = c.header ? { [c.header]: fs.readFileSync(path.join(DIR, c.header), 'utf8') } : {};
      assert.ok(gccErrors(fs.readFileSync(path.join(DIR, `${c.name}.c`), 'utf8'), minor, minor, [], c.abi3t, originalFiles).some((l) => /error/.test(l)));
    });

    test(`migration of ${c.name}.c at ${t} behaves as the original on every CPython from 3.${minor}`, async () => {
      const pythons = interpreters().filter((p) => Number(p.minor.split('.')[1]) >= minor);
      const wanted = Array.from({ length: 16 - minor }, (_, i) => `3.${minor + i}`);
      const missing = wanted.filter((m) => !pythons.some((p) => p.minor === m));
      assert.deepEqual(missing, [], `CPython ${missing.join(', ')} missing (pyenv install 3.X; scripts/fetch-python-interpreters for 3.14 and 3.15)`);
      const { text, header } = await migrate(c.name, minor, c.abi3t, c.header);
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-migrate-run-'));
      const abi3 = path.join(work, 'abi3');
      const withHeader = (dir: string, t: string | null): void => {
        fs.mkdirSync(dir, { recursive: true });
        if (c.header) fs.writeFileSync(path.join(dir, c.header), t!);
      };
      withHeader(abi3, header);
      await buildExtension({ name: c.module, source: text, target: `3.${minor}`, abi3t: c.abi3t, headers: `3.${minor}`, into: abi3 });
      const script = fs.readFileSync(path.join(DIR, `${c.name}.py`), 'utf8');
      const original = fs.readFileSync(path.join(DIR, `${c.name}.c`), 'utf8');
      const reference = new Map<string, { ok: boolean; out: string }>();
      const originalOn = async (py: (typeof pythons)[number]): Promise<{ ok: boolean; out: string }> => {
        const full = path.join(work, `full-${py.minor}`);
        withHeader(full, c.header ? fs.readFileSync(path.join(DIR, c.header), 'utf8') : null);
        await buildExtension({ name: c.module, source: original, target: null, headers: py.minor, into: full });
        return runScript(py, full, script);
      };
      for (const py of [...pythons].sort((a, b) => Number(b.minor.split('.')[1]) - Number(a.minor.split('.')[1]))) {
        const m = Number(py.minor.split('.')[1]);
        const want = c.fullFrom && m < c.fullFrom ? reference.get(`3.${c.fullFrom}`)! : await originalOn(py);
        reference.set(py.minor, want);
        const got = await runScript(py, abi3, script);
        assert.ok(want.ok, `the original on ${c.fullFrom && m < c.fullFrom ? `3.${c.fullFrom}` : py.minor}: ${want.out}`);
        assert.ok(got.ok, `the migration on ${py.minor}: ${got.out}`);
        assert.equal(got.out, want.out, `output on CPython ${py.version}`);
      }
    });
  }
}

test('what the Limited API cannot express is refused with the reason, never half rewritten', async () => {
  const cases: [string, string, number, RegExp][] = [
    ['counter-designated', 'CounterType', 7, /own a reference to their type from 3\.8 on/],
    ['subclass-multiphase', 'RectType', 9, /the base ShapeType is created at run time; passing it alone as the bases needs 3\.10/],
  ];
  for (const [name, type, minor, why] of cases) {
    const file = path.join(DIR, `${name}.c`);
    const r = await lint({ path: file, text: fs.readFileSync(file, 'utf8') }, { settings: { target: `3.${minor}` }, buildConfig: null });
    const abi006 = r.findings.filter((f) => f.code === 'ABI006' && f.identifier === type);
    assert.ok(abi006.length > 0);
    for (const f of abi006) {
      assert.ok(!f.fixes.some((x) => x.kind === 'migrate'), `${name} at 3.${minor}: no migration`);
    }
    assert.ok(abi006.some((f) => f.fixes.some((x) => x.kind === 'hint' && why.test(x.title))), `${name} at 3.${minor}: ${abi006.map((f) => f.fixes.map((x) => x.title).join(' / ')).join('; ')}`);
    // what is converted around it never leaves more compiler errors than before
    const text = fs.readFileSync(file, 'utf8');
    const done = await fixText({ path: file, text }, { settings: { target: `3.${minor}` }, buildConfig: null }, true);
    const errors = (t: string): number => gccErrors(t, minor, Math.max(minor, 9), ['-fmax-errors=0']).filter((l) => /error/.test(l)).length;
    assert.ok(errors(done.text) <= errors(text), `${name} at 3.${minor}: ${errors(text)} errors before, ${errors(done.text)} after`);
  }
  const buffer = `#include <Python.h>
typedef struct { PyObject_HEAD char data[4]; } B;
static int B_get(PyObject *o, Py_buffer *v, int f) { return PyBuffer_FillInfo(v, o, ((B *)o)->data, 4, 1, f); }
static PyBufferProcs B_as_buffer = { B_get, NULL };
static PyTypeObject BType = { PyVarObject_HEAD_INIT(NULL, 0) .tp_name = "b.B", .tp_basicsize = sizeof(B), .tp_as_buffer = &B_as_buffer };
int init(void) { return PyType_Ready(&BType); }
`;
  const r = await lint({ path: '/virtual/b.c', text: buffer }, { settings: { target: '3.9' }, buildConfig: null });
  const hint = r.findings.find((f) => f.code === 'ABI006')?.fixes[0];
  assert.equal(hint?.kind, 'hint');
  assert.match(hint!.title, /Py_bf_getbuffer is in the Limited API only from 3\.11 \(this file targets 3\.9\)/);
});

test('migrations are unsafe and never part of the editor fix-all', async () => {
  const file = path.join(DIR, 'counter-designated.c');
  const r = await lint({ path: file, text: fs.readFileSync(file, 'utf8') }, { settings: { target: '3.9' }, buildConfig: null });
  const m = r.findings.flatMap((f) => f.fixes).find((x) => x.kind === 'migrate')!;
  assert.equal(m.safety, 'unsafe');
  assert.match(m.title, /^Convert 'CounterType' to a heap type \(PyType_Spec\) \(unsafe: review the preview\)$/);
  const safeOnly = await fixText({ path: file, text: fs.readFileSync(file, 'utf8') }, { settings: { target: '3.9' }, buildConfig: null }, false);
  assert.match(safeOnly.text, /static PyTypeObject CounterType = \{/);
});

test('abi3t export hook: single-phase init and a PyModuleDef used elsewhere are refused with the reason', async () => {
  const base = fs.readFileSync(path.join(DIR, 'modexport-multiphase.c'), 'utf8');
  const hintOf = async (text: string): Promise<string> => {
    const r = await lint({ path: '/virtual/modexport.c', text }, { settings: { target: '3.15', abi3t: true }, buildConfig: null });
    const f = r.findings.find((x) => x.code === 'ABI012' && x.identifier === 'PyInit_modexport');
    assert.ok(f, r.findings.map((x) => x.message).join('\n'));
    assert.ok(!f.fixes.some((x) => x.kind === 'migrate'));
    return f.fixes.find((x) => x.kind === 'hint')!.title;
  };
  const single = base.replace('return PyModuleDef_Init(&modexport_module);', 'PyObject *m = PyModule_Create(&modexport_module);\n    if (m && PyModule_AddIntConstant(m, "x", 1) < 0) Py_CLEAR(m);\n    return m;');
  assert.match(await hintOf(single), /uses single-phase initialization \(PyModule_Create\): move what follows the creation into a Py_mod_exec function/);
  const byDef = base.replace('st->calls++;', 'st->calls++;\n    (void)PyState_FindModule(&modexport_module);');
  assert.match(await hintOf(byDef), /modexport_module is also used outside PyInit_modexport \(`\(void\)PyState_FindModule\(&modexport_module\);`\): a module made from slots has no PyModuleDef/);
  // offered as an unsafe migration with its title when it can be made
  const r = await lint({ path: '/virtual/modexport.c', text: base }, { settings: { target: '3.15', abi3t: true }, buildConfig: null });
  const m = r.findings.flatMap((f) => f.fixes).find((x) => x.kind === 'migrate')!;
  assert.equal(m.safety, 'unsafe');
  assert.equal(m.title, 'Export PyModExport_modexport (module slots, PEP 793) instead of PyInit_modexport (unsafe: review the preview)');
});

test('a migration that also edits a project header is made only where the caller applies both (never by --fix or the editor fix-all)', async () => {
  const file = path.join(DIR, 'boxes-header.c');
  const text = fs.readFileSync(file, 'utf8');
  const opts = { settings: { target: '3.10' }, buildConfig: null };
  const alone = await fixText({ path: file, text }, opts, true);
  assert.equal(alone.otherFiles.size, 0);
  assert.match(alone.text, /^PyTypeObject Box_Type = \{/m);
  const r = await lint({ path: file, text }, opts);
  const m = r.findings.find((f) => f.code === 'ABI006' && f.identifier === 'Box_Type')!.fixes.find((x) => x.kind === 'migrate')!;
  assert.deepEqual(m.otherFiles?.map((o) => [o.path, o.edits.map((e) => e.newText)]), [[path.join(DIR, 'boxes.h'), ['extern PyTypeObject *Box_Type;', 'Box_Type']]]);
  assert.ok(m.notes?.some((n) => /Box_Type is not static: its declarations in boxes\.h become a pointer too/.test(n)));
  // a header that uses the type in a way a pointer cannot take refuses it, with the reason
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-migrate-hdr-'));
  fs.writeFileSync(path.join(dir, 'boxes.h'), fs.readFileSync(path.join(DIR, 'boxes.h'), 'utf8').replace('#endif', '#define BOX_NAME (Box_Type.tp_name)\n#endif'));
  const r2 = await lint({ path: path.join(dir, 'boxes-header.c'), text }, opts);
  const hint = r2.findings.find((f) => f.code === 'ABI006' && f.identifier === 'Box_Type')!.fixes[0];
  assert.equal(hint.kind, 'hint');
  assert.match(hint.title, /Box_Type is not static and boxes\.h uses it in a way its pointer cannot take \(`#define BOX_NAME \(Box_Type\.tp_name\)`\)/);
});

test('two types converted at once that share one dealloc and one traverse: the type is kept, released and visited once, and the file is clean with -Wall', async () => {
  const text = `#define Py_LIMITED_API 0x030A0000
#include <Python.h>
typedef struct { PyObject_HEAD PyObject *obj; } Iter;
static int iter_traverse(Iter *it, visitproc visit, void *arg) { Py_VISIT(it->obj); return 0; }
static void iter_dealloc(Iter *it)
{
    PyObject_GC_UnTrack(it);
    Py_CLEAR(it->obj);
    PyObject_GC_Del(it);
}
static PyObject *iter_next(Iter *it) { return NULL; }
static PyTypeObject KeysIter = { PyVarObject_HEAD_INIT(NULL, 0) .tp_name = "m.KeysIter", .tp_basicsize = sizeof(Iter),
    .tp_dealloc = (destructor)iter_dealloc, .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)iter_traverse, .tp_iter = PyObject_SelfIter, .tp_iternext = (iternextfunc)iter_next };
static PyTypeObject ValuesIter = { PyVarObject_HEAD_INIT(NULL, 0) .tp_name = "m.ValuesIter", .tp_basicsize = sizeof(Iter),
    .tp_dealloc = (destructor)iter_dealloc, .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)iter_traverse, .tp_iter = PyObject_SelfIter, .tp_iternext = (iternextfunc)iter_next };
static struct PyModuleDef def = { PyModuleDef_HEAD_INIT, "m", NULL, -1, NULL };
PyMODINIT_FUNC PyInit_m(void)
{
    if (PyType_Ready(&KeysIter) < 0 || PyType_Ready(&ValuesIter) < 0) return NULL;
    return PyModule_Create(&def);
}
`;
  const done = await fixText({ path: '/virtual/shared.c', text }, { buildConfig: null }, true);
  assert.equal(done.result.findings.filter((f) => f.code === 'ABI006').length, 0, done.notes.join('\n'));
  assert.equal(done.text.match(/PyTypeObject \*tp = Py_TYPE/g)?.length, 1, done.text);
  assert.equal(done.text.match(/Py_DECREF\(tp\);/g)?.length, 1);
  assert.equal(done.text.match(/Py_VISIT\(Py_TYPE\(/g)?.length, 1);
  for (let h = 10; h <= 15; h++) assert.deepEqual(gccErrors(done.text, 10, h), [], `headers 3.${h}`);
});

test('PyUnicode_READ through KIND/DATA declared on one line, with code after them: only the declarations go, the file compiles', async () => {
  // (found by the fuzz: both removals ran to the line's end, overlapping, and took the code after them too)
  const text = [
    '#include <Python.h>',
    'static PyObject *count(PyObject *self, PyObject *s)',
    '{',
    '    Py_ssize_t i, n = PyUnicode_GetLength(s), c = 0;',
    '    int kind = PyUnicode_KIND(s); const void *data = PyUnicode_DATA(s); c += 1;',
    '    for (i = 0; i < n; i++)',
    "        if (PyUnicode_READ(kind, data, i) == ' ')",
    '            c++;',
    '    return PyLong_FromSsize_t(c);',
    '}',
    '',
  ].join('\n');
  const done = await fixText({ path: '/m/count.c', text }, { settings: { target: '3.10' }, buildConfig: null }, true, 5, true);
  assert.match(done.text, /^ {4}c \+= 1;$/m, done.text);
  assert.match(done.text, /PyUnicode_ReadChar\(s, i\) == ' '/);
  assert.doesNotMatch(done.text, /PyUnicode_KIND|PyUnicode_DATA/);
  for (const h of [10, 15]) assert.deepEqual(gccErrors(done.text, 10, h), [], `headers 3.${h}`);
});
