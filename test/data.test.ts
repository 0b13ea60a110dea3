/** The knowledge base: facts from the real headers, checked against the data and against gcc. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadCatalog, minorOf, ReplacementsFileSchema, RulesFileSchema, statusAt } from '../server/src/core/catalog';
import { CapiDataSchema, TARGET_MINORS } from '../server/src/core/dataSchema';
import { hoverForName } from '../server/src/core/hover';
import { lint } from '../server/src/core/lint';
import { minorToHex } from '../server/src/core/version';
import { ROOT, headersFor } from './helpers/fixtures';

const cat = loadCatalog();
const entry = (n: string) => {
  const e = cat.names.get(n);
  assert.ok(e, `${n} is not in data/capi.json`);
  return e;
};

test('capi.json validates against its zod schema and stays under 2 MB', () => {
  const raw = fs.readFileSync(path.join(ROOT, 'data', 'capi.json'), 'utf8');
  CapiDataSchema.parse(JSON.parse(raw));
  assert.ok(raw.length < 2 * 1024 * 1024, `capi.json is ${raw.length} bytes`);
  assert.ok(cat.names.size > 3000, `only ${cat.names.size} names`);
  assert.deepEqual(cat.data.headerVersions, ['3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14', '3.15']);
});

test('the curated data files validate against their zod schemas (the CLI does not re-validate them on every start)', () => {
  ReplacementsFileSchema.parse(JSON.parse(fs.readFileSync(path.join(ROOT, 'data', 'replacements.json'), 'utf8')));
  RulesFileSchema.parse(JSON.parse(fs.readFileSync(path.join(ROOT, 'data', 'rules.json'), 'utf8')));
});

test('each minor version from its newest patch release; what a superseded one got wrong is kept as data', async () => {
  const data = JSON.parse(fs.readFileSync(path.join(ROOT, 'data', 'capi.json'), 'utf8'));
  // 3.13 from Debian (3.13.x), not pyenv's 3.13.0, whose headers declared PyObject_DelAttr as a function at
  // every target (CPython gh-134989); 3.13.0 itself is read for the patch notes
  assert.match(data.sources.headers['3.13'], /^debian /);
  assert.match(data.sources.headers['3.13.0'], /^pyenv 3\.13\.0$/);
  for (const name of ['PyObject_DelAttr', 'PyObject_DelAttrString']) {
    const e = entry(name);
    assert.equal(statusAt(e, name, 5, false).kind, 'limited', `${name} at 3.5: a macro over the setter in every header set but 3.13.0's`);
    assert.deepEqual(e.superseded, [{ release: '3.13.0', targets: ['3.2', '3.3', '3.4', '3.5', '3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12'] }]);
    assert.match(hoverForName(name, { minor: 9, abi3t: false, source: { kind: 'option', detail: '3.9' } })!, /CPython 3\.13\.0's headers declare it as an exported function at targets 3\.2–3\.12: a binary built with them at such a target needs Python 3\.13/);
  }
  // and the safe replacement the hover offers
  const r = await lint({ path: '/d/del.c', text: '#define Py_LIMITED_API 0x03050000\n#include <Python.h>\nint f(PyObject *o, PyObject *n) { return PyObject_DelAttr(o, n); }\n' }, { buildConfig: null });
  assert.deepEqual(r.findings, [], 'PyObject_DelAttr at 3.5 compiles and links with every header set but 3.13.0');
  assert.equal(loadCatalog().replacements.get('PyObject_DelAttr')?.alternatives[0].template, 'PyObject_SetAttr($1, $2, NULL)');
});

test('facts from the headers', () => {
  assert.equal(entry('PyList_GetItem').limitedSince, '3.2');
  assert.equal(entry('PyList_GetItem').kind, 'function');
  assert.equal(entry('PyList_GetItem').returns, 'borrowed');
  assert.equal(entry('PyType_GetName').limitedSince, '3.11');
  assert.equal(entry('PyList_GET_ITEM').kind, 'macro');
  assert.equal(entry('PyList_GET_ITEM').limitedSince, undefined);
  assert.equal(entry('PyUnicode_AsUTF8').limited, undefined, 'PyUnicode_AsUTF8 is never limited');
  // Py_TYPE: a macro over an inline in the Limited API before 3.14, an exported function from 3.14
  const forms = entry('Py_TYPE').limitedForms!;
  assert.equal(forms[TARGET_MINORS.indexOf(13)], 'm');
  assert.equal(forms[TARGET_MINORS.indexOf(14)], 'f');
  assert.equal(entry('Py_TYPE').limitedSince, '3.2');
  // PyObject is opaque under abi3t, a struct with ob_refcnt/ob_type members in abi3
  assert.equal(entry('struct _object').abi3t, 'opaque');
  assert.equal(entry('struct _object').limitedComplete?.[TARGET_MINORS.indexOf(9)], 'Y');
  assert.equal(entry('struct _typeobject').limitedComplete, undefined, 'PyTypeObject is opaque in the Limited API');
  // removed from the Limited API in a later header version
  assert.equal(entry('PySequence_Fast_GET_ITEM').limitedRemovedIn, '3.14');
  assert.equal(entry('PyWeakref_GetObject').limitedRemovedIn, '3.15');
  // old-looking but limited; PyObject_NEW only from 3.9 (3.6-3.8 expand it into tp_basicsize)
  for (const n of ['PyMem_MALLOC', 'PyLong_AS_LONG', 'PyThreadState_GET']) assert.equal(entry(n).limitedSince, '3.2', n);
  assert.equal(entry('PyObject_NEW').limitedSince, '3.9');
  // manifest facts
  assert.equal(entry('_Py_Dealloc').manifest?.abiOnly, true);
  assert.equal(entry('PyErr_SetFromWindowsErr').manifest?.ifdef, 'MS_WINDOWS');
  assert.equal(entry('PyModuleDef').manifest?.structKind, 'abi3t-opaque');
  // deprecation, docs, reference semantics
  assert.equal(entry('PyErr_Fetch').deprecated, '3.12');
  assert.equal(entry('PyList_GetItem').docs, 'list#c.PyList_GetItem');
  assert.deepEqual(entry('PyTuple_SetItem').steals, [2]);
  assert.equal(entry('PyType_GetName').returns, 'new');
  // internal names are known but not described
  assert.ok(cat.internal.has('_PyObject_GC_TRACK') || cat.internal.size > 1000);
});

test('every name in the replacement table is in the data, and each replacement exists at its stated version', () => {
  assert.ok(cat.replacements.size + cat.memberReplacements.size >= 50, 'at least 50 pairs');
  for (const r of [...cat.replacements.values(), ...cat.memberReplacements.values()]) {
    if (r.form === 'member') {
      assert.ok(cat.members.has(r.member!), `member ${r.member} unknown`);
    } else if (r.old !== 'static PyTypeObject') {
      assert.ok(cat.names.has(r.old), `${r.old} (old) is not in the data`);
    }
    for (const alt of r.alternatives) {
      const fn = /^[A-Za-z_]\w*/.exec(alt.new)?.[0];
      if (!fn || alt.safety === 'display-only') continue;
      const e = entry(fn);
      const st = statusAt(e, fn, minorOf(alt.since), false);
      assert.equal(st.kind, 'limited', `${r.old} -> ${fn} is not limited at ${alt.since} (${JSON.stringify(st)})`);
    }
  }
});

/** Compiles `body` in a function with gcc at a target against one header version; true when it compiles. */
function compiles(headers: string, target: number, body: string): { ok: boolean; err: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-probe-'));
  const file = path.join(dir, 'probe.c');
  fs.writeFileSync(file, `#define Py_LIMITED_API ${minorToHex(target)}\n#include <Python.h>\nvoid probe(PyObject *o, PyTypeObject *t) {\n  (void)o; (void)t;\n  ${body};\n}\n`);
  const r = spawnSync('gcc', ['-fsyntax-only', '-Werror=implicit-function-declaration', '-I', headers, file], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return { ok: r.status === 0, err: r.stderr };
}

const probes: { body: string; name: string; headers: string; target: number }[] = [
  { body: '(void)PyList_GetItem(o, 0)', name: 'PyList_GetItem', headers: '3.6', target: 2 },
  { body: '(void)PyList_GetItem(o, 0)', name: 'PyList_GetItem', headers: '3.15', target: 2 },
  { body: '(void)PyType_GetName(t)', name: 'PyType_GetName', headers: '3.15', target: 10 },
  { body: '(void)PyType_GetName(t)', name: 'PyType_GetName', headers: '3.15', target: 11 },
  { body: '(void)PyList_GET_ITEM(o, 0)', name: 'PyList_GET_ITEM', headers: '3.12', target: 12 },
  { body: '(void)PyUnicode_AsUTF8(o)', name: 'PyUnicode_AsUTF8', headers: '3.14', target: 14 },
  { body: '(void)PyObject_NEW(PyObject, t)', name: 'PyObject_NEW', headers: '3.8', target: 8 },
  { body: '(void)PyObject_NEW(PyObject, t)', name: 'PyObject_NEW', headers: '3.9', target: 9 },
  { body: '(void)PyMem_MALLOC(4)', name: 'PyMem_MALLOC', headers: '3.6', target: 2 },
  { body: '(void)PySequence_Fast_GET_SIZE(o)', name: 'PySequence_Fast_GET_SIZE', headers: '3.13', target: 9 },
  { body: '(void)PyErr_GetRaisedException()', name: 'PyErr_GetRaisedException', headers: '3.12', target: 12 },
  { body: '(void)PyErr_GetRaisedException()', name: 'PyErr_GetRaisedException', headers: '3.12', target: 11 },
];

for (const p of probes) {
  test(`gcc confirms the data for ${p.name} at ${p.target === 2 ? '3.2' : '3.' + p.target} with the ${p.headers} headers`, () => {
    const r = compiles(headersFor(p.headers), p.target, p.body);
    const e = entry(p.name);
    const c = e.limited?.[TARGET_MINORS.indexOf(p.target as (typeof TARGET_MINORS)[number])] ?? 'N';
    // Y: every header from the target on declares it; so this header must compile it.
    // N / G below the header's version: this header must not compile it.
    if (c === 'Y') assert.ok(r.ok, `data says ${p.name} is limited at the target, gcc says:\n${r.err}`);
    else assert.ok(!r.ok || (c !== 'N' && p.headers !== `3.${p.target}`), `data says ${p.name} is '${c}' at the target, but gcc compiled it`);
  });
}
