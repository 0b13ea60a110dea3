import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI004', {
  target: '3.9',
  valid: [
    'PyObject *f(PyObject *t) { return PyTuple_GetItem(t, 0); }',
    { name: 'a // comment continued by a backslash hides the next line', code: 'PyObject *f(PyObject *t) {\n  // first \\\n  return PyTuple_GET_ITEM(t, 0);\n  return NULL;\n}' },
    { name: 'a macro parameter of the same name is not the API', code: '#define CALL(PyTuple_GET_ITEM) PyTuple_GET_ITEM(x)' },
  ],
  invalid: [
    {
      code: 'PyObject *f(PyObject *t) { return PyTuple_GET_ITEM(t, 0); }',
      errors: [{ message: "'PyTuple_GET_ITEM' is a macro hidden from the Limited API; use PyTuple_GetItem", line: 1 }],
      fixTitles: ['Replace with PyTuple_GetItem'],
      output: 'PyObject *f(PyObject *t) { return PyTuple_GetItem(t, 0); }',
    },
    {
      name: 'an unsafe fix: a short title with the safety in a fixed place (the hover explains)',
      code: 'void f(PyObject *t, PyObject *v) { PyTuple_SET_ITEM(t, 0, v); }',
      errors: [{ message: /^'PyTuple_SET_ITEM' is a static inline function hidden from the Limited API/ }],
      fixTitles: ['Replace with PyTuple_SetItem (unsafe: fails unless the tuple is new; steals the item)'],
      output: 'void f(PyObject *t, PyObject *v) { PyTuple_SetItem(t, 0, v); }',
    },
    {
      name: 'advice, not a name, reads as advice',
      code: 'int r(PyObject *o) { return PyUnicode_READY(o); }',
      errors: [{ message: "'PyUnicode_READY' is a static inline function hidden from the Limited API; remove the call" }],
      fixTitles: ['Replace with 0 (unsafe: the Limited API readies strings itself)', "Hint: remove the call (3.2+). Since 3.12 every str is ready and the call does nothing; before, the Limited API's functions ready a str themselves. It can be deleted."],
    },
    {
      name: 'in a macro body: reported, and renamed there',
      code: '#define FIRST(t) PyTuple_GET_ITEM(t, 0)',
      errors: [{ message: /^'PyTuple_GET_ITEM' is a macro hidden from the Limited API/, line: 1 }],
      output: '#define FIRST(t) PyTuple_GetItem(t, 0)',
    },
  ],
});
