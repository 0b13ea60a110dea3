import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hoverForName } from '../../server/src/core/hover';
import { lint } from '../../server/src/core/lint';
import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI002', {
  target: '3.9',
  valid: [
    { code: 'PyObject *f(PyObject *o) { return Py_NewRef(o); }', target: '3.10' },
    { name: 'guarded by the target', code: '#if Py_LIMITED_API+0 >= 0x030A0000\nPyObject *f(PyObject *o) { return Py_NewRef(o); }\n#endif' },
  ],
  invalid: [
    {
      name: 'link: every header declares it at the target, but the Stable ABI adds the symbol later',
      code: 'PyObject *f(PyObject *c) { return PyObject_CallNoArgs(c); }',
      errors: [{ message: /^'PyObject_CallNoArgs' is in the Stable ABI only from 3\.10; this file targets 3\.9: it compiles, but the symbol is outside the Stable ABI on Python 3\.9: python3\.dll there lacks it/ }],
    },
    {
      code: 'PyObject *f(PyObject *o) { return Py_NewRef(o); }',
      errors: [{ message: /^'Py_NewRef' is in the Limited API only from 3\.10; this file targets 3\.9/, line: 1 }],
    },
    {
      name: 'the file defines its target: raising it is offered (unsafe), never chosen by fix-all',
      code: '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\nPyObject *n(PyObject *t) { return PyErr_GetHandledException(); }\n',
      errors: [{ message: /^'PyErr_GetHandledException' is in the Limited API only from 3\.11; this file targets 3\.9/, line: 3 }],
      fixTitles: ['Set Py_LIMITED_API to 0x030B0000 (3.11): drops support for older Pythons'],
      output: '#define Py_LIMITED_API 0x030B0000\n#include <Python.h>\nPyObject *n(PyObject *t) { return PyErr_GetHandledException(); }\n',
    },
    {
      name: 'a name with a compat shim: the shim first (safe: keeps the target), then raising it',
      code: '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\nPyObject *n(PyObject *t) { return PyType_GetName((PyTypeObject *)t); }\n',
      errors: [{ message: /^'PyType_GetName' is in the Limited API only from 3\.11; this file targets 3\.9/, line: 3 }],
      fixTitles: ['Supply PyType_GetName with a compat shim (for Pythons below 3.11; keeps the target)', 'Set Py_LIMITED_API to 0x030B0000 (3.11): drops support for older Pythons'],
    },
    {
      name: 'a slot entry newer than the target: kept for builds whose target has it (unsafe), before raising the target',
      code: 'static int ex(PyObject *m) { return 0; }\nstatic PyModuleDef_Slot slots[] = {\n    {Py_mod_exec, ex},\n    {Py_mod_gil, (void *)0},\n    {0, NULL}\n};\n',
      target: '3.11',
      errors: [{ message: /^'Py_mod_gil' is in the Limited API only from 3\.13; this file targets 3\.11/, line: 4 }],
      fixTitles: ['Keep this slot only in builds for 3.13+: #if Py_LIMITED_API+0 >= 0x030D0000 (unsafe: a build for 3.11 has no such slot on any Python)', 'Set Py_LIMITED_API to 0x030D0000 (3.13): drops support for older Pythons'],
      output: 'static int ex(PyObject *m) { return 0; }\nstatic PyModuleDef_Slot slots[] = {\n    {Py_mod_exec, ex},\n#if Py_LIMITED_API+0 >= 0x030D0000\n    {Py_mod_gil, (void *)0},\n#endif\n    {0, NULL}\n};\n',
    },
    {
      name: 'a too-new name in a slot entry that shares its line is left to the user',
      code: 'static int ex(PyObject *m) { return 0; }\nstatic PyModuleDef_Slot slots[] = { {Py_mod_exec, ex}, {Py_mod_gil, (void *)0}, {0, NULL} };\n',
      target: '3.11',
      errors: [{ message: /^'Py_mod_gil' is in the Limited API only from 3\.13/, line: 2 }],
      fixTitles: ['Set Py_LIMITED_API to 0x030D0000 (3.13): drops support for older Pythons'],
    },
  ],
});

test('ABI002 says which kind of break: compile or link (JSON kind, hover)', async () => {
  const text = '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\nPyObject *a(PyObject *c) { return PyObject_CallNoArgs(c); }\nPyObject *b(PyObject *o) { return Py_NewRef(o); }\n';
  const r = await lint({ path: '/t/kind.c', text }, { buildConfig: null, select: ['ABI002'] });
  assert.deepEqual(r.findings.map((f) => [f.identifier, f.kind]), [['PyObject_CallNoArgs', 'link'], ['Py_NewRef', 'compile']]);
  assert.match(hoverForName('PyObject_CallNoArgs', r.target)!, /compiles here, but the Stable ABI has the symbol only from 3\.10/);
  assert.doesNotMatch(hoverForName('Py_NewRef', r.target)!, /compiles here/);
});
