import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI015', {
  target: '3.13',
  valid: [
    { code: 'int f(void) { return 1; }' },
    { name: 'the file includes the header', code: '#include <stdio.h>\nvoid f(void) { printf("x"); }' },
    { name: 'Python.h still includes it at 3.9', code: 'void f(void) { printf("x"); }', target: '3.9' },
  ],
  invalid: [
    {
      name: 'reported at the first call only; the fix adds the include once',
      code: 'void f(void) { printf("x"); printf("y"); }\n',
      errors: [{ message: "'printf' comes from <stdio.h>, which Python.h stops including under the Limited API from target 3.11 on; include <stdio.h> yourself", line: 1 }],
      fixTitles: ['Include <stdio.h> after Python.h'],
      output: '#include <stdio.h>\nvoid f(void) { printf("x"); printf("y"); }\n', // (after the prelude's #include <Python.h>)
    },
  ],
});
