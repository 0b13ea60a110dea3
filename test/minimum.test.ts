/** The "Set Py_LIMITED_API to the minimum this file needs" action: offered when it helps, and honest about it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lint } from '../server/src/core/lint';

const file = (hex: string, body: string) => ({ path: '/minimum/m.c', text: `#define Py_LIMITED_API ${hex}\n#include <Python.h>\n${body}` });

test('raising the target: offered when it removes findings, with how many it removes and how many remain', async () => {
  const r = await lint(file('0x03090000', 'PyObject *f(PyObject *t) { return PyType_GetQualName((PyTypeObject *)t); }\nint g(PyObject *o) { return _PyObject_IsFreed(o); }\n'), { buildConfig: null });
  assert.deepEqual(r.findings.map((f) => f.code).sort(), ['ABI002', 'ABI003']);
  assert.equal(r.raiseToMinimum?.title, 'Set Py_LIMITED_API to 0x030B0000 (3.11): removes 1 finding, 1 remain');
  assert.equal(r.raiseToMinimum?.edits[0].newText, '0x030B0000');
});

test('raising the target: not offered when it removes nothing (the finding of the newer API is suppressed)', async () => {
  const r = await lint(file('0x03090000', 'PyObject *f(PyObject *t) { return PyType_GetQualName((PyTypeObject *)t); } // abi3lint: ignore[ABI002]\nPy_ssize_t g(PyObject *l) { return PyList_GET_SIZE(l); }\n'), { buildConfig: null });
  assert.equal(r.minimumVersion, 11);
  assert.deepEqual(r.findings.map((f) => f.code), ['ABI004']);
  assert.equal(r.raiseToMinimum, undefined);
});

test('a behaviour finding (ABI016) counts as removed when the minimum reaches its version', async () => {
  const r = await lint(file('0x03090000', 'PyObject *f(PyObject *t) { return PyType_GetName((PyTypeObject *)t); }\nstatic PyType_Slot s[] = {{Py_tp_doc, NULL}, {0, NULL}};\n'), { buildConfig: null });
  assert.deepEqual(r.findings.map((f) => f.code).sort(), ['ABI002', 'ABI016']);
  assert.equal(r.raiseToMinimum?.title, 'Set Py_LIMITED_API to 0x030B0000 (3.11): removes 2 findings');
});

test('lowering the target to what the file needs: offered as more Pythons', async () => {
  const r = await lint(file('0x030C0000', 'PyObject *f(PyObject *t) { return PyType_GetName((PyTypeObject *)t); }\n'), { buildConfig: null });
  assert.equal(r.findings.length, 0);
  assert.equal(r.raiseToMinimum?.title, 'Set Py_LIMITED_API to 0x030B0000 (3.11), the minimum this file needs (more Pythons)');
});
