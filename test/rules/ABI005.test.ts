import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI005', {
  target: '3.9',
  valid: [
    { name: 'a designator is not a member access', code: 'struct s { const char *tp_name; };\nstruct s v = { .tp_name = "x" };' },
    { name: 'plain member names are not CPython members', code: 'struct b { char *buf; };\nchar *g(struct b *x) { return x->buf; }' },
  ],
  invalid: [
    {
      code: 'const char *n(PyTypeObject *t) { return t->tp_name; }',
      errors: [{ message: "'tp_name' is a member of PyTypeObject, which is opaque in the Limited API at 3.9; PyType_GetName replaces it from 3.11", identifier: 'tp_name' }],
      output: null,
    },
    {
      name: 'a member with a rewrite at the target',
      code: 'void f(PyObject *o) { Py_TYPE(o)->tp_free(o); }',
      errors: [{ message: /^'tp_free' is a member of PyTypeObject, which is opaque in the Limited API at 3\.9; use / }],
      output: 'void f(PyObject *o) { ((freefunc)PyType_GetSlot(Py_TYPE(o), Py_tp_free))(o); }',
    },
    {
      name: 'a tp_vectorcall assignment goes below 3.14 (unsafe: the type is called through tp_new/tp_init)',
      code: 'void f(PyObject *t, void *v)\n{\n    ((PyTypeObject *)t)->tp_vectorcall = v;\n    Py_INCREF(t);\n}',
      target: '3.11',
      errors: [{ message: /^'tp_vectorcall' is a member of PyTypeObject/ }],
      output: 'void f(PyObject *t, void *v)\n{\n    Py_INCREF(t);\n}',
    },
    {
      name: 'a slot read through the type becomes PyType_GetSlot (safe from 3.10)',
      code: 'PyObject *g(PyObject *w, PyObject *o) { return Py_TYPE(w)->tp_descr_get(w, o, NULL); }',
      target: '3.10',
      errors: [{ message: /^'tp_descr_get' is a member of PyTypeObject/ }],
      output: 'PyObject *g(PyObject *w, PyObject *o) { return ((descrgetfunc)PyType_GetSlot(Py_TYPE(w), Py_tp_descr_get))(w, o, NULL); }',
    },
    {
      name: 'a slot read through another type\'s method table: PyType_GetSlot, safe from 3.10; the table test becomes a test of that slot (unsafe)',
      code: 'PyObject *f(PyObject *o) {\n    unaryfunc m = NULL;\n    PyTypeObject *t = Py_TYPE(o);\n    if (t->tp_as_async != NULL)\n        m = t->tp_as_async->am_aiter;\n    return m ? m(o) : NULL;\n}\n',
      target: '3.10',
      errors: [
        { message: /^'tp_as_async' is a member of PyTypeObject/, line: 4 },
        { message: /^'tp_as_async' is a member of PyTypeObject/, line: 5 },
        { message: /^'am_aiter' is a member of PyAsyncMethods/, line: 5 },
      ],
      fixTitles: ['Test the slot: PyType_GetSlot(t, Py_am_aiter) (unsafe: tests the slot, not its table: a table without am_aiter counts as absent)'],
      output: 'PyObject *f(PyObject *o) {\n    unaryfunc m = NULL;\n    PyTypeObject *t = Py_TYPE(o);\n    if (PyType_GetSlot(t, Py_am_aiter) != NULL)\n        m = ((unaryfunc)PyType_GetSlot(t, Py_am_aiter));\n    return m ? m(o) : NULL;\n}\n',
    },
    {
      name: 'below 3.10 the slot read is unsafe (static types raise SystemError there)',
      code: 'Py_ssize_t f(PyObject *o) { return Py_TYPE(o)->tp_as_sequence->sq_length(o); }',
      errors: [{ message: /^'tp_as_sequence' is a member of PyTypeObject/ }, { message: /^'sq_length' is a member of PySequenceMethods/ }],
      fixTitles: ['Replace with ((lenfunc)PyType_GetSlot(Py_TYPE(o), Py_sq_length)) (unsafe: fails on static types before 3.10)'],
    },
  ],
});
