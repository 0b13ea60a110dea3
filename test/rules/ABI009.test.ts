import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI009', {
  target: '3.9',
  valid: ['#include "pycore_like_but_mine.h.in"', { name: 'inactive', code: '#if 0\n#include <internal/pycore_list.h>\n#endif' }],
  invalid: [
    {
      code: '#include <internal/pycore_list.h>',
      errors: [{ message: "<internal/pycore_list.h> is one of CPython's internal headers; it requires Py_BUILD_CORE and is not part of any stable API" }],
    },
    {
      code: '#define Py_BUILD_CORE 1',
      errors: [{ message: "Py_BUILD_CORE exposes CPython's internal API, which has no stability promise and is disabled under Py_LIMITED_API" }],
    },
  ],
});
