import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI007', {
  target: '3.9',
  valid: ['int f(PyObject *o) { return PyList_Size(o) > 0; }'],
  invalid: [
    {
      code: 'PyObject *f(PyObject *c) { return PyEval_CallObject(c, NULL); }',
      errors: [{ message: /^'PyEval_CallObject' is no longer in the Limited API of the 3\.\d+ headers; it stops compiling there/, identifier: 'PyEval_CallObject' }],
    },
  ],
});
