import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI002', {
  target: '3.9',
  valid: [
    { code: 'PyObject *f(PyObject *o) { return Py_NewRef(o); }', target: '3.10' },
    { name: 'guarded by the target', code: '#if Py_LIMITED_API+0 >= 0x030A0000\nPyObject *f(PyObject *o) { return Py_NewRef(o); }\n#endif' },
  ],
  invalid: [
    {
      code: 'PyObject *f(PyObject *o) { return Py_NewRef(o); }',
      errors: [{ message: /^'Py_NewRef' is in the Limited API only from 3\.10; this file targets 3\.9/, line: 1 }],
    },
    {
      name: 'the file defines its target: raising it is offered (unsafe), never chosen by fix-all',
      code: '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\nPyObject *n(PyObject *t) { return PyType_GetName((PyTypeObject *)t); }\n',
      errors: [{ message: /^'PyType_GetName' is in the Limited API only from 3\.11; this file targets 3\.9/, line: 3 }],
      fixTitles: ['Set Py_LIMITED_API to 0x030B0000 (3.11): drops support for older Pythons'],
      output: '#define Py_LIMITED_API 0x030B0000\n#include <Python.h>\nPyObject *n(PyObject *t) { return PyType_GetName((PyTypeObject *)t); }\n',
    },
  ],
});
