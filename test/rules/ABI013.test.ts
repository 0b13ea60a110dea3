import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI013', {
  target: '3.9',
  valid: ['#ifdef MS_WINDOWS\nPyObject *e(void) { return PyErr_SetFromWindowsErr(0); }\n#endif', '#ifdef _WIN32\nPyObject *e(void) { return PyErr_SetFromWindowsErr(0); }\n#endif'],
  invalid: [
    {
      code: 'PyObject *e(void) { return PyErr_SetFromWindowsErr(0); }',
      errors: [{ message: "'PyErr_SetFromWindowsErr' exists only where MS_WINDOWS is defined; guard its use with #ifdef MS_WINDOWS" }],
    },
  ],
});
