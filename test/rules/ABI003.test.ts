import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI003', {
  target: '3.9',
  valid: ['int f(PyObject *o) { return PyObject_IsTrue(o); }'],
  invalid: [
    {
      code: 'PyObject *f(PyObject *c) { return _PyObject_CallNoArg(c); }',
      errors: [{ message: /^'_PyObject_CallNoArg' is private CPython API \(leading underscore\)/, identifier: '_PyObject_CallNoArg' }],
    },
    {
      name: 'ABI-only: in the Stable ABI for old binaries',
      code: 'PyObject *f(PyObject *o) { return _PyObject_New((PyTypeObject *)o); }',
      errors: [{ message: "'_PyObject_New' is in the Stable ABI only for old binaries; it is not part of the Limited API; use PyObject_Init" }],
    },
  ],
});
