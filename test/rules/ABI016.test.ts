import { ruleTester } from '../helpers/ruleTester';

/** The constructs: each is reported at 3.9 (invalid cases below), and not at its own version nor when a
 *  Py_LIMITED_API guard makes it inactive at the target. */
const CONSTRUCTS: [string, string, string][] = [
  ['3.14', '0x030E0000', 'PyObject *f(void) { return Py_BuildValue("(ip)", 1, 0); }'],
  ['3.13', '0x030D0000', 'PyObject *f(PyObject *o) { return PyUnicode_FromFormat("%T", o); }'],
  ['3.10', '0x030A0000', 'static PyType_Slot s[] = {{Py_tp_doc, NULL}, {0, NULL}};'],
  ['3.10', '0x030A0000', 'void *f(void) { return PyType_GetSlot(&PyLong_Type, Py_nb_add); }'],
  ['3.10', '0x030A0000', 'static PyType_Spec s = {"m.T", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE, NULL};'],
  ['3.12', '0x030C0000', 'static PyType_Spec s = {"m.T", -8, 0, Py_TPFLAGS_DEFAULT, NULL};'],
  ['3.13', '0x030D0000', '#define PY_SSIZE_T_CLEAN\n#include <Python.h>\nint f(PyObject *a) { const char *s; Py_ssize_t n; return PyArg_ParseTuple(a, "s#", &s, &n); }'],
];
const byVersionAndGuard = CONSTRUCTS.flatMap(([v, hex, code]) => [
  { code, target: v, name: `${code.split('\n').pop()} at ${v}` },
  { code: `#if Py_LIMITED_API+0 >= ${hex}\n${code}\n#endif`, name: `${code.split('\n').pop()} under a Py_LIMITED_API guard` },
]);

ruleTester('ABI016', {
  target: '3.9',
  valid: [
    ...byVersionAndGuard,
    { code: 'PyObject *f(void) { return Py_BuildValue("(ii)", 1, 0); }' },
    { code: 'PyObject *f(void) { return Py_BuildValue("(ip)", 1, 0); }', target: '3.14', name: 'target new enough' },
    { code: '#if Py_LIMITED_API+0 >= 0x030E0000\nPyObject *f(void) { return Py_BuildValue("(ip)", 1, 0); }\n#endif', name: 'inactive at the target' },
    { code: 'PyObject *f(PyObject *o) { return PyUnicode_FromFormat("%s %zd %U %%", "a", (Py_ssize_t)1, o); }' },
    { code: 'static PyType_Slot s[] = {{Py_tp_doc, "doc"}, {0, NULL}};' },
    { code: 'static PyType_Slot s[] = {{Py_tp_doc, NULL}, {0, NULL}};', target: '3.10' },
    { code: 'int f(PyObject *a) { const char *s; Py_ssize_t n; return PyArg_ParseTuple(a, "s#", &s, &n); }', target: '3.13', name: '"#" at 3.13' },
    { code: 'void *f(PyTypeObject *t) { return PyType_GetSlot(t, Py_nb_add); }' },
    { code: 'PyObject *f(PyObject *t) { return PyType_FromSpecWithBases(NULL, t); }' },
    { code: 'PyObject *f(void) { return PyArg_ParseTuple(NULL, "O:p", NULL) ? NULL : NULL; }', name: 'function name after ":" is not units' },
    { code: 'static PyModuleDef_Slot s[] = {{Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};', target: '3.12', name: 'a value no header declares at the target: the compiler rejects the entry' },
  ],
  invalid: [
    {
      code: 'PyObject *f(void) {\n  return Py_BuildValue("(ip)", 1, 0);\n}',
      errors: [{ line: 2, message: /^'p': Py_BuildValue "p" \(a C int made a bool\) needs Python 3\.14 at run time \(the target is 3\.9\): older Pythons raise SystemError/ }],
      // the hint has no edit: the first fix that edits raises the target
      output: '#define Py_LIMITED_API 0x030E0000\n#include <Python.h>\nPyObject *f(void) {\n  return Py_BuildValue("(ip)", 1, 0);\n}',
      fixTitles: ['Hint: use "O" with PyBool_FromLong(x) (and "N" to pass the new reference)', 'Set Py_LIMITED_API to 0x030E0000 (3.14): drops support for older Pythons'],
    },
    {
      code: 'static PyType_Slot s[] = {\n    {Py_tp_doc, NULL},\n    {0, NULL},\n};',
      errors: [{ line: 2, message: /^'\{Py_tp_doc, NULL\}': Py_tp_doc with a NULL value needs Python 3\.10 at run time \(the target is 3\.9\): older Pythons crash/ }],
      output: 'static PyType_Slot s[] = {\n    {0, NULL},\n};',
      fixTitles: [
        'Drop the {Py_tp_doc, NULL} entry (a type without a doc slot has no docstring on every version)',
        'Hint: drop the {Py_tp_doc, NULL} entry: a type without a doc slot has no docstring',
        'Set Py_LIMITED_API to 0x030A0000 (3.10): drops support for older Pythons',
      ],
    },
    {
      code: 'static PyType_Slot s[] = {{Py_tp_doc, (void *)NULL}, {0, NULL}};',
      errors: [{ message: /Py_tp_doc with a NULL value/ }],
      output: 'static PyType_Slot s[] = {{0, NULL}};',
    },
    {
      code: 'PyObject *f(PyObject *o) { return PyUnicode_FromFormat("%T and %-3d and %*d", o, 1, 2, 3); }',
      errors: [{ message: /^'%T': PyUnicode_FromFormat "%T" needs Python 3\.13/ }, { message: /^'%-3d': PyUnicode_FromFormat "-" flag/ }, { message: /^'%\*d': PyUnicode_FromFormat "\*" width/ }],
    },
    {
      code: '#define PY_SSIZE_T_CLEAN\n#define Py_LIMITED_API 0x03090000\n#include <Python.h>\nint f(PyObject *a) { const char *s; Py_ssize_t n; return PyArg_ParseTuple(a, "s#", &s, &n); }',
      errors: [{ line: 4, message: /^'s#': "#" units with PY_SSIZE_T_CLEAN, built with 3\.13\+ headers needs Python 3\.13 .*Build the abi3 wheel with the target's own headers/ }],
    },
    {
      code: 'void *f(void) { return PyType_GetSlot(&PyLong_Type, Py_nb_add); }',
      errors: [{ message: /^'&PyLong_Type': PyType_GetSlot on a static type needs Python 3\.10/ }],
    },
    {
      code: 'static PyType_Spec spec = {"m.T", -(int)sizeof(long), 0, Py_TPFLAGS_DEFAULT, NULL};',
      errors: [{ message: /^'-\(int\)sizeof\(long\)': A negative PyType_Spec\.basicsize needs Python 3\.12/ }],
    },
    {
      code: 'static PyType_Spec spec = {.name = "m.T", .basicsize = -8, .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION};',
      target: '3.9',
      errors: [{ message: /negative PyType_Spec\.basicsize/ }, { message: /^'Py_TPFLAGS_DISALLOW_INSTANTIATION': .* needs Python 3\.10 .*older Pythons ignore the bit/ }],
    },
    {
      code: 'static PyMemberDef m[] = {{"__weaklistoffset__", T_PYSSIZET, 0, READONLY, NULL}, {NULL}};',
      target: '3.8',
      errors: [{ message: /^'"__weaklistoffset__"': .* needs Python 3\.9 .*instances get no weak references/ }],
    },
    {
      code: '#if PY_VERSION_HEX >= 0x030E0000\nPyObject *f(void) { return Py_BuildValue("p", 1); }\n#endif',
      errors: [{ line: 2, message: /The PY_VERSION_HEX guard around it does not protect: it tests the headers of the build/ }],
    },
    {
      code: '#define FMT "(ip)"\nPyObject *f(void) { return Py_BuildValue(FMT, 1, 1); }',
      errors: [{ line: 2, message: /^'p' in 'FMT': Py_BuildValue "p"/ }],
    },
    {
      code: '#ifndef Py_MOD_GIL_NOT_USED\n#define Py_MOD_GIL_NOT_USED ((void *)0)\n#endif\nstatic PyModuleDef_Slot s[] = {{Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};',
      target: '3.12',
      errors: [{ line: 4, message: /^'Py_mod_gil': Py_mod_gil in a PyModuleDef_Slot array needs Python 3\.13 .*SystemError 'uses unknown slot ID'/ }],
    },
  ],
});
