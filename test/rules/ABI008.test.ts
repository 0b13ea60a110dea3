import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI008', {
  target: '3.9',
  valid: ['#if Py_LIMITED_API+0 >= 0x030A0000\nint x;\n#endif'],
  invalid: [
    {
      code: '#if PY_VERSION_HEX >= 0x030A0000 && PY_VERSION_HEX < 0x030C0000\nint x;\n#endif',
      errors: [{ message: /^PY_VERSION_HEX is the version of the headers used for the build/, line: 1 }],
      output: '#if Py_LIMITED_API+0 >= 0x030A0000 && Py_LIMITED_API+0 < 0x030C0000\nint x;\n#endif',
    },
  ],
});
