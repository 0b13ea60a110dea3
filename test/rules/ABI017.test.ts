import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI017', {
  target: '3.9',
  valid: [
    { code: '#define PY_SSIZE_T_CLEAN\n#define Py_LIMITED_API 0x03090000\n#include <Python.h>\nint f(PyObject *a) { const char *s; Py_ssize_t n; return PyArg_ParseTuple(a, "s#", &s, &n); }' },
    { code: 'int f(PyObject *a) { const char *s; Py_ssize_t n; return PyArg_ParseTuple(a, "s#", &s, &n); }', target: '3.13', name: 'from 3.13 "#" lengths are Py_ssize_t' },
    { code: 'PyObject *f(void) { return PyUnicode_FromStringAndSize(NULL, 0); }' },
    { code: 'PyObject *f(const char *s, Py_ssize_t n) { return PyUnicode_FromStringAndSize(s, n); }' },
    { code: 'int f(PyObject *a) { const char *s; return PyArg_ParseTuple(a, "s:f#", &s); }', name: '"#" after ":" is the function name' },
  ],
  invalid: [
    {
      code: 'int f(PyObject *a) {\n  const char *s; int n;\n  return PyArg_ParseTuple(a, "s#", &s, &n);\n}',
      errors: [{ line: 3, message: /^'s#': "#" units of PyArg_Parse\* without PY_SSIZE_T_CLEAN stops working from Python 3\.10: 3\.10-3\.12 raise SystemError .*#define PY_SSIZE_T_CLEAN before #include <Python\.h>/ }],
      output: null,
      fixTitles: ['Hint: #define PY_SSIZE_T_CLEAN before #include <Python.h> and make the lengths Py_ssize_t'],
    },
    {
      code: 'PyObject *f(void) { return Py_BuildValue("y#", "ab", 2); }',
      target: '3.12',
      errors: [{ message: /^'y#': "#" units of Py_BuildValue without PY_SSIZE_T_CLEAN stops working from Python 3\.10/ }],
    },
    {
      code: 'PyObject *f(Py_ssize_t n) { return PyUnicode_FromStringAndSize(NULL, n); }',
      target: '3.12',
      errors: [{ message: /^'NULL': PyUnicode_FromStringAndSize\(NULL, size > 0\) stops working from Python 3\.12: 3\.12 and later raise SystemError/ }],
    },
  ],
});
