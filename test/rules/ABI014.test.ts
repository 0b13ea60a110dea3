import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI014', {
  target: '3.12',
  valid: [{ code: 'PyObject *f(PyObject *c) { return PyObject_CallNoArgs(c); }' }],
  invalid: [
    {
      code: 'void f(PyObject **t, PyObject **v, PyObject **b) { PyErr_Fetch(t, v, b); }',
      errors: [{ message: /^'PyErr_Fetch' is deprecated since 3\.12; PyErr_GetRaisedException replaces it at this target/ }],
    },
  ],
});
