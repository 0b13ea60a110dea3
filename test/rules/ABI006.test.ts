import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI006', {
  target: '3.9',
  valid: ['static PyTypeObject *T;', 'extern PyTypeObject T;'],
  invalid: [
    {
      code: 'static PyTypeObject MyType = { PyVarObject_HEAD_INIT(NULL, 0) };',
      errors: [{ message: /^'MyType' is a static PyTypeObject; PyTypeObject is opaque in the Limited API/, identifier: 'MyType' }],
      output: null,
    },
  ],
});
