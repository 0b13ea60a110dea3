import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI007', {
  target: '3.9',
  valid: ['int f(PyObject *o) { return PyList_Size(o) > 0; }'],
  invalid: [
    {
      code: 'PyObject *f(PyObject *c) { return PyEval_CallObject(c, NULL); }',
      errors: [{ message: /^'PyEval_CallObject' is no longer in the Limited API of the 3\.\d+ headers; it stops compiling there/, identifier: 'PyEval_CallObject' }],
    },
    {
      name: 'the trashcan macros: the pair is removed as a whole (unsafe)',
      code: 'static void d(PyObject *op)\n{\n    Py_TRASHCAN_BEGIN(op, d)\n    PyObject_GC_Del(op);\n    Py_TRASHCAN_END\n}\n',
      errors: [
        { message: /^'Py_TRASHCAN_BEGIN' is no longer in the Limited API/, line: 3 },
        { message: /^'Py_TRASHCAN_END' is no longer in the Limited API/, line: 5 },
      ],
      fixTitles: ['Remove the Py_TRASHCAN_BEGIN … Py_TRASHCAN_END pair (unsafe: freeing a very deep nesting may then overflow the C stack)'],
      output: 'static void d(PyObject *op)\n{\n    PyObject_GC_Del(op);\n}\n',
    },
  ],
});
