import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI001', {
  target: '3.9',
  valid: [
    'PyObject *f(PyObject *o) { return PyObject_Repr(o); }',
    { name: 'the project declares the name itself', code: 'static int PyFrame_GetLineNumber(void *f) { return 0; }\nint g(void) { return PyFrame_GetLineNumber(0); }' },
    { name: 'inactive at the target', code: '#ifndef Py_LIMITED_API\nint n(PyObject *o) { return PyUnicode_GET_LENGTH(o); }\n#endif' },
  ],
  invalid: [
    {
      code: 'int p(PyObject *o, FILE *f) { return PyObject_Print(o, f, 0); }',
      errors: [{ message: "'PyObject_Print' is not part of the Limited API; use PyObject_Str", line: 1, identifier: 'PyObject_Print' }],
      output: null,
    },
    {
      name: 'with a replacement at the target',
      code: 'const char *s(PyObject *o) { return PyUnicode_AsUTF8(o); }',
      errors: [{ message: "'PyUnicode_AsUTF8' is not part of the Limited API; use PyUnicode_AsUTF8String" }],
    },
  ],
});
