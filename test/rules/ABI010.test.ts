import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI010', {
  target: '3.9',
  valid: ['#define Py_LIMITED_API 0x030A0000\n#include <Python.h>\n'],
  invalid: [
    {
      code: '#include <Python.h>\n#define Py_LIMITED_API 0x03090000\n',
      errors: [{ message: 'Py_LIMITED_API is defined after #include <Python.h>, where it has no effect; move it above the include', line: 2 }],
    },
    {
      code: '#define Py_LIMITED_API banana\n#include <Python.h>\n',
      errors: [{ message: /^invalid Py_LIMITED_API value/, line: 1 }],
    },
  ],
});
