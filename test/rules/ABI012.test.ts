import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI012', {
  target: '3.15',
  valid: [
    { name: 'not abi3t', code: 'Py_ssize_t r(PyObject *o) { return o->ob_refcnt; }', target: '3.15' },
    { abi3t: true, code: 'Py_ssize_t r(PyObject *o) { return Py_REFCNT(o); }' },
  ],
  invalid: [
    {
      abi3t: true,
      code: 'Py_ssize_t r(PyObject *o) { return o->ob_refcnt; }',
      errors: [{ message: /^'ob_refcnt' is a member of .*which is opaque under abi3t/ }],
    },
    {
      abi3t: true,
      name: 'a PyInit_ without PyModExport_',
      code: 'static struct PyModuleDef def;\nPyMODINIT_FUNC PyInit_m(void) { return PyModuleDef_Init(&def); }',
      errors: [{ message: /^under abi3t a module must export PyModExport_<name>/, line: 2, identifier: 'PyInit_m' }],
    },
  ],
});
